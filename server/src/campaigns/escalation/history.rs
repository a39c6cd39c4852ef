//! A record's reminders: what each step of each plan sent it or why not,
//! and the patient's opt-out of reminders, which staff set when the patient
//! asks (by phone, at the desk, by letter) and lift when they change their mind.

use portico_types::api::{RecordReminders, ReminderHistoryEntry, ReminderOptOutView};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Db;
use crate::state::AppState;

/// Entries shown at most (newest first).
const SHOWN: i64 = 100;

type HistoryRow = (String, String, i64, i64, String, String, String);

/// The record's reminders. `may_see_exclusions`: whether the viewer may know
/// the record is excluded; to others that outcome reads as `not_sent`.
pub async fn of_record(
    db: &Db,
    record_id: &str,
    may_see_exclusions: bool,
    may_change_opt_out: bool,
) -> Result<RecordReminders, sqlx::Error> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT h.campaign_id, c.name, h.step, \
         (SELECT count(*) FROM campaign_plan_steps s WHERE s.campaign_id = h.campaign_id), h.channel, h.outcome, h.at \
         FROM reminder_history h JOIN campaigns c ON c.id = h.campaign_id WHERE h.record_id = $1 \
         ORDER BY h.at DESC, h.step DESC LIMIT $2",
    )
    .bind(record_id)
    .bind(SHOWN)
    .fetch_all(&db.pool)
    .await?;
    let history = rows
        .into_iter()
        .map(|(campaign_id, campaign_name, step, steps, channel, outcome, at)| ReminderHistoryEntry {
            campaign_id,
            campaign_name,
            step: u32::try_from(step).unwrap_or(0),
            steps_in_plan: u32::try_from(steps).unwrap_or(0),
            channel,
            outcome: if outcome == "excluded" && !may_see_exclusions { "not_sent".to_owned() } else { outcome },
            at,
        })
        .collect();
    let opt_out: Option<(String, String)> = sqlx::query_as(
        "SELECT a.display_name, o.set_at FROM reminder_opt_outs o JOIN accounts a ON a.id = o.set_by WHERE o.record_id = $1",
    )
    .bind(record_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(RecordReminders {
        opt_out: opt_out.map(|(set_by_name, set_at)| ReminderOptOutView { set_by_name, set_at }),
        may_change_opt_out,
        history,
    })
}

/// Records (or lifts) the patient's opt-out of reminders, audited; setting
/// it twice, or lifting it when not set, changes nothing.
pub async fn set_opt_out(
    state: &AppState,
    record_id: &str,
    opted_out: bool,
    by: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.begin_write().await?;
    let changed = if opted_out {
        sqlx::query(
            "INSERT INTO reminder_opt_outs (record_id, set_by, set_at) VALUES ($1, $2, $3) ON CONFLICT (record_id) DO NOTHING",
        )
        .bind(record_id)
        .bind(by)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query("DELETE FROM reminder_opt_outs WHERE record_id = $1").bind(record_id).execute(&mut *tx).await?
    };
    if changed.rows_affected() == 1 {
        let action = if opted_out { Action::ReminderOptOutSet } else { Action::ReminderOptOutLifted };
        let event = Event::new(action, now).actor(by).record(record_id).detail(json!({}));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}
