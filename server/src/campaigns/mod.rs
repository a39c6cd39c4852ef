//! Campaigns: invitations for a whole cohort of a team's records, by letter,
//! text message or email, worked through in the background.
//!
//! A campaign is split into chunks of consecutive cohort records (by record
//! id). A worker claims a chunk with a lease and finishes it in one
//! transaction: its invitations (unique per campaign and record), their
//! messages (unique outbox keys), a letter campaign's batch PDF and
//! manifest, the chunk's `done_at` and the campaign's counts are written
//! together, or not at all. A worker killed at any point leaves a chunk
//! either done or claimed; a claim whose lease runs out is taken again.
//! Several instances on PostgreSQL claim different chunks and cannot finish
//! one twice, so nothing is lost or doubled.
//!
//! Messages leave through the outbox, behind patients' own messages, paced
//! to Notify's limit, and held while the campaign is paused; a campaign
//! issues its next chunk only while few of its messages wait, so codes do
//! not age in a queue.

pub mod chunk;
pub mod cohort;
pub mod escalation;
pub mod hold;
pub mod invitation_settings;
pub mod routes;
pub mod worker;

use portico_types::api::{CampaignFailure, CampaignProgress, CampaignSummary, CampaignView, LetterBatchView, StepOf};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Statement};
use crate::state::AppState;
use cohort::{Cohort, CohortAsked, Registration, WithoutEntries};

/// A campaign's state. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    Paused,
    Finished,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("the cohort has no one to invite")]
    EmptyCohort,
    #[error("no such campaign")]
    NotFound,
    #[error("the campaign is {0}: it cannot be {1}")]
    WrongState(String, &'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CampaignError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Starts a campaign over `asked` for `team_id`: counts the cohort, stores
/// its list of NHS numbers, and leaves the rest to the workers.
pub async fn start(
    state: &AppState,
    team_id: &str,
    name: &str,
    asked: &CohortAsked,
    started_by: &str,
) -> Result<String, CampaignError> {
    start_with_plan(state, team_id, name, asked, None, started_by).await
}

/// [`start`], with a reminder plan whose steps follow the first send.
pub async fn start_with_plan(
    state: &AppState,
    team_id: &str,
    name: &str,
    asked: &CohortAsked,
    plan: Option<&escalation::plan::Plan>,
    started_by: &str,
) -> Result<String, CampaignError> {
    let preview = cohort::preview(&state.db, team_id, asked).await?;
    let held = if asked.cohort.without_entries == WithoutEntries::Hold { preview.without_entries } else { 0 };
    if preview.to_invite == 0 && held == 0 {
        return Err(CampaignError::EmptyCohort);
    }
    let now = state.now();
    let id = uuid::Uuid::now_v7().to_string();
    let kind = match asked.cohort.registration {
        Registration::Reminder { .. } => "reminder",
        _ => "invitation",
    };
    let cohort_json = serde_json::to_string(&asked.cohort).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO campaigns (id, team_id, name, channel, kind, cohort, state, total, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(team_id)
    .bind(name)
    .bind(asked.cohort.channel.as_str())
    .bind(kind)
    .bind(cohort_json)
    // Those who have had all their reminders are not part of the campaign at all.
    .bind(i64::try_from(preview.matching - preview.reminder_cap_reached).unwrap_or(i64::MAX))
    .bind(started_by)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    if let Some(listed) = &asked.listed {
        let rows = state.db.engine.rows_per_statement(2);
        for slice in listed.numbers.chunks(rows) {
            let mut insert =
                Statement::for_engine(state.db.engine, "INSERT INTO campaign_listed (campaign_id, nhs_number) ");
            insert.values(slice, |row, (number, _)| {
                row.bind(id.as_str()).bind(number.as_digits());
            });
            insert.query()?.execute(&mut *tx).await?;
        }
    }
    if let Some(plan) = plan {
        escalation::store_plan(&mut tx, &id, plan).await?;
    }
    let steps: Vec<serde_json::Value> = plan
        .map(|p| {
            p.steps().iter().map(|s| json!({ "channel": s.channel.as_str(), "after_days": s.after_days })).collect()
        })
        .unwrap_or_default();
    let event = Event::new(Action::CampaignStarted, now).actor(started_by).team(team_id).detail(json!({
        "campaign_id": id, "channel": asked.cohort.channel.as_str(), "kind": kind, "total": preview.matching,
        "to_invite": preview.to_invite, "plan": steps, "max_messages": plan.map(|p| p.max_messages()),
        "records_without_entries": asked.cohort.without_entries.as_str(), "without_entries": preview.without_entries,
    }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Pauses a running campaign: no more chunks, and its waiting messages are held.
pub async fn pause(state: &AppState, id: &str, by: &str) -> Result<(), CampaignError> {
    change_state(state, id, by, &[State::Running], State::Paused, Action::CampaignPaused, "paused").await
}

/// Resumes a paused campaign where it stopped.
pub async fn resume(state: &AppState, id: &str, by: &str) -> Result<(), CampaignError> {
    change_state(state, id, by, &[State::Paused], State::Running, Action::CampaignResumed, "resumed").await
}

/// Cancels a campaign: no more chunks; its messages not yet sent are given
/// up and the invitations they carried revoked (nobody received them), its
/// held invitations never go, and its plan ends: a reminder step running
/// now is cancelled with it and no later one starts. A finished campaign
/// that still holds invitations, or whose plan has steps to come, can be
/// cancelled for that. Letters already in a batch stay: they may be in the post.
pub async fn cancel(state: &AppState, id: &str, by: &str) -> Result<(), CampaignError> {
    let more_to_come = hold::counts(&state.db, id).await?.0 > 0 || escalation::steps_to_come(&state.db, id).await? > 0;
    let from: &[State] =
        if more_to_come { &[State::Running, State::Paused, State::Finished] } else { &[State::Running, State::Paused] };
    change_state(state, id, by, from, State::Cancelled, Action::CampaignCancelled, "cancelled").await?;
    for step in escalation::running_steps(&state.db, id).await? {
        match change_state(
            state,
            &step,
            by,
            &[State::Running, State::Paused],
            State::Cancelled,
            Action::CampaignCancelled,
            "cancelled",
        )
        .await
        {
            // It finished meanwhile.
            Ok(()) | Err(CampaignError::WrongState(..)) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

async fn change_state(
    state: &AppState,
    id: &str,
    by: &str,
    from: &[State],
    to: State,
    action: Action,
    verb: &'static str,
) -> Result<(), CampaignError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let current: Option<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT state, team_id FROM campaigns WHERE id = $1{}",
        state.db.engine.for_update()
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (current, team_id) = current.ok_or(CampaignError::NotFound)?;
    if !from.iter().any(|s| s.as_str() == current) {
        return Err(CampaignError::WrongState(current, verb));
    }
    sqlx::query("UPDATE campaigns SET state = $2, updated_at = $3, finished_at = CASE WHEN $2 = 'cancelled' THEN $3 ELSE finished_at END WHERE id = $1")
        .bind(id)
        .bind(to.as_str())
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
    if to == State::Cancelled {
        let unsent: Vec<(String, Option<String>)> = sqlx::query_as(
            "UPDATE outbox SET gave_up_at = $2, last_error = 'campaign cancelled' \
             WHERE campaign_id = $1 AND sent_at IS NULL AND gave_up_at IS NULL RETURNING id, invitation_id",
        )
        .bind(id)
        .bind(stored(now))
        .fetch_all(&mut *tx)
        .await?;
        for invitation_id in unsent.iter().filter_map(|(_, i)| i.as_deref()) {
            crate::invitations::revoke_one(&mut tx, invitation_id, Some(by), now).await?;
        }
        hold::drop_holds(&mut tx, id, now).await?;
    }
    let event = Event::new(action, now).actor(by).team(&team_id).detail(json!({ "campaign_id": id }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// A campaign as stored, with its creator's name.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    team_id: String,
    name: String,
    channel: String,
    kind: String,
    state: String,
    created_by: String,
    created_at: String,
    finished_at: Option<String>,
    cohort: String,
    total: i64,
    processed: i64,
    issued: i64,
    skipped_excluded: i64,
    skipped_registered: i64,
    skipped_no_contact: i64,
    skipped_opted_out: i64,
    skipped_cap: i64,
    plan_of: Option<String>,
    plan_step: Option<i64>,
}

const SUMMARY_COLUMNS: &str = "c.id, c.team_id, c.name, c.channel, c.kind, c.state, a.display_name AS created_by, \
     c.created_at, c.finished_at, c.cohort, c.total, c.processed, c.issued, c.skipped_excluded, c.skipped_registered, \
     c.skipped_no_contact, c.skipped_opted_out, c.skipped_cap, c.plan_of, c.plan_step";

fn summary_of(row: SummaryRow) -> CampaignSummary {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    CampaignSummary {
        id: row.id,
        team_id: row.team_id,
        name: row.name,
        channel: row.channel,
        kind: row.kind,
        state: row.state,
        created_by: row.created_by,
        created_at: row.created_at,
        finished_at: row.finished_at,
        progress: CampaignProgress {
            total: n(row.total),
            processed: n(row.processed),
            issued: n(row.issued),
            skipped_excluded: n(row.skipped_excluded),
            skipped_registered: n(row.skipped_registered),
            skipped_no_contact: n(row.skipped_no_contact),
            skipped_opted_out: n(row.skipped_opted_out),
            skipped_cap: n(row.skipped_cap),
            ..CampaignProgress::default()
        },
    }
}

/// A team's campaigns, newest first (the last 100).
pub async fn list(db: &Db, team_id: &str) -> Result<Vec<CampaignSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM campaigns c JOIN accounts a ON a.id = c.created_by \
         WHERE c.team_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 100"
    )))
    .bind(team_id)
    .fetch_all(&db.pool)
    .await?;
    let mut campaigns: Vec<CampaignSummary> = rows.into_iter().map(summary_of).collect();
    for campaign in &mut campaigns {
        add_message_counts(db, &campaign.id, &campaign.channel, &mut campaign.progress, None).await?;
        (campaign.progress.held, campaign.progress.released) = hold::counts(db, &campaign.id).await?;
    }
    Ok(campaigns)
}

/// The team a campaign belongs to, to authorise.
pub async fn team_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT team_id FROM campaigns WHERE id = $1").bind(id).fetch_optional(&db.pool).await
}

/// A campaign with its progress, failures and letter batches.
pub async fn view(db: &Db, id: &str, now: OffsetDateTime) -> Result<Option<CampaignView>, sqlx::Error> {
    let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM campaigns c JOIN accounts a ON a.id = c.created_by WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let cohort: Option<Cohort> = serde_json::from_str(&row.cohort).ok();
    let step_of = match (&row.plan_of, row.plan_step) {
        (Some(plan_of), Some(step)) => {
            Some(StepOf { campaign_id: plan_of.clone(), step: u32::try_from(step).unwrap_or(0) })
        }
        _ => None,
    };
    let first = escalation::StepTally {
        issued: row.issued,
        skipped_registered: row.skipped_registered,
        skipped_excluded: row.skipped_excluded,
        skipped_opted_out: row.skipped_opted_out,
        skipped_cap: row.skipped_cap,
        skipped_no_contact: row.skipped_no_contact,
    };
    let mut campaign = summary_of(row);
    add_message_counts(db, id, &campaign.channel, &mut campaign.progress, Some(now)).await?;
    (campaign.progress.held, campaign.progress.released) = hold::counts(db, id).await?;
    let failures = failures(db, id).await?;
    let batches = batches(db, id).await?;
    let plan = escalation::plan_view(db, id, &campaign.channel, &campaign.state, &campaign.created_at, first).await?;
    let cohort = match (&step_of, cohort) {
        (Some(step_of), Some(cohort)) => vec![
            format!("Reminder {} of a plan: everyone its first send counted", step_of.step),
            "Not registered, not opted out of reminders, and under the plan's most messages".to_owned(),
            cohort.describe().pop().unwrap_or_default(),
        ],
        (None, Some(cohort)) => cohort.describe(),
        (_, None) => Vec::new(),
    };
    Ok(Some(CampaignView { campaign, cohort, failures, batches, plan, step_of }))
}

/// Sent, delivered, failed, waiting and (with `now`) per-minute counts
/// from the outbox; for letters, sent is what went into a batch.
async fn add_message_counts(
    db: &Db,
    id: &str,
    channel: &str,
    progress: &mut CampaignProgress,
    now: Option<OffsetDateTime>,
) -> Result<(), sqlx::Error> {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    if channel == "letter" {
        let letters: i64 = sqlx::query_scalar(
            "SELECT CAST(coalesce(sum(letters), 0) AS BIGINT) FROM letter_batches WHERE campaign_id = $1",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
        progress.sent = n(letters);
        return Ok(());
    }
    let minute_ago = stored(now.unwrap_or(OffsetDateTime::UNIX_EPOCH) - time::Duration::minutes(1));
    let (sent, delivered, failed, waiting, per_minute): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT \
         coalesce(sum(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN delivery_status = 'delivered' THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN gave_up_at IS NOT NULL OR delivery_status IN ('permanent-failure', 'temporary-failure', 'technical-failure') THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN sent_at IS NULL AND gave_up_at IS NULL THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN sent_at > $2 THEN 1 ELSE 0 END), 0) \
         FROM outbox WHERE campaign_id = $1",
    )
    .bind(id)
    .bind(minute_ago)
    .fetch_one(&db.pool)
    .await?;
    progress.sent = n(sent);
    progress.delivered = n(delivered);
    progress.failed = n(failed);
    progress.waiting = n(waiting);
    progress.per_minute = if now.is_some() { n(per_minute) } else { 0 };
    Ok(())
}

/// Why a campaign's messages failed, in words staff can act on.
async fn failures(db: &Db, id: &str) -> Result<Vec<CampaignFailure>, sqlx::Error> {
    let rows: Vec<(Option<String>, Option<String>, i64)> = sqlx::query_as(
        "SELECT delivery_status, CASE WHEN gave_up_at IS NOT NULL THEN last_error END, count(*) FROM outbox \
         WHERE campaign_id = $1 AND (gave_up_at IS NOT NULL OR delivery_status IN ('permanent-failure', 'temporary-failure', 'technical-failure')) \
         GROUP BY delivery_status, CASE WHEN gave_up_at IS NOT NULL THEN last_error END",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let mut by_reason: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (status, error, count) in rows {
        *by_reason.entry(failure_reason(status.as_deref(), error.as_deref())).or_default() +=
            u64::try_from(count).unwrap_or(0);
    }
    let mut failures: Vec<CampaignFailure> =
        by_reason.into_iter().map(|(reason, count)| CampaignFailure { reason, count }).collect();
    failures.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Ok(failures)
}

/// Notify's delivery statuses and Portico's own reasons for giving up, in words.
fn failure_reason(status: Option<&str>, error: Option<&str>) -> String {
    match (status, error) {
        (Some("permanent-failure"), _) => "The number or address does not exist or cannot receive messages".into(),
        (Some("temporary-failure"), _) => "The phone was off or the inbox full for 72 hours".into(),
        (Some("technical-failure"), _) => "The provider could not send it (a technical failure)".into(),
        (_, Some("campaign cancelled")) => "Not sent: the campaign was cancelled".into(),
        (_, Some(error)) if error.contains("BadRequest") || error.contains("400") => {
            format!("Refused by the provider: {}", error.chars().take(120).collect::<String>())
        }
        (_, Some(error)) => format!("Gave up after repeated failures: {}", error.chars().take(120).collect::<String>()),
        _ => "Failed".into(),
    }
}

async fn batches(db: &Db, id: &str) -> Result<Vec<LetterBatchView>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, letters, created_at, downloaded_at FROM letter_batches WHERE campaign_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, letters, created_at, downloaded_at)| LetterBatchView {
            seq: u64::try_from(seq).unwrap_or(0),
            letters: u64::try_from(letters).unwrap_or(0),
            created_at,
            downloaded_at,
            pdf_path: format!("/staff/campaigns/{id}/batches/{seq}/letters.pdf"),
            manifest_path: format!("/staff/campaigns/{id}/batches/{seq}/manifest.csv"),
        })
        .collect())
}

/// A letter batch's PDF or manifest; fetching the PDF marks the batch downloaded.
pub async fn batch_file(
    db: &Db,
    id: &str,
    seq: i64,
    pdf: bool,
    now: OffsetDateTime,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    if pdf {
        let found: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT pdf FROM letter_batches WHERE campaign_id = $1 AND seq = $2")
                .bind(id)
                .bind(seq)
                .fetch_optional(&db.pool)
                .await?;
        if found.is_some() {
            sqlx::query(
                "UPDATE letter_batches SET downloaded_at = $3 WHERE campaign_id = $1 AND seq = $2 AND downloaded_at IS NULL",
            )
            .bind(id)
            .bind(seq)
            .bind(stored(now))
            .execute(&db.pool)
            .await?;
        }
        Ok(found)
    } else {
        let found: Option<String> =
            sqlx::query_scalar("SELECT manifest FROM letter_batches WHERE campaign_id = $1 AND seq = $2")
                .bind(id)
                .bind(seq)
                .fetch_optional(&db.pool)
                .await?;
        Ok(found.map(String::into_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_something_to_act_on() {
        assert!(failure_reason(Some("permanent-failure"), None).contains("does not exist"));
        assert!(failure_reason(None, Some("campaign cancelled")).contains("cancelled"));
        assert!(failure_reason(None, Some("Notify: 500")).starts_with("Gave up"));
    }
}
