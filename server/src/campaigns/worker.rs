//! The campaign worker: claims chunks of running campaigns and does them,
//! until told to stop. Every instance runs one; they share the work through
//! the chunks' claims (see the module above).

use std::time::Duration;

use super::chunk::{self, Next};
use crate::state::AppState;

/// How often an idle worker looks for campaign work.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// Runs `campaign_workers` loops until `stop` turns true: while one writes a
/// chunk, another reads (or renders the letters of) the next.
pub async fn run(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    let mut loops = tokio::task::JoinSet::new();
    loops.spawn(start_due_steps_until_stopped(state.clone(), stop.clone()));
    for _ in 0..workers(&state) {
        loops.spawn(work_until_stopped(state.clone(), stop.clone()));
    }
    while loops.join_next().await.is_some() {}
}

async fn work_until_stopped(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let busy = match work_once(&state).await {
            Ok(busy) => busy,
            Err(err) => {
                tracing::warn!(error = %err, "campaigns: could not work a chunk");
                false
            }
        };
        if *stop.borrow() {
            return;
        }
        if busy {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Starts reminder plans' steps as they fall due (see `super::escalation`),
/// until told to stop. Each instance runs one; a step starts once however many look.
async fn start_due_steps_until_stopped(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(err) = super::escalation::start_due_steps(&state).await {
            tracing::warn!(error = %err, "campaigns: could not start due reminder steps");
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Claims and does one chunk, or else releases a batch of held invitations;
/// answers whether there was one.
pub async fn work_once(state: &AppState) -> anyhow::Result<bool> {
    match chunk::claim_next(state).await? {
        // With no chunk to do, held invitations whose record now has an entry go.
        Next::Idle => super::hold::release_next(state).await,
        Next::Chunk(claimed) => {
            match chunk::process(state, &claimed).await? {
                Some(outcome) => tracing::info!(
                    campaign_id = %claimed.campaign.id, seq = claimed.seq, issued = outcome.issued,
                    skipped = outcome.skipped_excluded + outcome.skipped_registered + outcome.skipped_no_contact
                        + outcome.skipped_opted_out + outcome.skipped_cap,
                    "campaign chunk done"
                ),
                None => {
                    tracing::info!(campaign_id = %claimed.campaign.id, seq = claimed.seq, "campaign chunk done elsewhere")
                }
            }
            Ok(true)
        }
    }
}

/// Works with `campaign_workers` loops until no campaign has anything to
/// claim now (benches); answers how many chunks were done.
pub async fn work_until_idle(state: &AppState) -> anyhow::Result<u64> {
    let mut loops = tokio::task::JoinSet::new();
    for _ in 0..workers(state) {
        let state = state.clone();
        loops.spawn(async move {
            let mut chunks = 0;
            while work_once(&state).await? {
                chunks += 1;
            }
            anyhow::Ok(chunks)
        });
    }
    let mut chunks = 0;
    while let Some(done) = loops.join_next().await {
        chunks += done??;
    }
    Ok(chunks)
}

/// Chunk workers for this instance. SQLite has one writer: a second worker
/// would only queue for the write lock (and, measured under load, outwait
/// the busy timeout), so it gets one.
fn workers(state: &AppState) -> usize {
    match state.db.engine {
        crate::db::Engine::Sqlite => 1,
        crate::db::Engine::Postgres => state.settings.campaign_workers.clamp(1, 16),
    }
}
