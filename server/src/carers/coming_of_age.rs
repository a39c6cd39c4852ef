//! Growing up: as a child reaches each of their organisation's age bands
//! ([`super::bands`]), each parent's or guardian's link narrows, is marked
//! for a professional's review, or ends; three months before each band the
//! parent is warned by email; and at the organisation's invitation age
//! (`organisations.carer_invite_age`) the young person is invited to their
//! own record, by email if the record has an address, else by text message.
//! With neither, the job records `no_contact` and issues nothing: a letter's
//! code is shown once, when a person prints the letter, so a letter issued
//! by a job would never reach anyone; their team invites them as it does
//! anyone not yet invited.
//!
//! The dates are watched by a job ([`run_every_few_minutes`]). It is safe
//! with several instances at once: a link moves only by a conditional UPDATE
//! from the state it was read in (open, with the same next band and day), so
//! one run wins it and the other finds nothing to do; each warning is
//! guarded by one `carer_band_warnings` row per link and band, written with
//! its email; and the young person's invitation by one `coming_of_age` row
//! per record, so two links (two parents) or two runs invite once. Each
//! link, warning and invitation is one transaction: a crash loses or doubles
//! nothing.

use std::collections::HashMap;

use portico_types::DateOfBirth;
use serde_json::json;
use time::OffsetDateTime;

use super::AccessLevel;
use super::bands::{self, Bands, Effect};
use super::links::{self, Ender};
use super::settings;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::invitations::{self, Channel, IssueError, IssueRequest};
use crate::mail::templates::{CarerAccessChange, CarerBandNotice};
use crate::notifications::send::{self, BandNotice};
use crate::state::AppState;

/// Links (or records) one pass takes; the next run takes the rest.
const BATCH: i64 = 500;

/// How long before a band the parent is warned.
pub const WARNING_MONTHS: u8 = 3;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub ended: u64,
    pub narrowed: u64,
    pub marked_for_review: u64,
    pub warned: u64,
    pub invited: u64,
}

/// One pass over the bands, warnings and invitations due by `state.now()`.
pub async fn run_once(state: &AppState) -> anyhow::Result<Outcome> {
    let now = state.now();
    let mut outcome = Outcome::default();
    apply_bands(state, now, &mut outcome).await?;
    warn_parents(state, now, &mut outcome).await?;
    invite_young_people(state, now, &mut outcome).await?;
    Ok(outcome)
}

/// Organisations' bands, read once per run.
#[derive(Default)]
struct BandsCache(HashMap<String, Bands>);

impl BandsCache {
    async fn of(&mut self, state: &AppState, organisation_id: &str) -> Result<&Bands, sqlx::Error> {
        if !self.0.contains_key(organisation_id) {
            let bands = settings::bands_of(&state.db, organisation_id).await?;
            self.0.insert(organisation_id.to_owned(), bands);
        }
        Ok(&self.0[organisation_id])
    }
}

fn born(stored_birth: &str) -> anyhow::Result<time::Date> {
    DateOfBirth::from_stored(stored_birth).map(|b| b.date()).map_err(|e| anyhow::anyhow!("stored date of birth: {e}"))
}

/// A parent's link whose next band's day (or a professional's later day) has come.
type DueLink = (String, String, String, String, String, String, i64, String);

async fn apply_bands(state: &AppState, now: OffsetDateTime, outcome: &mut Outcome) -> anyhow::Result<()> {
    let due: Vec<DueLink> = sqlx::query_as(
        "SELECT l.id, l.record_id, l.organisation_id, l.access_level, l.starts_at, l.review_at, l.next_band_age, \
         r.date_of_birth FROM carer_links l JOIN records r ON r.id = l.record_id \
         WHERE l.kind = 'parent_guardian' AND l.ended_at IS NULL AND l.next_band_age IS NOT NULL \
         AND l.review_at <= $1 ORDER BY l.review_at, l.id LIMIT $2",
    )
    .bind(stored(now))
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cache = BandsCache::default();
    for (link_id, record_id, organisation_id, level, starts_at, review_at, read_next, birth) in due {
        let bands = cache.of(state, &organisation_id).await?.clone();
        let born = born(&birth)?;
        let starts = crate::clock::parse_stored(&starts_at).unwrap_or(now);
        let level = AccessLevel::parse(&level).unwrap_or(AccessLevel::NotPrivate);
        let from = u8::try_from(read_next).unwrap_or(bands.end().age);
        let due = bands.due(from, born, now);
        let mut tx = state.db.begin_write().await?;
        let effect = due.effect(level, born, starts);
        let moved = match effect {
            Effect::Ends => links::end_in(&mut tx, state, &record_id, &link_id, Ender::CameOfAge, None, now).await?,
            Effect::Nothing | Effect::Continues { .. } => {
                let (new_level, review, through) = match effect {
                    Effect::Continues { level, review, through } => (level, review, Some(through)),
                    _ => (level, false, None),
                };
                // Where the link goes next: the band still ahead (the last
                // ends access, so there is one while the link is open).
                let (next_age, next_day) = match due.next {
                    Some((band, day)) => (Some(i64::from(band.age)), Some(stored(day))),
                    None => (None, None),
                };
                let moved = sqlx::query(
                    "UPDATE carer_links SET access_level = $3, \
                     review_due_since = CASE WHEN $4 = 1 THEN COALESCE(review_due_since, $5) ELSE review_due_since END, \
                     band_age = COALESCE($6, band_age), next_band_age = $7, review_at = COALESCE($8, review_at), \
                     extended_until = NULL, extension_reason = NULL, extended_by = NULL \
                     WHERE id = $1 AND ended_at IS NULL AND review_at = $2 AND next_band_age = $9",
                )
                .bind(&link_id)
                .bind(&review_at)
                .bind(new_level.as_str())
                .bind(i64::from(review))
                .bind(stored(now))
                .bind(through.map(i64::from))
                .bind(next_age)
                .bind(next_day)
                .bind(read_next)
                .execute(&mut *tx)
                .await?;
                moved.rows_affected() == 1
            }
        };
        if !moved {
            // Another run took it first.
            tx.rollback().await?;
            continue;
        }
        match effect {
            Effect::Ends => outcome.ended += 1,
            Effect::Continues { level: new_level, review, through } => {
                if new_level != level {
                    outcome.narrowed += 1;
                    let detail = json!({ "link_id": link_id, "from": level.as_str(), "to": new_level.as_str(), "band_age": through });
                    audit::record(
                        &mut tx,
                        Event::new(Action::CarerLinkNarrowed, now).record(&record_id).detail(detail),
                    )
                    .await?;
                    let given_name: String = sqlx::query_scalar("SELECT given_name FROM records WHERE id = $1")
                        .bind(&record_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let carer: String = sqlx::query_scalar("SELECT carer_account_id FROM carer_links WHERE id = $1")
                        .bind(&link_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let changed = CarerAccessChange::Changed;
                    send::carer_access(&mut tx, state, &carer, &record_id, &given_name, changed, &link_id, now).await?;
                }
                if review {
                    outcome.marked_for_review += 1;
                    let detail = json!({ "link_id": link_id, "band_age": through });
                    audit::record(
                        &mut tx,
                        Event::new(Action::CarerLinkReviewDue, now).record(&record_id).detail(detail),
                    )
                    .await?;
                }
            }
            Effect::Nothing => {}
        }
        tx.commit().await?;
    }
    Ok(())
}

/// A parent's link whose next band is within [`WARNING_MONTHS`] and not yet warned of.
type WarnLink = (String, String, String, String, String, i64);

async fn warn_parents(state: &AppState, now: OffsetDateTime, outcome: &mut Outcome) -> anyhow::Result<()> {
    let horizon = bands::add_months(now.date(), WARNING_MONTHS).with_time(now.time()).assume_utc();
    let due: Vec<WarnLink> = sqlx::query_as(
        "SELECT l.id, l.record_id, l.organisation_id, l.carer_account_id, l.review_at, l.next_band_age \
         FROM carer_links l WHERE l.kind = 'parent_guardian' AND l.ended_at IS NULL \
         AND l.next_band_age IS NOT NULL AND l.review_at > $1 AND l.review_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM carer_band_warnings w WHERE w.link_id = l.id AND w.band_age = l.next_band_age) \
         ORDER BY l.review_at, l.id LIMIT $3",
    )
    .bind(stored(now))
    .bind(stored(horizon))
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cache = BandsCache::default();
    for (link_id, record_id, organisation_id, carer, review_at, band_age) in due {
        let bands = cache.of(state, &organisation_id).await?;
        let Some(band) = u8::try_from(band_age).ok().and_then(|age| bands.at(age)) else {
            // The bands changed under it: the job moves it when its day comes.
            continue;
        };
        let on = crate::clock::parse_stored(&review_at).map_or(now.date(), |at| at.date());
        let mut tx = state.db.begin_write().await?;
        // The claim first: a second run stops here.
        let claimed = sqlx::query(
            "INSERT INTO carer_band_warnings (link_id, band_age, change_at, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (link_id, band_age) DO NOTHING",
        )
        .bind(&link_id)
        .bind(band_age)
        .bind(&review_at)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            continue;
        }
        let given_name: String = sqlx::query_scalar("SELECT given_name FROM records WHERE id = $1")
            .bind(&record_id)
            .fetch_one(&mut *tx)
            .await?;
        let key = format!("carer-band-warning:{link_id}:{band_age}");
        let notice = BandNotice {
            carer_account_id: &carer,
            record_id: &record_id,
            patient_given_name: &given_name,
            notice: CarerBandNotice::Warning,
            becomes: band.becomes.as_str(),
            on,
            key: &key,
        };
        send::carer_band(&mut tx, state, notice, now).await?;
        tx.commit().await?;
        outcome.warned += 1;
    }
    Ok(())
}

/// The records whose young person reached their organisation's invitation
/// age, with a parent's link that is open or that the bands ended, and no
/// `coming_of_age` row yet: each invited once.
async fn invite_young_people(state: &AppState, now: OffsetDateTime, outcome: &mut Outcome) -> anyhow::Result<()> {
    let organisations: Vec<(String, i64)> = sqlx::query_as(
        "SELECT o.id, o.carer_invite_age FROM organisations o WHERE EXISTS \
         (SELECT 1 FROM carer_links l WHERE l.organisation_id = o.id AND l.kind = 'parent_guardian')",
    )
    .fetch_all(&state.db.pool)
    .await?;
    for (organisation_id, invite_age) in organisations {
        let cutoff = bands::born_by(now.date(), u8::try_from(invite_age).unwrap_or(16));
        let due: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.record_id, MIN(l.granted_by) FROM carer_links l JOIN records r ON r.id = l.record_id \
             WHERE l.kind = 'parent_guardian' AND l.organisation_id = $1 \
             AND (l.ended_at IS NULL OR l.ended_how = 'came_of_age') AND r.date_of_birth <= $2 \
             AND NOT EXISTS (SELECT 1 FROM coming_of_age c WHERE c.record_id = l.record_id) \
             GROUP BY l.record_id ORDER BY l.record_id LIMIT $3",
        )
        .bind(&organisation_id)
        .bind(format!("{:04}-{:02}-{:02}", cutoff.year(), u8::from(cutoff.month()), cutoff.day()))
        .bind(BATCH)
        .fetch_all(&state.db.pool)
        .await?;
        for (record_id, granted_by) in due {
            let mut tx = state.db.begin_write().await?;
            if invite_young_person(&mut tx, state, &record_id, &granted_by, now).await? {
                outcome.invited += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(())
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
