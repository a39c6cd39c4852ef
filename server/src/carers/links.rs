//! Carer links as stored: the records an account holds, the carers of a
//! record, and ending a link (at once, audited, the carer told).

use portico_types::api::{CarerInvitationView, CarerLinkView, OpenableRecord};
use serde_json::json;
use time::OffsetDateTime;

use super::access::{LIVE, NOT_SUSPENDED, carer_access};
use super::{AccessLevel, CarerKind};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Tx};
use crate::mail::templates::CarerAccessChange;
use crate::notifications::send;
use crate::state::AppState;

/// The records `account_id` may open: its own first, then each live link's.
pub async fn openable(db: &Db, account_id: &str, now: OffsetDateTime) -> Result<Vec<OpenableRecord>, sqlx::Error> {
    let own: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, given_name, family_name FROM records WHERE owner_account_id = $1")
            .bind(account_id)
            .fetch_optional(&db.pool)
            .await?;
    let mut records: Vec<OpenableRecord> = own
        .into_iter()
        .map(|(record_id, given_name, family_name)| OpenableRecord {
            record_id,
            given_name,
            family_name,
            own: true,
            carer: None,
        })
        .collect();
    let sql = format!(
        "SELECT r.id, r.given_name, r.family_name, l.id, l.kind, l.relationship, l.access_level, l.starts_at, \
         l.ends_at FROM carer_links l JOIN records r ON r.id = l.record_id \
         WHERE l.carer_account_id = $1 AND {} AND {NOT_SUSPENDED} ORDER BY r.given_name, r.family_name, r.id",
        LIVE.replace("$now", "$2")
    );
    type Row = (String, String, String, String, String, Option<String>, String, String, Option<String>);
    let rows: Vec<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id).bind(stored(now)).fetch_all(&db.pool).await?;
    for (record_id, given_name, family_name, link_id, kind, relationship, level, since, ends_at) in rows {
        let carer = carer_access((link_id, kind, relationship, level, since, ends_at));
        records.push(OpenableRecord { record_id, given_name, family_name, own: false, carer });
    }
    Ok(records)
}

/// Whether anyone but the owner may see `record_id`, or has been invited to:
/// the record page then offers to make entries private.
pub async fn has_carers(db: &Db, record_id: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM carer_links l WHERE l.record_id = $1 AND {}) \
         OR EXISTS (SELECT 1 FROM carer_invitations i WHERE i.record_id = $1 AND i.state = 'issued' \
         AND i.expires_at > $2) THEN 1 ELSE 0 END",
        LIVE.replace("$now", "$2")
    );
    // An integer, not a boolean: SQLite has none, and the two engines must read alike.
    let any: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(record_id).bind(stored(now)).fetch_one(&db.pool).await?;
    Ok(any == 1)
}

type CarerRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// The live links of `record_id`, oldest first, with a parent's next age band.
pub async fn of_record(db: &Db, record_id: &str, now: OffsetDateTime) -> Result<Vec<CarerLinkView>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, a.display_name, a.email, l.kind, l.relationship, l.legal_basis, l.access_level, l.starts_at, \
         l.ends_at, l.review_at, l.review_due_since, l.organisation_id, l.next_band_age, l.extended_until, \
         l.extension_reason FROM carer_links l JOIN accounts a ON a.id = l.carer_account_id \
         WHERE l.record_id = $1 AND {} ORDER BY l.starts_at, l.id",
        LIVE.replace("$now", "$2")
    );
    let rows: Vec<CarerRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(record_id).bind(stored(now)).fetch_all(&db.pool).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let (
            id,
            carer_name,
            carer_email,
            kind,
            relationship,
            legal_basis,
            level,
            since,
            ends_at,
            review_at,
            due,
            organisation_id,
            next_band_age,
            extended_until,
            extension_reason,
        ) = row;
        let (Some(kind), Some(access_level)) = (CarerKind::parse(&kind), AccessLevel::parse(&level)) else { continue };
        let next_change_age = next_band_age.and_then(|age| u8::try_from(age).ok());
        let next_change = match (next_change_age, organisation_id.as_deref()) {
            (Some(age), Some(organisation_id)) => {
                super::settings::bands_of(db, organisation_id).await?.at(age).map(|b| b.becomes.as_str().to_owned())
            }
            _ => None,
        };
        views.push(CarerLinkView {
            id,
            carer_name,
            carer_email,
            kind,
            relationship,
            legal_basis,
            access_level,
            since,
            ends_at,
            review_at,
            review_due_since: due,
            next_change,
            next_change_age,
            extended_until,
            extension_reason,
        });
    }
    Ok(views)
}

/// The invitations of `record_id` still waiting to be accepted.
pub async fn waiting_invitations(
    db: &Db,
    record_id: &str,
    now: OffsetDateTime,
) -> Result<Vec<CarerInvitationView>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, email, kind, access_level, expires_at, ends_at FROM carer_invitations \
         WHERE record_id = $1 AND state = 'issued' AND expires_at > $2 ORDER BY created_at",
    )
    .bind(record_id)
    .bind(stored(now))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, email, kind, level, expires_at, ends_at)| {
            Some(CarerInvitationView {
                id,
                email,
                kind: CarerKind::parse(&kind)?,
                access_level: AccessLevel::parse(&level)?,
                expires_at,
                ends_at,
            })
        })
        .collect())
}

/// Who ends a link, and in what capacity.
#[derive(Debug, Clone, Copy)]
pub enum Ender<'a> {
    Patient(&'a str),
    Carer(&'a str),
    Professional {
        account_id: &'a str,
        reason: &'a str,
    },
    SafeguardingLead {
        account_id: &'a str,
        reason: &'a str,
    },
    /// The coming-of-age job: nobody's account.
    CameOfAge,
}

impl Ender<'_> {
    fn how(&self) -> &'static str {
        match self {
            Self::Patient(_) => "patient",
            Self::Carer(_) => "carer",
            Self::Professional { .. } => "professional",
            Self::SafeguardingLead { .. } => "safeguarding_lead",
            Self::CameOfAge => "came_of_age",
        }
    }

    fn account_id(&self) -> Option<&str> {
        match self {
            Self::Patient(id) | Self::Carer(id) => Some(*id),
            Self::Professional { account_id, .. } | Self::SafeguardingLead { account_id, .. } => Some(*account_id),
            Self::CameOfAge => None,
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Professional { reason, .. } | Self::SafeguardingLead { reason, .. } => Some(*reason),
            _ => None,
        }
    }
}

/// Ends link `link_id` of `record_id` now, if it is still open; returns
/// whether it was. Audited, and the carer emailed, in the caller's transaction.
pub async fn end_in(
    tx: &mut Tx,
    state: &AppState,
    record_id: &str,
    link_id: &str,
    by: Ender<'_>,
    ip: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    // Only from open: of two ends at once, one finds nothing left to end.
    let ended: Option<String> = sqlx::query_scalar(
        "UPDATE carer_links SET ended_at = $3, ended_by = $4, ended_how = $5, end_reason = $6 \
         WHERE id = $1 AND record_id = $2 AND ended_at IS NULL RETURNING carer_account_id",
    )
    .bind(link_id)
    .bind(record_id)
    .bind(stored(now))
    .bind(by.account_id())
    .bind(by.how())
    .bind(by.reason())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(carer_account_id) = ended else { return Ok(false) };
    let mut event = Event::new(Action::CarerLinkEnded, now).record(record_id).ip(ip);
    if let Some(actor) = by.account_id() {
        event = event.actor(actor);
    }
    let detail = json!({ "link_id": link_id, "how": by.how(), "reason": by.reason() });
    audit::record(tx, event.detail(detail)).await?;
    // The carer is told, as their notification settings say (the template
    // names the patient by first name, nothing clinical).
    let given_name: String =
        sqlx::query_scalar("SELECT given_name FROM records WHERE id = $1").bind(record_id).fetch_one(&mut **tx).await?;
    let ended = CarerAccessChange::Ended;
    send::carer_access(tx, state, &carer_account_id, record_id, &given_name, ended, link_id, now).await?;
    Ok(true)
}

/// What a patient may change of a carer link they made.
#[derive(Debug, Clone, Copy)]
pub struct NewTerms {
    pub level: AccessLevel,
    pub ends_at: Option<OffsetDateTime>,
}

/// Why a change was not made.
#[derive(Debug)]
pub enum ChangeError {
    /// No open link of the record by that id.
    NotFound,
    /// A professional's link (a parent's, or a carer of an adult who lacks
    /// capacity): its terms are the clinical team's to change.
    NotThePatients,
    /// The end date is not after today.
    EndsInPast,
    Internal(sqlx::Error),
}

impl From<sqlx::Error> for ChangeError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err)
    }
}

/// The patient changes what carer link `link_id` of their `record_id` sees,
/// and until when. Audited, and the carer told, in one transaction.
pub async fn change(
    state: &AppState,
    record_id: &str,
    link_id: &str,
    terms: NewTerms,
    patient_account_id: &str,
    ip: &str,
) -> Result<(), ChangeError> {
    let now = state.now();
    if terms.ends_at.is_some_and(|end| end <= now) {
        return Err(ChangeError::EndsInPast);
    }
    let mut tx = state.db.begin_write().await?;
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT kind, carer_account_id FROM carer_links WHERE id = $1 AND record_id = $2 AND ended_at IS NULL",
    )
    .bind(link_id)
    .bind(record_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((kind, carer_account_id)) = found else { return Err(ChangeError::NotFound) };
    if CarerKind::parse(&kind) != Some(CarerKind::AdultCarerConsent) {
        return Err(ChangeError::NotThePatients);
    }
    let changed = sqlx::query(
        "UPDATE carer_links SET access_level = $3, ends_at = $4 WHERE id = $1 AND record_id = $2 AND ended_at IS NULL",
    )
    .bind(link_id)
    .bind(record_id)
    .bind(terms.level.as_str())
    .bind(terms.ends_at.map(stored))
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(ChangeError::NotFound);
    }
    let detail =
        json!({ "link_id": link_id, "access_level": terms.level.as_str(), "ends_at": terms.ends_at.map(stored) });
    let event = Event::new(Action::CarerLinkChanged, now).actor(patient_account_id).record(record_id).ip(Some(ip));
    audit::record(&mut tx, event.detail(detail)).await?;
    let given_name: String =
        sqlx::query_scalar("SELECT given_name FROM records WHERE id = $1").bind(record_id).fetch_one(&mut *tx).await?;
    let change = CarerAccessChange::Changed;
    send::carer_access(&mut tx, state, &carer_account_id, record_id, &given_name, change, link_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// [`end_in`] in a transaction of its own.
pub async fn end(
    state: &AppState,
    record_id: &str,
    link_id: &str,
    by: Ender<'_>,
    ip: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = state.db.begin_write().await?;
    let ended = end_in(&mut tx, state, record_id, link_id, by, Some(ip), state.now()).await?;
    tx.commit().await?;
    Ok(ended)
}

/// The kind of link `link_id` of `record_id`, if it is open.
pub async fn open_kind(db: &Db, record_id: &str, link_id: &str) -> Result<Option<CarerKind>, sqlx::Error> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT kind FROM carer_links WHERE id = $1 AND record_id = $2 AND ended_at IS NULL")
            .bind(link_id)
            .bind(record_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(kind.as_deref().and_then(CarerKind::parse))
}
