//! Writing one message's patient: match, merge, upsert, audit, in one
//! transaction. The match is `records::store`'s rule (NHS number first, then
//! a demographic match among the team's records without one), and fields
//! the message left empty are kept from the matched record.

use serde_json::json;
use time::OffsetDateTime;

use super::pid::IncomingPatient;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Db;
use crate::feeds::keys;
use crate::records::store::{self, ChangedBy, Outcome, UpsertError};

/// A message's patient, ready to write, and where it came from.
#[derive(Debug, Clone)]
pub struct Admission {
    pub patient: IncomingPatient,
    /// EVN-2, else MSH-7.
    pub source_time: OffsetDateTime,
    /// MSH-3 and MSH-4, as text.
    pub sending_application: String,
    pub sending_facility: String,
    /// MSH-9.2, like `A08`.
    pub event: String,
    /// MSH-10.
    pub control_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    #[error("the listener's feed key is unknown or revoked")]
    KeyNotLive,
    #[error("more than one record in the team matches a patient with no NHS number")]
    Ambiguous,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored record unreadable: {0}")]
    Corrupt(String),
}

impl From<UpsertError> for AdmitError {
    fn from(err: UpsertError) -> Self {
        match err {
            UpsertError::Ambiguous => AdmitError::Ambiguous,
            UpsertError::Database(err) => AdmitError::Database(err),
            UpsertError::Corrupt(what) => AdmitError::Corrupt(what),
        }
    }
}

/// Writes `admission` into the team of `feed_key`; `peer` is the sender's address.
pub async fn admit(
    db: &Db,
    feed_key: &str,
    admission: &Admission,
    peer: &str,
    now: OffsetDateTime,
) -> Result<(String, Outcome), AdmitError> {
    let client = keys::live_key(db, feed_key).await?.ok_or(AdmitError::KeyNotLive)?;
    let mut tx = db.begin_write().await?;
    // Match on what the message says, then fill what it left empty from the match.
    let probe = admission.patient.details(None);
    let current = store::find(&mut tx, db.engine, &client.team_id, &probe).await?;
    let details = admission.patient.details(current.as_ref().map(|c| &c.details));
    let changed_by = ChangedBy(format!("hl7:{}", admission.sending_application));
    let upserted = store::upsert_patient(
        &mut tx,
        db.engine,
        &client.team_id,
        &details,
        Some(admission.source_time),
        &changed_by,
        now,
    )
    .await?;
    let action = match upserted.outcome {
        Outcome::Created => Some(Action::Hl7RecordCreated),
        Outcome::Updated => Some(Action::Hl7RecordUpdated),
        Outcome::Unchanged | Outcome::Stale => None,
    };
    if let Some(action) = action {
        let mut event = Event::new(action, now).record(&upserted.record_id).ip(Some(peer));
        event.team_id = Some(&client.team_id);
        let detail = json!({
            "feed_key_id": client.key_id,
            "sending_application": admission.sending_application,
            "sending_facility": admission.sending_facility,
            "event": admission.event,
            "message_control_id": admission.control_id,
        });
        audit::record(&mut tx, event.detail(detail)).await?;
    }
    sqlx::query("UPDATE feed_keys SET last_used_at = $2 WHERE id = $1")
        .bind(&client.key_id)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((upserted.record_id, upserted.outcome))
}
