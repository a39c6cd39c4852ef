//! Entries the patient marks private: hidden from carers whose access is
//! `not_private`, as entries a professional labelled sensitive are.

use serde_json::json;

use crate::audit::{self, Action, Event};
use crate::state::AppState;

/// Marks (or unmarks) entry `entry_id` of `record_id` private, audited;
/// returns whether the record has such an entry.
pub async fn mark(
    state: &AppState,
    record_id: &str,
    entry_id: &str,
    private: bool,
    by: &str,
    ip: &str,
) -> Result<bool, sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let marked = sqlx::query("UPDATE entries SET private_to_patient = $3 WHERE id = $1 AND record_id = $2")
        .bind(entry_id)
        .bind(record_id)
        .bind(i64::from(private))
        .execute(&mut *tx)
        .await?;
    if marked.rows_affected() != 1 {
        return Ok(false);
    }
    let event = Event::new(Action::EntryPrivacyChanged, now).actor(by).record(record_id).ip(Some(ip));
    audit::record(&mut tx, event.detail(json!({ "entry_id": entry_id, "private": private }))).await?;
    tx.commit().await?;
    Ok(true)
}
