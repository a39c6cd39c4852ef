//! A professional keeps a parent's or guardian's access to a child's record
//! as it is past the next age band, until a later day, with a reason: the
//! link's next change moves to that day (the job applies the band then),
//! the reason is kept on the link and in the audit log, and the parent is
//! told until when. Never past the child's 18th birthday: an adult decides.

use serde_json::json;
use time::{Date, OffsetDateTime, Time};

use super::CarerKind;
use super::terms::day_of_age;
use crate::audit::{self, Action, Event};
use crate::clock::{parse_stored, stored};
use crate::mail::templates::CarerBandNotice;
use crate::notifications::send::{self, BandNotice};
use crate::state::AppState;

/// A request to extend, as the handler parsed it.
#[derive(Debug, Clone)]
pub struct Extension<'a> {
    pub record_id: &'a str,
    pub link_id: &'a str,
    /// The first day the band applies instead.
    pub until: Date,
    pub reason: &'a str,
    pub by: &'a str,
    pub ip: &'a str,
}

#[derive(Debug)]
pub enum ExtendError {
    /// No open link of the record by that id.
    NotFound,
    /// Not a parent's or guardian's link: it has no bands.
    NoBands,
    /// The day is not after the link's next change (`after`).
    NotLater {
        after: Date,
    },
    /// The day is after the child's 18th birthday (`latest`).
    PastEighteen {
        latest: Date,
    },
    Internal(anyhow::Error),
}

impl From<sqlx::Error> for ExtendError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Extends the link, audited and the parent told, in one transaction.
pub async fn extend(state: &AppState, request: &Extension<'_>) -> Result<OffsetDateTime, ExtendError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    type Row = (String, String, Option<String>, Option<i64>, String, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT l.kind, l.carer_account_id, l.review_at, l.next_band_age, r.date_of_birth, r.given_name \
         FROM carer_links l JOIN records r ON r.id = l.record_id \
         WHERE l.id = $1 AND l.record_id = $2 AND l.ended_at IS NULL",
    )
    .bind(request.link_id)
    .bind(request.record_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((kind, carer, review_at, next_band_age, born, given_name)) = row else {
        return Err(ExtendError::NotFound);
    };
    let (Some(CarerKind::ParentGuardian), Some(review_at), Some(band_age)) =
        (CarerKind::parse(&kind), review_at, next_band_age)
    else {
        return Err(ExtendError::NoBands);
    };
    let born = portico_types::DateOfBirth::from_stored(&born)
        .map_err(|e| ExtendError::Internal(anyhow::anyhow!("stored date of birth: {e}")))?;
    let next = parse_stored(&review_at).ok_or_else(|| ExtendError::Internal(anyhow::anyhow!("stored review_at")))?;
    let until = request.until.with_time(Time::MIDNIGHT).assume_utc();
    let after = next.max(now);
    if until <= after {
        return Err(ExtendError::NotLater { after: after.date() });
    }
    let eighteen = day_of_age(born.date(), 18).ok_or_else(|| ExtendError::Internal(anyhow::anyhow!("no 18th")))?;
    if until > eighteen {
        return Err(ExtendError::PastEighteen { latest: eighteen.date() });
    }
    // From the state read: of two extensions (or a band) at once, one wins.
    let extended = sqlx::query(
        "UPDATE carer_links SET review_at = $3, extended_until = $3, extension_reason = $4, extended_by = $5 \
         WHERE id = $1 AND ended_at IS NULL AND review_at = $2",
    )
    .bind(request.link_id)
    .bind(&review_at)
    .bind(stored(until))
    .bind(request.reason)
    .bind(request.by)
    .execute(&mut *tx)
    .await?;
    if extended.rows_affected() != 1 {
        return Err(ExtendError::NotFound);
    }
    let detail = json!({ "link_id": request.link_id, "band_age": band_age, "until": stored(until),
                         "was": review_at, "reason": request.reason });
    let event =
        Event::new(Action::CarerLinkExtended, now).actor(request.by).record(request.record_id).ip(Some(request.ip));
    audit::record(&mut tx, event.detail(detail)).await?;
    let key = format!("carer-band-extended:{}:{}", request.link_id, stored(until));
    let notice = BandNotice {
        carer_account_id: &carer,
        record_id: request.record_id,
        patient_given_name: &given_name,
        notice: CarerBandNotice::Extended,
        becomes: "extended",
        on: request.until,
        key: &key,
    };
    send::carer_band(&mut tx, state, notice, now).await?;
    tx.commit().await?;
    Ok(until)
}
