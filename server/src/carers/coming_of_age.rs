//! Coming of age: when a child reaches the age their organisation sets
//! (`organisations.carer_review_age`, 16 unless changed), each parent or
//! guardian link ends, or is marked for a professional's review, as the
//! organisation's `carer_review_action` says; and the young person is
//! invited to their own record, by email if the record has an address, else
//! by text message. With neither, the job records `no_contact` and issues
//! nothing: a letter's code is shown once, when a person prints the letter,
//! so a letter issued by a job would never reach anyone; their team invites
//! them as it does anyone not yet invited.
//!
//! The date is watched by a job ([`run_every_few_minutes`]) that looks for
//! links whose `review_at` has come. It is safe with several instances at
//! once: each link moves only by a conditional UPDATE from open, so one run
//! wins it and the other finds nothing to do; and the young person's
//! invitation is guarded by one `coming_of_age` row per record, so two
//! links (two parents) or two runs invite once.

use serde_json::json;
use time::OffsetDateTime;

use super::links::{self, Ender};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::invitations::{self, Channel, IssueError, IssueRequest};
use crate::state::AppState;

/// Links one run takes; the next run takes the rest.
const BATCH: i64 = 500;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub ended: u64,
    pub marked_for_review: u64,
    pub invited: u64,
}

/// One pass over the links that have come of age by `state.now()`.
pub async fn run_once(state: &AppState) -> anyhow::Result<Outcome> {
    let now = state.now();
    let due: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT l.id, l.record_id, l.granted_by, o.carer_review_action FROM carer_links l \
         JOIN organisations o ON o.id = l.organisation_id \
         WHERE l.kind = 'parent_guardian' AND l.ended_at IS NULL AND l.review_due_since IS NULL \
         AND l.review_at <= $1 ORDER BY l.review_at, l.id LIMIT $2",
    )
    .bind(stored(now))
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    let mut outcome = Outcome::default();
    for (link_id, record_id, granted_by, action) in due {
        let mut tx = state.db.begin_write().await?;
        let moved = if action == "review" {
            mark_for_review(&mut tx, &record_id, &link_id, now).await?
        } else {
            links::end_in(&mut tx, state, &record_id, &link_id, Ender::CameOfAge, None, now).await?
        };
        if !moved {
            // Another run took it first.
            tx.rollback().await?;
            continue;
        }
        if action == "review" {
            outcome.marked_for_review += 1;
        } else {
            outcome.ended += 1;
        }
        if invite_young_person(&mut tx, state, &record_id, &granted_by, now).await? {
            outcome.invited += 1;
        }
        tx.commit().await?;
    }
    Ok(outcome)
}

async fn mark_for_review(tx: &mut Tx, record_id: &str, link_id: &str, now: OffsetDateTime) -> anyhow::Result<bool> {
    let marked = sqlx::query(
        "UPDATE carer_links SET review_due_since = $2 WHERE id = $1 AND ended_at IS NULL AND review_due_since IS NULL",
    )
    .bind(link_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if marked.rows_affected() != 1 {
        return Ok(false);
    }
    let event = Event::new(Action::CarerLinkReviewDue, now).record(record_id).detail(json!({ "link_id": link_id }));
    audit::record(tx, event).await?;
    Ok(true)
}

/// Invites the young person to their own record once per record, as the
/// professional who added the parent (`granted_by`): the invitation follows
/// from their link. Returns whether an invitation went out.
async fn invite_young_person(
    tx: &mut Tx,
    state: &AppState,
    record_id: &str,
    granted_by: &str,
    now: OffsetDateTime,
) -> anyhow::Result<bool> {
    // The claim first: a second run or a second parent's link stops here.
    let claimed = sqlx::query(
        "INSERT INTO coming_of_age (record_id, outcome, at) VALUES ($1, 'no_team', $2) ON CONFLICT (record_id) DO NOTHING",
    )
    .bind(record_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(false);
    }
    let team: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT tr.team_id, r.email, r.mobile FROM team_records tr JOIN teams t ON t.id = tr.team_id \
         JOIN records r ON r.id = tr.record_id JOIN professionals p ON p.account_id = $2 \
         WHERE tr.record_id = $1 AND t.organisation_id = p.organisation_id ORDER BY t.name, t.id LIMIT 1",
    )
    .bind(record_id)
    .bind(granted_by)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((team_id, email, mobile)) = team else { return Ok(false) };
    let present = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let channel = if present(&email) {
        Channel::Email
    } else if present(&mobile) {
        Channel::Sms
    } else {
        sqlx::query("UPDATE coming_of_age SET outcome = 'no_contact' WHERE record_id = $1")
            .bind(record_id)
            .execute(&mut **tx)
            .await?;
        return Ok(false);
    };
    let request = IssueRequest {
        record_id,
        team_id: &team_id,
        channel,
        send_to: None,
        for_account_id: None,
        issued_by: granted_by,
        ip: "coming-of-age job",
    };
    let (outcome, invitation_id) = match invitations::issue_in(tx, state, &request).await {
        Ok(issued) => ("invited", Some(issued.id)),
        Err(IssueError::AlreadyRegistered) => ("already_registered", None),
        Err(IssueError::Excluded(_)) => ("excluded", None),
        Err(IssueError::NotFound) => ("no_team", None),
        Err(IssueError::NoEmailAddress | IssueError::NoMobileNumber) => ("no_contact", None),
        Err(IssueError::Internal(err)) => return Err(err),
    };
    sqlx::query("UPDATE coming_of_age SET outcome = $2, invitation_id = $3 WHERE record_id = $1")
        .bind(record_id)
        .bind(outcome)
        .bind(&invitation_id)
        .execute(&mut **tx)
        .await?;
    Ok(invitation_id.is_some())
}

/// The job: a pass every few minutes for as long as the server runs (with
/// the carer invitations whose time is up marked expired).
pub async fn run_every_few_minutes(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(err) = super::invite::expire_due(&state.db, state.now()).await {
            tracing::warn!(error = %err, "could not expire carer invitations");
        }
        match run_once(&state).await {
            Ok(done) if done != Outcome::default() => tracing::info!(?done, "carer links came of age"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "coming-of-age job failed"),
        }
    }
}
