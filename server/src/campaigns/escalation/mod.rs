//! Reminder escalation: a campaign's plan of reminder steps after its first
//! send, each on its own channel and so many days after the campaign
//! started (a letter, then a text after 14 days, then an email after 28).
//!
//! A step is run as a campaign of its own (kind `reminder`, `plan_of` the
//! plan's campaign, `plan_step` its number), so it is claimed in chunks with
//! leases and finished chunk by chunk in one transaction, exactly like any
//! campaign: kill -9 loses and doubles nothing, and several instances share
//! it. A step's campaign is started once (a unique index on plan and step)
//! when the step is due and the step before it has finished; a cancelled
//! step or campaign ends the plan. Its cohort is the plan's: every record
//! the first send counted. Each record's outcome at each step (sent, or why
//! not: registered, excluded, opted out, the plan's cap, no contact) is
//! written to `reminder_history` in the chunk's transaction, keyed by plan,
//! step and record.
//!
//! As with one-off reminder campaigns, a step issues a new invitation on its
//! channel and replaces the record's live invitation on that channel; an
//! invitation on another channel stays usable until it expires.

pub mod history;
pub mod plan;
pub mod routes;

use std::collections::BTreeSet;

use portico_types::api::{PlanPreview, PlanStepPreview, PlanStepView, PlanView, StepCounts};
use serde_json::json;
use time::OffsetDateTime;

use super::cohort::{self, CampaignChannel, Cohort, CohortAsked};
use crate::audit::{self, Action, Event};
use crate::clock::{parse_stored, stored};
use crate::db::{Db, Tx};
use crate::state::AppState;
use plan::Plan;

/// Stores a new campaign's plan, in the transaction that starts it.
pub async fn store_plan(tx: &mut Tx, campaign_id: &str, plan: &Plan) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET max_messages = $2 WHERE id = $1")
        .bind(campaign_id)
        .bind(i64::from(plan.max_messages()))
        .execute(&mut **tx)
        .await?;
    for (index, step) in plan.steps().iter().enumerate() {
        sqlx::query("INSERT INTO campaign_plan_steps (campaign_id, step, channel, after_days) VALUES ($1, $2, $3, $4)")
            .bind(campaign_id)
            .bind(i64::try_from(index + 1).unwrap_or(i64::MAX))
            .bind(step.channel.as_str())
            .bind(i64::from(step.after_days))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Starts the campaign of every plan step that is due now and whose step
/// before has finished; answers how many started.
pub async fn start_due_steps(state: &AppState) -> anyhow::Result<u64> {
    let now = state.now();
    let waiting: Vec<(String, i64, i64, String)> = sqlx::query_as(
        "SELECT s.campaign_id, s.step, s.after_days, c.created_at FROM campaign_plan_steps s \
         JOIN campaigns c ON c.id = s.campaign_id WHERE c.state <> 'cancelled' \
         AND NOT EXISTS (SELECT 1 FROM campaigns d WHERE d.plan_of = s.campaign_id AND d.plan_step = s.step) \
         ORDER BY c.created_at, s.campaign_id, s.step",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut seen = BTreeSet::new();
    let mut started = 0;
    for (root, step, after_days, created_at) in waiting {
        // Only each plan's next step can be due.
        if !seen.insert(root.clone()) {
            continue;
        }
        let Some(created_at) = parse_stored(&created_at) else { continue };
        if now < created_at + time::Duration::days(after_days) {
            continue;
        }
        if previous_state(&state.db, &root, step).await?.as_deref() != Some("finished") {
            continue;
        }
        if start_step(state, &root, step, now).await? {
            started += 1;
        }
    }
    Ok(started)
}

/// Steps of `root`'s plan not finished or cancelled yet: waiting, running or paused.
pub async fn steps_to_come(db: &Db, root: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM campaign_plan_steps s WHERE s.campaign_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM campaigns d WHERE d.plan_of = s.campaign_id AND d.plan_step = s.step \
         AND d.state IN ('finished', 'cancelled'))",
    )
    .bind(root)
    .fetch_one(&db.pool)
    .await
}

/// The campaigns running (or paused) a step of `root`'s plan now.
pub async fn running_steps(db: &Db, root: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM campaigns WHERE plan_of = $1 AND state IN ('running', 'paused') ORDER BY plan_step",
    )
    .bind(root)
    .fetch_all(&db.pool)
    .await
}

/// The state of the campaign that ran the step before `step` of `root`'s plan.
async fn previous_state(db: &Db, root: &str, step: i64) -> Result<Option<String>, sqlx::Error> {
    if step == 1 {
        sqlx::query_scalar("SELECT state FROM campaigns WHERE id = $1").bind(root).fetch_optional(&db.pool).await
    } else {
        sqlx::query_scalar("SELECT state FROM campaigns WHERE plan_of = $1 AND plan_step = $2")
            .bind(root)
            .bind(step - 1)
            .fetch_optional(&db.pool)
            .await
    }
}

type RootRow = (String, String, String, String, String, Option<i64>);

/// Starts step `step` of `root`'s plan, unless it started elsewhere (the
/// plan's row, locked, orders the instances; the unique index is the last word).
async fn start_step(state: &AppState, root: &str, step: i64, now: OffsetDateTime) -> anyhow::Result<bool> {
    let db = &state.db;
    let mut tx = db.begin_write().await?;
    let locked: Option<RootRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT state, team_id, name, cohort, created_by, max_messages FROM campaigns WHERE id = $1{}",
        db.engine.for_update()
    )))
    .bind(root)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((root_state, team_id, name, cohort, created_by, max_messages)) = locked else { return Ok(false) };
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM campaigns WHERE plan_of = $1 AND plan_step = $2")
        .bind(root)
        .bind(step)
        .fetch_optional(&mut *tx)
        .await?;
    if root_state == "cancelled" || exists.is_some() {
        return Ok(false);
    }
    let channel: String =
        sqlx::query_scalar("SELECT channel FROM campaign_plan_steps WHERE campaign_id = $1 AND step = $2")
            .bind(root)
            .bind(step)
            .fetch_one(&mut *tx)
            .await?;
    let channel = CampaignChannel::parse(&channel).ok_or_else(|| anyhow::anyhow!("plan step channel {channel}"))?;
    let mut cohort: Cohort = serde_json::from_str(&cohort)?;
    cohort.channel = channel;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM reminder_history WHERE campaign_id = $1 AND step = 0")
        .bind(root)
        .fetch_one(&mut *tx)
        .await?;
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO campaigns (id, team_id, name, channel, kind, cohort, state, total, created_by, created_at, updated_at, \
         max_messages, plan_of, plan_step) VALUES ($1, $2, $3, $4, 'reminder', $5, 'running', $6, $7, $8, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&team_id)
    .bind(format!("{name}: reminder {step}"))
    .bind(channel.as_str())
    .bind(serde_json::to_string(&cohort)?)
    .bind(total)
    .bind(&created_by)
    .bind(stored(now))
    .bind(max_messages)
    .bind(root)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    let event = Event::new(Action::ReminderStepStarted, now).team(&team_id).detail(json!({
        "campaign_id": id, "plan_of": root, "step": step, "channel": channel.as_str(), "total": total,
    }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    tracing::info!(campaign_id = %id, plan_of = %root, step, "reminder step started");
    Ok(true)
}

/// The cohort counted as for a campaign, and for each step of the plan how
/// many of the cohort lack that step's contact detail.
pub async fn preview(db: &Db, team_id: &str, asked: &CohortAsked, plan: &Plan) -> Result<PlanPreview, sqlx::Error> {
    let first = cohort::preview(db, team_id, asked).await?;
    let mut steps = Vec::with_capacity(plan.steps().len());
    for (index, step) in plan.steps().iter().enumerate() {
        let lacking_contact = if step.channel == asked.cohort.channel {
            first.lacking_contact
        } else {
            let mut on_channel = asked.clone();
            on_channel.cohort.channel = step.channel;
            cohort::preview(db, team_id, &on_channel).await?.lacking_contact
        };
        steps.push(PlanStepPreview {
            step: u32::try_from(index + 1).unwrap_or(u32::MAX),
            channel: step.channel.as_str().to_owned(),
            after_days: step.after_days,
            lacking_contact,
        });
    }
    Ok(PlanPreview { cohort: first, steps })
}

/// A campaign's counts, as a step's.
pub struct StepTally {
    pub issued: i64,
    pub skipped_registered: i64,
    pub skipped_excluded: i64,
    pub skipped_opted_out: i64,
    pub skipped_cap: i64,
    pub skipped_no_contact: i64,
}

type StepRow = (i64, String, i64, String, String, i64, i64, i64, i64, i64, i64);

/// The plan of campaign `id` (none if it has none), with each step's counts
/// taken from the campaign that ran it.
pub async fn plan_view(
    db: &Db,
    id: &str,
    channel: &str,
    state: &str,
    created_at: &str,
    first: StepTally,
) -> Result<Option<PlanView>, sqlx::Error> {
    let max_messages: Option<i64> =
        sqlx::query_scalar("SELECT max_messages FROM campaigns WHERE id = $1").bind(id).fetch_one(&db.pool).await?;
    let Some(max_messages) = max_messages else { return Ok(None) };
    let started = parse_stored(created_at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT s.step, s.channel, s.after_days, coalesce(c.id, ''), coalesce(c.state, ''), coalesce(c.issued, 0), \
         coalesce(c.skipped_registered, 0), coalesce(c.skipped_excluded, 0), coalesce(c.skipped_opted_out, 0), \
         coalesce(c.skipped_cap, 0), coalesce(c.skipped_no_contact, 0) FROM campaign_plan_steps s \
         LEFT JOIN campaigns c ON c.plan_of = s.campaign_id AND c.plan_step = s.step \
         WHERE s.campaign_id = $1 ORDER BY s.step",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let counts = |t: &StepTally| StepCounts {
        sent: n(t.issued),
        registered: n(t.skipped_registered),
        excluded: n(t.skipped_excluded),
        opted_out: n(t.skipped_opted_out),
        cap: n(t.skipped_cap),
        no_contact: n(t.skipped_no_contact),
    };
    let mut steps = vec![PlanStepView {
        step: 0,
        channel: channel.to_owned(),
        after_days: 0,
        due_on: started.date().to_string(),
        campaign_id: Some(id.to_owned()),
        state: Some(state.to_owned()),
        counts: counts(&first),
    }];
    for (step, channel, after_days, campaign_id, state, issued, registered, excluded, opted_out, cap, no_contact) in
        rows
    {
        let tally = StepTally {
            issued,
            skipped_registered: registered,
            skipped_excluded: excluded,
            skipped_opted_out: opted_out,
            skipped_cap: cap,
            skipped_no_contact: no_contact,
        };
        steps.push(PlanStepView {
            step: u32::try_from(step).unwrap_or(0),
            channel,
            after_days: u32::try_from(after_days).unwrap_or(0),
            due_on: (started + time::Duration::days(after_days)).date().to_string(),
            campaign_id: (!campaign_id.is_empty()).then_some(campaign_id),
            state: (!state.is_empty()).then_some(state),
            counts: counts(&tally),
        });
    }
    Ok(Some(PlanView { max_messages: u32::try_from(max_messages).unwrap_or(0), steps }))
}
