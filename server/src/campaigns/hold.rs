//! Invitations held until the record has something to see. A cohort that
//! holds records without entries has its chunk write a `campaign_held` row
//! for each, in the chunk's transaction, instead of an invitation; the
//! release job here invites them once their record has its first entry.
//!
//! A release is one write transaction per batch of one campaign's records:
//! the campaign's row is locked (ordering it with a cancel and with chunk
//! claims), the holds are ended with a conditional `UPDATE … WHERE
//! released_at IS NULL … RETURNING` (so two instances never both release
//! one), exclusion and registration are checked again, and the invitations,
//! messages and (for letters) a batch with a fresh number are written as a
//! chunk writes them. Their codes expire counting from the release.
//!
//! A held record counts in the campaign's `processed` when its chunk is
//! done; once released it counts in `issued` or in a `skipped_*`. A record
//! that no longer fits the cohort (invited at the desk meanwhile, say) is
//! dropped (`left_cohort`), as are the holds of a cancelled campaign.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use super::chunk::{self, Campaign, ChunkOutcome, History, PlanRole, Skip, Sorted};
use super::cohort::{CampaignChannel, Cohort};
use crate::clock::stored;
use crate::db::{Db, Engine, Statement, Tx};
use crate::state::AppState;

/// Writes holds for `record_ids` of campaign `campaign_id`, in its chunk's transaction.
pub(super) async fn hold(
    tx: &mut Tx,
    engine: Engine,
    campaign_id: &str,
    record_ids: &[String],
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let at = stored(now);
    for slice in record_ids.chunks(engine.rows_per_statement(3)) {
        let mut insert = Statement::for_engine(engine, "INSERT INTO campaign_held (campaign_id, record_id, held_at) ");
        insert.values(slice, |row, record_id| {
            row.bind(campaign_id).bind(record_id.as_str()).bind(at.as_str());
        });
        insert.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Ends every hold of a campaign being cancelled: those records are never invited.
pub(super) async fn drop_holds(tx: &mut Tx, campaign_id: &str, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let dropped = sqlx::query(
        "UPDATE campaign_held SET released_at = $2, outcome = 'cancelled' WHERE campaign_id = $1 AND released_at IS NULL",
    )
    .bind(campaign_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(dropped.rows_affected())
}

/// A campaign's records held now, and those released with an invitation.
pub async fn counts(db: &Db, campaign_id: &str) -> Result<(u64, u64), sqlx::Error> {
    let (held, released): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(CASE WHEN released_at IS NULL THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN outcome = 'invited' THEN 1 ELSE 0 END), 0) FROM campaign_held WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(&db.pool)
    .await?;
    Ok((u64::try_from(held).unwrap_or(0), u64::try_from(released).unwrap_or(0)))
}

/// What one release did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    /// Holds this release ended (another instance may have ended the rest).
    pub ended: u64,
    /// Invited, or dropped (excluded, registered, without contact, no longer in the cohort).
    pub outcome: ChunkOutcome,
    pub left_cohort: u64,
}

/// Releases one batch of held records whose record now has an entry, of
/// one campaign that is running or finished (a paused campaign's wait).
/// Answers whether there was one.
pub async fn release_next(state: &AppState) -> anyhow::Result<bool> {
    let limit = i64::try_from(state.settings.campaign_chunk_size.clamp(1, 10_000)).unwrap_or(1_000);
    let due: Vec<(String, String)> = sqlx::query_as(
        "SELECT h.campaign_id, h.record_id FROM campaign_held h JOIN campaigns c ON c.id = h.campaign_id \
         WHERE h.released_at IS NULL AND c.state IN ('running', 'finished') \
         AND EXISTS (SELECT 1 FROM entries e WHERE e.record_id = h.record_id) \
         ORDER BY h.campaign_id, h.record_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    let Some((campaign_id, _)) = due.first() else { return Ok(false) };
    let record_ids: Vec<String> = due.iter().filter(|(c, _)| c == campaign_id).map(|(_, r)| r.clone()).collect();
    let Some(campaign) = campaign(&state.db, campaign_id).await? else { return Ok(false) };
    let Some(released) = release(state, &campaign, &record_ids).await? else { return Ok(false) };
    tracing::info!(
        campaign_id = %campaign.id, ended = released.ended, issued = released.outcome.issued,
        dropped = released.ended - released.outcome.issued, "held invitations released"
    );
    Ok(true)
}

async fn campaign(db: &Db, id: &str) -> anyhow::Result<Option<Campaign>> {
    type Row = (String, String, String, String, Option<String>, Option<i64>, Option<i64>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT c.team_id, t.name, c.cohort, c.created_by, c.plan_of, c.plan_step, c.max_messages FROM campaigns c \
         JOIN teams t ON t.id = c.team_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((team_id, team_name, cohort, created_by, plan_of, plan_step, max_messages)) = row else {
        return Ok(None);
    };
    let cohort: Cohort = serde_json::from_str(&cohort)?;
    let plan = PlanRole::of(plan_of, plan_step, max_messages);
    Ok(Some(Campaign { id: id.to_owned(), team_id, team_name, cohort, created_by, plan }))
}

/// Releases `record_ids`, held by `campaign`, whose records have an entry.
/// `None`: nothing done (the campaign is not running or finished, or on
/// PostgreSQL another instance holds its row: it is releasing them now).
pub async fn release(state: &AppState, campaign: &Campaign, record_ids: &[String]) -> anyhow::Result<Option<Released>> {
    let now = state.now();
    let engine = state.db.engine;
    // Read, and a letter batch rendered, before the write transaction (as a chunk does).
    let candidates = chunk::read_candidates_where(&state.db, campaign, |sql| {
        sql.push("tr.record_id IN ").bind_list(record_ids.iter().map(String::as_str));
    })
    .await?;
    let found: BTreeSet<String> = candidates.iter().map(|c| c.record_id.clone()).collect();
    let mut missing: Vec<String> = record_ids.iter().filter(|id| !found.contains(*id)).cloned().collect();
    // The same stop rules as the chunk's; they have an entry now, so none is held again.
    let mut outcome = ChunkOutcome::default();
    let Sorted { mut invitees, held: still_empty, mut skipped } = chunk::sort(campaign, candidates, &mut outcome);
    let to_end: Vec<String> = record_ids.iter().filter(|id| !still_empty.contains(id)).cloned().collect();
    let expires_at = now + state.settings.invitations.lifetime(campaign.cohort.channel.invitation_channel());
    let letters = campaign.cohort.channel == CampaignChannel::Letter;
    let rendered_for = invitees.len();
    let mut batch = if letters && !invitees.is_empty() {
        Some(chunk::render_batch(state, &campaign.team_id, &invitees, expires_at).await?)
    } else {
        None
    };

    let mut tx = state.db.begin_write().await?;
    let skip_locked = if engine == Engine::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let locked: Option<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT state, chunks_claimed FROM campaigns WHERE id = $1{skip_locked}"
    )))
    .bind(&campaign.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((state_now, chunks_claimed)) = locked else { return Ok(None) };
    if state_now != "running" && state_now != "finished" {
        tx.rollback().await?;
        return Ok(None);
    }
    let ours: BTreeSet<String> = end_holds(&mut tx, engine, &campaign.id, &to_end, now).await?;
    missing.retain(|id| ours.contains(id));
    skipped.retain(|(id, _)| ours.contains(id));
    invitees.retain(|invitee| ours.contains(&invitee.candidate.record_id));
    chunk::drop_changed(&mut tx, engine, &mut invitees, &mut ChunkOutcome::default(), &mut skipped).await?;
    // Not found in the cohort any more: registered, or left it (invited meanwhile, say).
    let (now_registered, left_cohort) = registered_of(&mut tx, engine, missing).await?;
    skipped.extend(now_registered.into_iter().map(|id| (id, Skip::Registered)));
    // Counted again from what is left: another instance may have ended some of these holds.
    let mut outcome = ChunkOutcome::default();
    for (_, skip) in &skipped {
        outcome.count(*skip);
    }
    for skip in [Skip::Excluded, Skip::Registered, Skip::NoContact, Skip::OptedOut, Skip::Cap] {
        let ids: Vec<&str> = skipped.iter().filter(|(_, s)| *s == skip).map(|(id, _)| id.as_str()).collect();
        set_outcome(&mut tx, engine, &campaign.id, skip.as_str(), &ids).await?;
    }
    let left: Vec<&str> = left_cohort.iter().map(String::as_str).collect();
    set_outcome(&mut tx, engine, &campaign.id, "left_cohort", &left).await?;
    if batch.is_some() && invitees.len() != rendered_for {
        batch = if invitees.is_empty() {
            None
        } else {
            Some(chunk::render_batch(state, &campaign.team_id, &invitees, expires_at).await?)
        };
    }
    outcome.issued = invitees.len() as u64;
    if !invitees.is_empty() {
        chunk::issue(&mut tx, state, campaign, &invitees, now, expires_at).await?;
    }
    // A plan's first send counts a released record too, so its steps follow it.
    if let Some((plan, step)) = campaign.plan.history_key(&campaign.id) {
        let history = History { plan, step, channel: campaign.cohort.channel.as_str(), at: stored(now) };
        history.write(&mut tx, engine, &invitees, &skipped).await?;
    }
    if let Some(batch) = batch {
        // A batch number of its own, recorded as a chunk already done, so no
        // chunk claims it and it never lapses.
        let seq = chunks_claimed + 1;
        let first = invitees.first().map(|i| i.candidate.record_id.as_str()).unwrap_or_default();
        let last = invitees.last().map(|i| i.candidate.record_id.as_str()).unwrap_or_default();
        sqlx::query(
            "INSERT INTO campaign_chunks (campaign_id, seq, first_record_id, last_record_id, done_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&campaign.id)
        .bind(seq)
        .bind(first)
        .bind(last)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE campaigns SET chunks_claimed = $2 WHERE id = $1")
            .bind(&campaign.id)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        chunk::write_batch(&mut tx, &campaign.id, seq, batch, now).await?;
    }
    // Held records were counted in `processed` when their chunk was done.
    chunk::add_to_counts(&mut tx, &campaign.id, 0, &outcome, now).await?;
    tx.commit().await?;
    Ok(Some(Released { ended: ours.len() as u64, outcome, left_cohort: left_cohort.len() as u64 }))
}

/// Ends the holds of `record_ids` not ended yet, as released with an
/// invitation (a dropped one's outcome is corrected after); answers those
/// this transaction ended. On PostgreSQL a second instance's UPDATE waits
/// for this one and then finds them ended.
async fn end_holds(
    tx: &mut Tx,
    engine: Engine,
    campaign_id: &str,
    record_ids: &[String],
    now: OffsetDateTime,
) -> Result<BTreeSet<String>, sqlx::Error> {
    let mut ended = BTreeSet::new();
    for slice in record_ids.chunks(500) {
        let mut sql = Statement::for_engine(engine, "UPDATE campaign_held SET released_at = ");
        sql.bind(stored(now))
            .push(", outcome = 'invited' WHERE released_at IS NULL AND campaign_id = ")
            .bind(campaign_id)
            .push(" AND record_id IN ")
            .bind_list(slice.iter().map(String::as_str))
            .push(" RETURNING record_id");
        let rows: Vec<String> = sql.query_scalar()?.fetch_all(&mut **tx).await?;
        ended.extend(rows);
    }
    Ok(ended)
}

/// Of `record_ids`, those registered now, and the rest.
async fn registered_of(
    tx: &mut Tx,
    engine: Engine,
    record_ids: Vec<String>,
) -> Result<(Vec<String>, Vec<String>), sqlx::Error> {
    if record_ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut registered = BTreeSet::new();
    for slice in record_ids.chunks(500) {
        let mut sql =
            Statement::for_engine(engine, "SELECT id FROM records WHERE owner_account_id IS NOT NULL AND id IN ");
        sql.bind_list(slice.iter().map(String::as_str));
        let rows: Vec<String> = sql.query_scalar()?.fetch_all(&mut **tx).await?;
        registered.extend(rows);
    }
    Ok(record_ids.into_iter().partition(|id| registered.contains(id)))
}

/// Records why the holds of `record_ids` ended without an invitation.
async fn set_outcome(
    tx: &mut Tx,
    engine: Engine,
    campaign_id: &str,
    outcome: &str,
    record_ids: &[&str],
) -> Result<(), sqlx::Error> {
    for slice in record_ids.chunks(500) {
        let mut sql = Statement::for_engine(engine, "UPDATE campaign_held SET outcome = ");
        sql.bind(outcome)
            .push(" WHERE campaign_id = ")
            .bind(campaign_id)
            .push(" AND record_id IN ")
            .bind_list(slice.iter().copied());
        sql.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}
