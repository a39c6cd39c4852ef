//! One chunk of a campaign: claimed with a lease, then finished in one
//! transaction (see the module above for why that makes a campaign safe to
//! kill at any point).

use portico_letters::Letter;
use portico_types::{EmailAddress, InvitationCode, MobileNumber};
use serde_json::json;
use time::OffsetDateTime;

use super::cohort::{CampaignChannel, Cohort, ListSource, Registration, WithoutEntries};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Engine, Statement, Tx};
use crate::invitations::{self, CODE_PURPOSE, letter};
use crate::mail::templates;
use crate::sms;
use crate::state::AppState;

/// A running campaign, as a worker needs it.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: String,
    pub team_id: String,
    pub team_name: String,
    pub cohort: Cohort,
    pub created_by: String,
    pub plan: PlanRole,
}

/// A campaign's part in a reminder plan (see `super::escalation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanRole {
    /// No plan.
    None,
    /// The plan's own campaign: its chunks write the plan's step 0.
    First,
    /// Step `step` of campaign `root`'s plan.
    Step { root: String, step: i64, max_messages: i64 },
}

impl PlanRole {
    pub(super) fn of(plan_of: Option<String>, plan_step: Option<i64>, max_messages: Option<i64>) -> Self {
        match (plan_of, plan_step, max_messages) {
            (Some(root), Some(step), Some(max_messages)) => Self::Step { root, step, max_messages },
            (None, _, Some(_)) => Self::First,
            _ => Self::None,
        }
    }

    /// Where its chunks' history goes: the plan's campaign and the step.
    pub(super) fn history_key<'a>(&'a self, campaign_id: &'a str) -> Option<(&'a str, i64)> {
        match self {
            Self::None => None,
            Self::First => Some((campaign_id, 0)),
            Self::Step { root, step, .. } => Some((root.as_str(), *step)),
        }
    }
}

impl Campaign {
    fn list(&self) -> ListSource<'_> {
        if self.cohort.listed { ListSource::Campaign(&self.id) } else { ListSource::None }
    }

    /// Whether its chunks hold, rather than invite, records with no entry yet.
    /// A plan's steps never do: their cohort is those the first send counted.
    pub(super) fn holds_without_entries(&self) -> bool {
        self.cohort.without_entries == WithoutEntries::Hold && !matches!(self.plan, PlanRole::Step { .. })
    }

    /// A reminder (a plan's step, or a reminder cohort): a patient's opt-out stops it.
    fn is_reminder(&self) -> bool {
        matches!(self.plan, PlanRole::Step { .. }) || matches!(self.cohort.registration, Registration::Reminder { .. })
    }

    /// The cohort's filters, plus (for reminders) leaving out those who have
    /// had all their reminders: they are not counted in the campaign at all.
    /// A plan's step takes the plan's cohort: every record its first send counted.
    pub(super) fn push_filters(&self, sql: &mut Statement) {
        if let PlanRole::Step { root, .. } = &self.plan {
            sql.push(" AND tr.team_id = ")
                .bind(self.team_id.as_str())
                .push(" AND EXISTS (SELECT 1 FROM reminder_history h WHERE h.campaign_id = ")
                .bind(root.as_str())
                .push(" AND h.step = 0 AND h.record_id = r.id)");
            return;
        }
        self.cohort.push_filters(sql, &self.team_id, &self.list());
        if let Some(capped) = self.cohort.reminder_cap_sql() {
            sql.push(" AND NOT ").push(&capped);
        }
    }
}

/// A chunk this worker holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub campaign: Campaign,
    pub seq: i64,
    pub first_record_id: String,
    pub last_record_id: String,
    token: String,
}

/// What a worker found to do.
#[derive(Debug)]
pub enum Next {
    Chunk(Box<Claimed>),
    /// Nothing to do now (no running campaign, or each is waiting for its messages to go).
    Idle,
}

type CampaignRow = (String, String, String, String, String, String, i64, Option<String>, Option<i64>, Option<i64>);

/// Claims the next chunk of any running campaign: one whose lease ran out
/// first, else the next records after those already claimed. A campaign
/// with nothing left to claim and no chunk open is marked finished.
pub async fn claim_next(state: &AppState) -> Result<Next, sqlx::Error> {
    let now = state.now();
    let running: Vec<CampaignRow> = sqlx::query_as(
        "SELECT c.id, c.team_id, t.name, c.cohort, c.created_by, c.claimed_through, c.chunks_claimed, c.plan_of, \
         c.plan_step, c.max_messages FROM campaigns c \
         JOIN teams t ON t.id = c.team_id WHERE c.state = 'running' ORDER BY c.updated_at, c.id LIMIT 20",
    )
    .fetch_all(&state.db.pool)
    .await?;
    for (id, team_id, team_name, cohort, created_by, _, _, plan_of, plan_step, max_messages) in running {
        let Ok(cohort) = serde_json::from_str::<Cohort>(&cohort) else {
            tracing::error!(campaign_id = %id, "campaign cohort unreadable: skipped");
            continue;
        };
        let plan = PlanRole::of(plan_of, plan_step, max_messages);
        let campaign = Campaign { id, team_id, team_name, cohort, created_by, plan };
        let backlog = state.settings.campaign_backlog;
        if backlog > 0
            && campaign.cohort.channel != CampaignChannel::Letter
            && waiting_messages(&state.db, &campaign.id, backlog).await? >= backlog
        {
            continue;
        }
        if let Some(claimed) = claim_in(state, &campaign, now).await? {
            return Ok(Next::Chunk(Box::new(claimed)));
        }
    }
    Ok(Next::Idle)
}

/// The campaign's messages waiting to go, counted up to `at_most` (a count
/// that grew with the campaign would make each chunk slower than the last).
async fn waiting_messages(db: &Db, campaign_id: &str, at_most: u64) -> Result<u64, sqlx::Error> {
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE campaign_id = $1 AND sent_at IS NULL AND gave_up_at IS NULL \
         LIMIT $2) AS waiting",
    )
    .bind(campaign_id)
    .bind(i64::try_from(at_most).unwrap_or(i64::MAX))
    .fetch_one(&db.pool)
    .await?;
    Ok(u64::try_from(waiting).unwrap_or(0))
}

async fn claim_in(state: &AppState, campaign: &Campaign, now: OffsetDateTime) -> Result<Option<Claimed>, sqlx::Error> {
    let db = &state.db;
    let token = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin_write().await?;
    // The campaign row is the lock that orders claims (SQLite's write lock already does).
    let locked: Option<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT state, claimed_through, chunks_claimed FROM campaigns WHERE id = $1{}",
        db.engine.for_update()
    )))
    .bind(&campaign.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((state_now, claimed_through, chunks_claimed)) = locked else { return Ok(None) };
    if state_now != "running" {
        return Ok(None);
    }
    // A chunk whose worker died (or stalled past its lease) first.
    // A chunk still being written by a stalled worker is skipped, not waited
    // for: its worker holds the chunk's row and then wants the campaign's.
    let skip_locked = if db.engine == Engine::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let lapsed: Option<(i64, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT seq, first_record_id, last_record_id FROM campaign_chunks \
         WHERE campaign_id = $1 AND done_at IS NULL AND claimed_until <= $2 ORDER BY seq LIMIT 1{skip_locked}"
    )))
    .bind(&campaign.id)
    .bind(stored(now))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((seq, first_record_id, last_record_id)) = lapsed {
        sqlx::query(
            "UPDATE campaign_chunks SET claim_token = $3, claimed_until = $4 WHERE campaign_id = $1 AND seq = $2",
        )
        .bind(&campaign.id)
        .bind(seq)
        .bind(&token)
        .bind(stored(now + state.settings.claim_lease()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(campaign_id = %campaign.id, seq, "campaign chunk taken over after its lease ran out");
        return Ok(Some(Claimed { campaign: campaign.clone(), seq, first_record_id, last_record_id, token }));
    }
    let mut next = Statement::for_engine(
        db.engine,
        "SELECT tr.record_id FROM team_records tr JOIN records r ON r.id = tr.record_id WHERE tr.record_id > ",
    );
    next.bind(claimed_through);
    campaign.push_filters(&mut next);
    next.push(" ORDER BY tr.record_id LIMIT ")
        .bind(i64::try_from(state.settings.campaign_chunk_size.clamp(1, 10_000)).unwrap_or(1_000));
    let ids: Vec<String> = next.query_scalar()?.fetch_all(&mut *tx).await?;
    let (Some(first_record_id), Some(last_record_id)) = (ids.first().cloned(), ids.last().cloned()) else {
        finish_if_done(&mut tx, campaign, now).await?;
        tx.commit().await?;
        return Ok(None);
    };
    let seq = chunks_claimed + 1;
    sqlx::query(
        "INSERT INTO campaign_chunks (campaign_id, seq, first_record_id, last_record_id, claim_token, claimed_until) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&campaign.id)
    .bind(seq)
    .bind(&first_record_id)
    .bind(&last_record_id)
    .bind(&token)
    .bind(stored(now + state.settings.claim_lease()))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE campaigns SET claimed_through = $2, chunks_claimed = $3, updated_at = $4 WHERE id = $1")
        .bind(&campaign.id)
        .bind(&last_record_id)
        .bind(seq)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(Claimed { campaign: campaign.clone(), seq, first_record_id, last_record_id, token }))
}

/// Marks the campaign finished when every chunk it claimed is done and
/// none of its messages waits to go (until then it can still be paused).
async fn finish_if_done(tx: &mut Tx, campaign: &Campaign, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let open: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM campaign_chunks WHERE campaign_id = $1 AND done_at IS NULL) + \
         (SELECT count(*) FROM outbox WHERE campaign_id = $1 AND sent_at IS NULL AND gave_up_at IS NULL)",
    )
    .bind(&campaign.id)
    .fetch_one(&mut **tx)
    .await?;
    if open > 0 {
        return Ok(());
    }
    let finished = sqlx::query(
        "UPDATE campaigns SET state = 'finished', finished_at = $2, updated_at = $2 WHERE id = $1 AND state = 'running'",
    )
    .bind(&campaign.id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if finished.rows_affected() == 1 {
        let event = Event::new(Action::CampaignFinished, now)
            .team(&campaign.team_id)
            .detail(json!({ "campaign_id": campaign.id }));
        audit::record(tx, event).await?;
    }
    Ok(())
}

/// A cohort record in the chunk, with what decides whether it can be invited.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) record_id: String,
    given_name: String,
    family_name: String,
    address_lines: Option<String>,
    postcode: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    pub(super) registered: bool,
    pub(super) excluded: bool,
    /// The patient asked for no more reminders.
    opted_out: bool,
    /// Messages the record's plan sent it so far (a plan's steps only).
    plan_sent: i64,
    /// Whether the record has an entry (read only when the cohort holds those without).
    has_entry: bool,
}

type CandidateRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);

/// One record to invite, with where the message goes.
#[derive(Debug, Clone)]
pub(super) struct Invitee {
    pub(super) candidate: Candidate,
    send_to: Option<SendTo>,
    code: InvitationCode,
    invitation_id: String,
}

impl Invitee {
    /// `candidate`, with a fresh code, if the record has what `channel`
    /// needs; if not, the record's id.
    pub(super) fn of(channel: CampaignChannel, candidate: Candidate) -> Result<Self, String> {
        match contact_for(channel, &candidate) {
            Some(send_to) => Ok(Self {
                send_to,
                code: invitations::new_code(),
                invitation_id: uuid::Uuid::now_v7().to_string(),
                candidate,
            }),
            None => Err(candidate.record_id),
        }
    }
}

#[derive(Debug, Clone)]
enum SendTo {
    Email(EmailAddress),
    Mobile(MobileNumber),
}

/// What became of a chunk's records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOutcome {
    pub issued: u64,
    pub skipped_excluded: u64,
    pub skipped_registered: u64,
    pub skipped_no_contact: u64,
    pub skipped_opted_out: u64,
    pub skipped_cap: u64,
    /// Held until the record has an entry (the cohort holds those without).
    pub held: u64,
}

/// Why a record was not sent this time, as the plan's history (and a
/// released hold) keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skip {
    Registered,
    Excluded,
    OptedOut,
    Cap,
    NoContact,
}

impl Skip {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Excluded => "excluded",
            Self::OptedOut => "opted_out",
            Self::Cap => "cap",
            Self::NoContact => "no_contact",
        }
    }
}

impl ChunkOutcome {
    pub(super) fn count(&mut self, skip: Skip) {
        match skip {
            Skip::Registered => self.skipped_registered += 1,
            Skip::Excluded => self.skipped_excluded += 1,
            Skip::OptedOut => self.skipped_opted_out += 1,
            Skip::Cap => self.skipped_cap += 1,
            Skip::NoContact => self.skipped_no_contact += 1,
        }
    }

    fn skipped(&self) -> u64 {
        self.skipped_excluded
            + self.skipped_registered
            + self.skipped_no_contact
            + self.skipped_opted_out
            + self.skipped_cap
    }
}

/// Sorts `candidates` into those to invite now, those to hold until their
/// record has an entry, and those a stop rule or a missing contact leaves out.
pub(super) fn sort(campaign: &Campaign, candidates: Vec<Candidate>, outcome: &mut ChunkOutcome) -> Sorted {
    let mut sorted = Sorted { invitees: Vec::with_capacity(candidates.len()), held: Vec::new(), skipped: Vec::new() };
    for candidate in candidates {
        let skip = match stop_rule(campaign, &candidate) {
            Some(skip) => skip,
            None => match Invitee::of(campaign.cohort.channel, candidate) {
                Ok(invitee) if campaign.holds_without_entries() && !invitee.candidate.has_entry => {
                    sorted.held.push(invitee.candidate.record_id);
                    continue;
                }
                Ok(invitee) => {
                    sorted.invitees.push(invitee);
                    continue;
                }
                Err(record_id) => {
                    outcome.count(Skip::NoContact);
                    sorted.skipped.push((record_id, Skip::NoContact));
                    continue;
                }
            },
        };
        outcome.count(skip);
        sorted.skipped.push((candidate.record_id, skip));
    }
    outcome.held = sorted.held.len() as u64;
    sorted
}

/// A chunk's records, sorted.
pub(super) struct Sorted {
    pub(super) invitees: Vec<Invitee>,
    pub(super) held: Vec<String>,
    pub(super) skipped: Vec<(String, Skip)>,
}

/// The first stop rule a record meets, before its contact is looked at:
/// excluded, registered, then (reminders) opted out and the plan's cap.
fn stop_rule(campaign: &Campaign, candidate: &Candidate) -> Option<Skip> {
    if candidate.excluded {
        Some(Skip::Excluded)
    } else if candidate.registered {
        Some(Skip::Registered)
    } else if campaign.is_reminder() && candidate.opted_out {
        Some(Skip::OptedOut)
    } else if let PlanRole::Step { max_messages, .. } = &campaign.plan
        && candidate.plan_sent >= *max_messages
    {
        Some(Skip::Cap)
    } else {
        None
    }
}

/// Does a claimed chunk: reads and sorts its records, renders a letter
/// campaign's batch outside any transaction, then writes everything in one.
/// `Ok(None)`: nothing was written (the campaign was cancelled, or another
/// worker finished the chunk after this one's lease ran out).
pub async fn process(state: &AppState, claimed: &Claimed) -> anyhow::Result<Option<ChunkOutcome>> {
    let now = state.now();
    let campaign = &claimed.campaign;
    let candidates = read_candidates(&state.db, claimed).await?;
    let mut outcome = ChunkOutcome::default();
    let Sorted { mut invitees, held, mut skipped } = sort(campaign, candidates, &mut outcome);
    let expires_at = now + state.settings.invitations.lifetime(campaign.cohort.channel.invitation_channel());
    let mut batch = match campaign.cohort.channel {
        CampaignChannel::Letter if !invitees.is_empty() => {
            Some(render_batch(state, &campaign.team_id, &invitees, expires_at).await?)
        }
        _ => None,
    };

    let mut tx = state.db.begin_write().await?;
    let ours = sqlx::query(
        "UPDATE campaign_chunks SET done_at = $3, claimed_until = NULL WHERE campaign_id = $1 AND seq = $2 \
         AND done_at IS NULL AND claim_token = $4",
    )
    .bind(&campaign.id)
    .bind(claimed.seq)
    .bind(stored(now))
    .bind(&claimed.token)
    .execute(&mut *tx)
    .await?;
    if ours.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let dropped = drop_changed(&mut tx, state.db.engine, &mut invitees, &mut outcome, &mut skipped).await?;
    if dropped > 0 && batch.is_some() {
        batch = if invitees.is_empty() {
            None
        } else {
            Some(render_batch(state, &campaign.team_id, &invitees, expires_at).await?)
        };
    }
    outcome.issued = invitees.len() as u64;
    if !invitees.is_empty() {
        issue(&mut tx, state, campaign, &invitees, now, expires_at).await?;
    }
    if let Some((plan, step)) = campaign.plan.history_key(&campaign.id) {
        let history = History { plan, step, channel: campaign.cohort.channel.as_str(), at: stored(now) };
        history.write(&mut tx, state.db.engine, &invitees, &skipped).await?;
    }
    if let Some(batch) = batch {
        write_batch(&mut tx, &campaign.id, claimed.seq, batch, now).await?;
    }
    if !held.is_empty() {
        super::hold::hold(&mut tx, state.db.engine, &campaign.id, &held, now).await?;
    }
    let processed = outcome.issued + outcome.skipped() + outcome.held;
    // Last, so the campaign's row is locked only for the commit; and it says
    // whether the campaign was cancelled meanwhile (then nothing is written:
    // a cancel either saw this chunk's messages and gave them up, or waits).
    let state_now = add_to_counts(&mut tx, &campaign.id, processed, &outcome, now).await?;
    if state_now == "cancelled" {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(outcome))
}

/// Adds `outcome` (and `processed` records worked through) to the
/// campaign's counts; answers the campaign's state.
pub(super) async fn add_to_counts(
    tx: &mut Tx,
    campaign_id: &str,
    processed: u64,
    outcome: &ChunkOutcome,
    now: OffsetDateTime,
) -> Result<String, sqlx::Error> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    sqlx::query_scalar(
        "UPDATE campaigns SET processed = processed + $2, issued = issued + $3, skipped_excluded = skipped_excluded + $4, \
         skipped_registered = skipped_registered + $5, skipped_no_contact = skipped_no_contact + $6, updated_at = $7, \
         skipped_opted_out = skipped_opted_out + $8, skipped_cap = skipped_cap + $9 WHERE id = $1 RETURNING state",
    )
    .bind(campaign_id)
    .bind(n(processed))
    .bind(n(outcome.issued))
    .bind(n(outcome.skipped_excluded))
    .bind(n(outcome.skipped_registered))
    .bind(n(outcome.skipped_no_contact))
    .bind(stored(now))
    .bind(n(outcome.skipped_opted_out))
    .bind(n(outcome.skipped_cap))
    .fetch_one(&mut **tx)
    .await
}

async fn read_candidates(db: &Db, claimed: &Claimed) -> Result<Vec<Candidate>, sqlx::Error> {
    read_candidates_where(db, &claimed.campaign, |sql| {
        sql.push("tr.record_id >= ")
            .bind(claimed.first_record_id.as_str())
            .push(" AND tr.record_id <= ")
            .bind(claimed.last_record_id.as_str());
    })
    .await
}

/// The campaign's cohort records that `scope` (SQL on `tr` and `r`) picks, in record id order.
pub(super) async fn read_candidates_where(
    db: &Db,
    campaign: &Campaign,
    scope: impl FnOnce(&mut Statement),
) -> Result<Vec<Candidate>, sqlx::Error> {
    let mut sql = Statement::for_engine(
        db.engine,
        "SELECT r.id, r.given_name, r.family_name, r.address_lines, r.postcode, r.email, r.mobile, r.owner_account_id, \
         x.record_id, ",
    );
    // Only reminders read the opt-outs and the plan's messages so far.
    sql.push(if campaign.is_reminder() {
        "(SELECT o.record_id FROM reminder_opt_outs o WHERE o.record_id = r.id), "
    } else {
        "CAST(NULL AS TEXT), "
    });
    match &campaign.plan {
        PlanRole::Step { root, .. } => {
            sql.push("(SELECT count(*) FROM reminder_history s WHERE s.campaign_id = ")
                .bind(root.as_str())
                .push(" AND s.record_id = r.id AND s.outcome = 'sent'), ");
        }
        _ => {
            sql.push("CAST(0 AS BIGINT), ");
        }
    }
    // Only a cohort that holds records without entries looks for one.
    sql.push(if campaign.holds_without_entries() {
        "(SELECT e.record_id FROM entries e WHERE e.record_id = r.id LIMIT 1)"
    } else {
        "CAST(NULL AS TEXT)"
    });
    sql.push(
        " FROM team_records tr JOIN records r ON r.id = tr.record_id \
         LEFT JOIN exclusions x ON x.record_id = r.id WHERE ",
    );
    scope(&mut sql);
    campaign.push_filters(&mut sql);
    sql.push(" ORDER BY tr.record_id");
    let rows: Vec<CandidateRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                record_id,
                given_name,
                family_name,
                address_lines,
                postcode,
                email,
                mobile,
                owner,
                excluded,
                opted_out,
                plan_sent,
                entry,
            )| {
                Candidate {
                    opted_out: opted_out.is_some(),
                    plan_sent,
                    record_id,
                    given_name,
                    family_name,
                    address_lines,
                    postcode,
                    email,
                    mobile,
                    registered: owner.is_some(),
                    excluded: excluded.is_some(),
                    has_entry: entry.is_some(),
                }
            },
        )
        .collect())
}

/// Where the invitation goes on `channel`, if the record has it.
fn contact_for(channel: CampaignChannel, candidate: &Candidate) -> Option<Option<SendTo>> {
    let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    match channel {
        CampaignChannel::Letter => {
            (present(&candidate.address_lines).is_some() && present(&candidate.postcode).is_some()).then_some(None)
        }
        CampaignChannel::Sms => {
            present(&candidate.mobile).and_then(|m| MobileNumber::parse(&m).ok()).map(|m| Some(SendTo::Mobile(m)))
        }
        CampaignChannel::Email => {
            present(&candidate.email).and_then(|e| EmailAddress::parse(&e).ok()).map(|e| Some(SendTo::Email(e)))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Excluded,
    Registered,
}

/// Leaves out of `invitees` those excluded, or registered, since they were
/// read (checked again under the transaction that issues), counted in
/// `outcome` and added to `skipped`; answers how many.
pub(super) async fn drop_changed(
    tx: &mut Tx,
    engine: Engine,
    invitees: &mut Vec<Invitee>,
    outcome: &mut ChunkOutcome,
    skipped: &mut Vec<(String, Skip)>,
) -> Result<usize, sqlx::Error> {
    let changed = changed_since_read(tx, engine, invitees).await?;
    if !changed.is_empty() {
        invitees.retain(|invitee| {
            let skip = match changed.iter().find(|(id, _)| *id == invitee.candidate.record_id) {
                Some((_, Change::Excluded)) => Skip::Excluded,
                Some((_, Change::Registered)) => Skip::Registered,
                None => return true,
            };
            outcome.count(skip);
            skipped.push((invitee.candidate.record_id.clone(), skip));
            false
        });
    }
    Ok(changed.len())
}

async fn changed_since_read(
    tx: &mut Tx,
    engine: Engine,
    invitees: &[Invitee],
) -> Result<Vec<(String, Change)>, sqlx::Error> {
    let mut changed = Vec::new();
    for slice in invitees.chunks(500) {
        let mut sql = Statement::for_engine(
            engine,
            "SELECT r.id, x.record_id, r.owner_account_id FROM records r LEFT JOIN exclusions x ON x.record_id = r.id \
             WHERE (x.record_id IS NOT NULL OR r.owner_account_id IS NOT NULL) AND r.id IN ",
        );
        sql.bind_list(slice.iter().map(|invitee| invitee.candidate.record_id.as_str()));
        let rows: Vec<(String, Option<String>, Option<String>)> = sql.query_as()?.fetch_all(&mut **tx).await?;
        changed.extend(
            rows.into_iter()
                .map(|(id, excluded, _)| (id, if excluded.is_some() { Change::Excluded } else { Change::Registered })),
        );
    }
    Ok(changed)
}

/// Writes the chunk's invitations, their audit events and their messages;
/// live invitations of the same records on the same channel are replaced,
/// as when one is issued at the desk.
pub(super) async fn issue(
    tx: &mut Tx,
    state: &AppState,
    campaign: &Campaign,
    invitees: &[Invitee],
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> anyhow::Result<()> {
    let engine = state.db.engine;
    let channel = campaign.cohort.channel.invitation_channel();
    let record_ids: Vec<&str> = invitees.iter().map(|i| i.candidate.record_id.as_str()).collect();
    invitations::revoke_live_of_many(tx, engine, &record_ids, channel, &campaign.created_by, now).await?;

    let per_statement = engine.rows_per_statement(12);
    for slice in invitees.chunks(per_statement) {
        let mut insert = Statement::for_engine(
            engine,
            "INSERT INTO invitations (id, record_id, team_id, channel, code_hash, state, sent_to, issued_by, issued_at, \
             expires_at, updated_at, campaign_id) ",
        );
        insert.values(slice, |row, invitee| {
            let sent_to = invitee.send_to.as_ref().map(|to| match to {
                SendTo::Email(email) => email.as_str().to_owned(),
                SendTo::Mobile(mobile) => mobile.e164().to_owned(),
            });
            row.bind(invitee.invitation_id.as_str())
                .bind(invitee.candidate.record_id.as_str())
                .bind(campaign.team_id.as_str())
                .bind(channel.as_str())
                .bind(state.keys.code_hash(CODE_PURPOSE, invitee.code.as_str()))
                .bind("issued")
                .bind(sent_to)
                .bind(campaign.created_by.as_str())
                .bind(stored(now))
                .bind(stored(expires_at))
                .bind(stored(now))
                .bind(campaign.id.as_str());
        });
        // A clash of codes (55 random bits each) or a record already invited by
        // this campaign fails the chunk; its lease runs out and it is done
        // again with fresh codes, so nothing is lost and nothing doubled.
        insert.query()?.execute(&mut **tx).await?;
    }

    let expires_stored = stored(expires_at);
    let events: Vec<Event<'_>> = invitees
        .iter()
        .map(|invitee| {
            Event::new(Action::InvitationIssued, now)
                .actor(&campaign.created_by)
                .record(&invitee.candidate.record_id)
                .team(&campaign.team_id)
                .detail(json!({
                    "invitation_id": invitee.invitation_id, "channel": channel.as_str(), "expires_at": expires_stored,
                    "campaign_id": campaign.id,
                }))
        })
        .collect();
    audit::record_many(tx, engine, &events).await?;

    let base = &state.settings.public_base_url;
    let expires = templates::long_date(expires_at.date());
    let messages: Vec<OutboxRow> = invitees
        .iter()
        .filter_map(|invitee| {
            let key = format!("invitation:{}", invitee.invitation_id);
            match invitee.send_to.clone()? {
                SendTo::Email(to) => {
                    let email = templates::invitation(
                        base,
                        &to,
                        &invitee.candidate.given_name,
                        &invitations::named_for(&invitee.candidate.given_name, &invitee.candidate.family_name),
                        &campaign.team_name,
                        &invitee.code,
                        &expires,
                    );
                    Some(OutboxRow {
                        key,
                        channel: "email",
                        to: email.to.as_str().to_owned(),
                        subject: email.subject,
                        body: email.body,
                        html: email.html,
                        personalisation: None,
                        invitation_id: invitee.invitation_id.clone(),
                    })
                }
                SendTo::Mobile(to) => {
                    let for_whom =
                        invitations::named_for(&invitee.candidate.given_name, &invitee.candidate.family_name);
                    let text = sms::invitation(
                        base,
                        to,
                        &for_whom,
                        &campaign.team_name,
                        &invitee.code,
                        &expires,
                        sms::Code::First,
                    );
                    Some(OutboxRow {
                        key,
                        channel: "sms",
                        to: text.to.e164().to_owned(),
                        subject: String::new(),
                        body: text.body,
                        html: None,
                        personalisation: serde_json::to_string(&text.personalisation).ok(),
                        invitation_id: invitee.invitation_id.clone(),
                    })
                }
            }
        })
        .collect();
    let per_statement = engine.rows_per_statement(14);
    for slice in messages.chunks(per_statement) {
        let mut insert = Statement::for_engine(
            engine,
            "INSERT INTO outbox (id, idempotency_key, channel, to_address, subject, body_text, personalisation, \
             invitation_id, created_at, next_attempt_at, campaign_id, priority, attempts, body_html) ",
        );
        insert.values(slice, |row, message| {
            row.bind(uuid::Uuid::now_v7().to_string())
                .bind(message.key.as_str())
                .bind(message.channel)
                .bind(message.to.as_str())
                .bind(message.subject.as_str())
                .bind(message.body.as_str())
                .bind(message.personalisation.clone())
                .bind(message.invitation_id.as_str())
                .bind(stored(now))
                .bind(stored(now))
                .bind(campaign.id.as_str())
                .bind(1_i64)
                .bind(0_i64)
                .bind(message.html.clone());
        });
        insert.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Where a chunk of a plan writes what it did for each record.
pub(super) struct History<'a> {
    pub(super) plan: &'a str,
    pub(super) step: i64,
    pub(super) channel: &'static str,
    pub(super) at: String,
}

impl History<'_> {
    /// One row per record of the chunk, keyed by plan, step and record: a
    /// chunk done twice fails here rather than doubling a row.
    pub(super) async fn write(
        &self,
        tx: &mut Tx,
        engine: Engine,
        invitees: &[Invitee],
        skipped: &[(String, Skip)],
    ) -> Result<(), sqlx::Error> {
        let rows: Vec<(&str, &'static str, Option<&str>)> = invitees
            .iter()
            .map(|i| (i.candidate.record_id.as_str(), "sent", Some(i.invitation_id.as_str())))
            .chain(skipped.iter().map(|(record_id, skip)| (record_id.as_str(), skip.as_str(), None)))
            .collect();
        for slice in rows.chunks(engine.rows_per_statement(7)) {
            let mut insert = Statement::for_engine(
                engine,
                "INSERT INTO reminder_history (campaign_id, step, record_id, channel, outcome, invitation_id, at) ",
            );
            insert.values(slice, |row, (record_id, outcome, invitation_id)| {
                row.bind(self.plan)
                    .bind(self.step)
                    .bind(*record_id)
                    .bind(self.channel)
                    .bind(*outcome)
                    .bind(invitation_id.map(str::to_owned))
                    .bind(self.at.as_str());
            });
            insert.query()?.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// A message for the outbox, as a campaign writes it (bulk messages: priority 1).
struct OutboxRow {
    key: String,
    channel: &'static str,
    to: String,
    subject: String,
    body: String,
    html: Option<String>,
    personalisation: Option<String>,
    invitation_id: String,
}

/// A letter campaign's output for one chunk (or one release of held records).
pub(super) struct Batch {
    pdf: Vec<u8>,
    letters: Vec<Letter>,
}

/// The letters as one PDF. Rendering is CPU work: it runs on the blocking
/// pool, before the transaction that writes it.
pub(super) async fn render_batch(
    state: &AppState,
    team_id: &str,
    invitees: &[Invitee],
    expires_at: OffsetDateTime,
) -> anyhow::Result<Batch> {
    let sender = letter::sender(state, team_id).await?;
    let base = state.settings.public_base_url.clone();
    let today = state.now().date();
    let letters: Vec<Letter> = invitees
        .iter()
        .map(|invitee| {
            let to = letter::Addressee {
                given_name: invitee.candidate.given_name.clone(),
                family_name: invitee.candidate.family_name.clone(),
                address_lines: invitee.candidate.address_lines.clone(),
                postcode: invitee.candidate.postcode.clone(),
            };
            letter::letter_to(&base, to, &invitee.code, expires_at.date(), today)
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        let pdf = portico_letters::render_batch(&sender, &letters)?;
        Ok(Batch { pdf, letters })
    })
    .await?
}

/// Writes `batch` as the campaign's letter batch `seq`, with its manifest
/// (which names the batch, so it is made here, once `seq` is known).
pub(super) async fn write_batch(
    tx: &mut Tx,
    campaign_id: &str,
    seq: i64,
    batch: Batch,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let manifest = manifest(seq, &batch.letters)?;
    sqlx::query(
        "INSERT INTO letter_batches (campaign_id, seq, letters, pdf, manifest, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(campaign_id)
    .bind(seq)
    .bind(i64::try_from(batch.letters.len()).unwrap_or(i64::MAX))
    .bind(batch.pdf)
    .bind(manifest)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Address lines a manifest has room for (a UK address needs at most six with the name).
const MANIFEST_ADDRESS_LINES: usize = 6;

/// The print-house manifest: one row per letter, in the PDF's page order.
/// A cell a spreadsheet would read as a formula is prefixed with `'`.
fn manifest(seq: i64, letters: &[Letter]) -> anyhow::Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["batch".to_owned(), "page".to_owned(), "letter_reference".to_owned(), "name".to_owned()];
    header.extend((1..=MANIFEST_ADDRESS_LINES).map(|n| format!("address_line_{n}")));
    header.extend(["postcode", "code", "registration_link", "expires"].map(str::to_owned));
    out.write_record(&header)?;
    for (page, letter) in letters.iter().enumerate() {
        let mut row =
            vec![seq.to_string(), (page + 1).to_string(), letter.reference.clone(), safe(&letter.recipient_name)];
        let mut lines: Vec<String> = letter.address_lines.iter().map(|l| safe(l)).collect();
        if lines.len() > MANIFEST_ADDRESS_LINES {
            // Never drop a line: the last column holds the rest.
            let rest = lines.split_off(MANIFEST_ADDRESS_LINES - 1).join(", ");
            lines.push(rest);
        }
        lines.resize(MANIFEST_ADDRESS_LINES, String::new());
        row.extend(lines);
        row.push(safe(letter.postcode.as_deref().unwrap_or("")));
        row.push(letter.code_grouped.clone());
        row.push(letter.link.clone());
        row.push(letter.expires.clone());
        out.write_record(&row)?;
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}

fn safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(name: &str, lines: &[&str]) -> Letter {
        Letter {
            reference: "PTC-1234ABCD".into(),
            date: "27 November 2026".into(),
            recipient_name: name.into(),
            address_lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            postcode: Some("LS1 4AP".into()),
            given_name: "Ada".into(),
            code_grouped: "7KQM-2XRD-93TB".into(),
            link: "https://portico.example/register?code=7KQM2XRD93TB".into(),
            register_address: "portico.example/register".into(),
            expires: "18 December 2026".into(),
        }
    }

    #[test]
    fn the_manifest_has_a_row_per_letter_in_page_order_and_no_formulas() {
        let letters = [
            letter("Ada Lovelace", &["1 Park Row", "Leeds"]),
            letter("=HYPERLINK(\"x\")", &["a", "b", "c", "d", "e", "f", "g"]),
        ];
        let csv = manifest(3, &letters).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][0], "3");
        assert_eq!(&rows[0][1], "1");
        assert_eq!(&rows[0][4], "1 Park Row");
        assert_eq!(&rows[0][11], "7KQM-2XRD-93TB");
        assert!(rows[1][3].starts_with("'="), "{}", &rows[1][3]);
        assert_eq!(&rows[1][9], "f, g", "the seventh line is kept with the sixth");
    }

    #[test]
    fn each_channel_needs_its_own_contact() {
        let candidate = Candidate {
            record_id: "r".into(),
            given_name: "Ada".into(),
            family_name: "L".into(),
            address_lines: Some("1 Park Row".into()),
            postcode: None,
            email: Some("ada@example.com".into()),
            mobile: Some("+447700900982".into()),
            registered: false,
            excluded: false,
            opted_out: false,
            plan_sent: 0,
            has_entry: false,
        };
        assert!(contact_for(CampaignChannel::Letter, &candidate).is_none(), "no postcode");
        assert!(matches!(contact_for(CampaignChannel::Sms, &candidate), Some(Some(SendTo::Mobile(_)))));
        let landline = Candidate { mobile: Some("+441132000000".into()), ..candidate };
        assert!(contact_for(CampaignChannel::Sms, &landline).is_none());
    }

    /// A text campaign of never-invited records, with `plan`.
    fn sms_campaign(without_entries: WithoutEntries, plan: PlanRole) -> Campaign {
        let cohort = Cohort {
            channel: CampaignChannel::Sms,
            registration: Registration::NotInvited,
            min_age: None,
            max_age: None,
            as_of: time::macros::date!(2026 - 11 - 27),
            listed: false,
            without_entries,
        };
        Campaign { id: "c".into(), team_id: "t".into(), team_name: "Team".into(), cohort, created_by: "a".into(), plan }
    }

    #[test]
    fn a_step_stops_for_exclusion_registration_opt_out_then_the_cap_in_that_order() {
        let campaign = |plan| sms_campaign(WithoutEntries::Invite, plan);
        let step = campaign(PlanRole::Step { root: "p".into(), step: 1, max_messages: 2 });
        let first = campaign(PlanRole::First);
        let who = Candidate {
            record_id: "r".into(),
            given_name: "Ada".into(),
            family_name: "L".into(),
            address_lines: None,
            postcode: None,
            email: None,
            mobile: Some("+447700900982".into()),
            registered: true,
            excluded: true,
            opted_out: true,
            plan_sent: 2,
            has_entry: false,
        };
        assert_eq!(stop_rule(&step, &who), Some(Skip::Excluded));
        let who = Candidate { excluded: false, ..who };
        assert_eq!(stop_rule(&step, &who), Some(Skip::Registered));
        let who = Candidate { registered: false, ..who };
        assert_eq!(stop_rule(&step, &who), Some(Skip::OptedOut));
        assert_eq!(stop_rule(&first, &who), None, "an opt-out stops reminders, not a first invitation");
        let who = Candidate { opted_out: false, ..who };
        assert_eq!(stop_rule(&step, &who), Some(Skip::Cap));
        assert_eq!(stop_rule(&step, &Candidate { plan_sent: 1, ..who }), None);
    }

    #[test]
    fn a_holding_cohort_holds_empty_records_after_the_stop_rules_and_its_plan_s_steps_never_hold() {
        let campaign = |plan| sms_campaign(WithoutEntries::Hold, plan);
        let person = |id: &str, has_entry: bool, excluded: bool, mobile: Option<&str>| Candidate {
            record_id: id.into(),
            given_name: "Ada".into(),
            family_name: "L".into(),
            address_lines: None,
            postcode: None,
            email: None,
            mobile: mobile.map(str::to_owned),
            registered: false,
            excluded,
            opted_out: false,
            plan_sent: 0,
            has_entry,
        };
        let people = || {
            vec![
                person("has-entry", true, false, Some("+447700900982")),
                person("empty", false, false, Some("+447700900983")),
                person("empty-excluded", false, true, Some("+447700900984")),
                person("empty-no-mobile", false, false, None),
            ]
        };
        let mut outcome = ChunkOutcome::default();
        let sorted = sort(&campaign(PlanRole::First), people(), &mut outcome);
        let invited: Vec<&str> = sorted.invitees.iter().map(|i| i.candidate.record_id.as_str()).collect();
        assert_eq!(invited, ["has-entry"]);
        assert_eq!(sorted.held, ["empty"]);
        assert_eq!(
            sorted.skipped,
            [("empty-excluded".to_owned(), Skip::Excluded), ("empty-no-mobile".to_owned(), Skip::NoContact)]
        );
        assert_eq!((outcome.held, outcome.skipped()), (1, 2));

        let step = campaign(PlanRole::Step { root: "p".into(), step: 1, max_messages: 3 });
        assert!(!step.holds_without_entries());
        let sorted = sort(&step, people(), &mut ChunkOutcome::default());
        assert_eq!((sorted.invitees.len(), sorted.held.len()), (2, 0), "a step reminds whom the first send counted");
    }
}
