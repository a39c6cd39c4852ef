//! Staff's decisions on a waiting sign-up: link it to a record of the team,
//! make a new record for it, or decline it with a reason the patient reads.
//! Each is one transaction with its audit event and the email that tells
//! the patient; only a waiting sign-up can be decided, once.
//!
//! Linking claims the record as registration does (`make_owner`), so the
//! same rules hold: an excluded record cannot be linked until a
//! safeguarding lead lifts the exclusion (as no invitation can be used for
//! it), and a record or account that already has its owner or record is
//! refused.

use anyhow::Context as _;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};
use serde_json::json;
use time::OffsetDateTime;

use super::State;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::mail::templates;
use crate::notifications::Kind;
use crate::notifications::send::{self, Notice};
use crate::records::details::PatientDetails;
use crate::records::search;
use crate::records::store::{self, ChangedBy, UpsertError};
use crate::registration::complete::{CompleteError, make_owner};
use crate::state::AppState;

/// The longest reason a decline may give.
pub const MAX_REASON_CHARS: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("the sign-up has already been decided")]
    AlreadyDecided,
    #[error("the record is not one of the team's")]
    RecordNotInTeam,
    #[error("the record is excluded")]
    RecordExcluded,
    #[error("the record, or the account, already has its owner or record")]
    AlreadyOwned,
    /// Making a record: one with these details is there already, to link instead.
    #[error("a record with these details exists")]
    RecordExists,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for DecideError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

impl From<CompleteError> for DecideError {
    fn from(err: CompleteError) -> Self {
        match err {
            CompleteError::NoLongerValid => Self::RecordExcluded,
            CompleteError::AlreadyRegistered => Self::AlreadyOwned,
            other => Self::Internal(other.into()),
        }
    }
}

/// Who decides, and from where.
#[derive(Debug, Clone, Copy)]
pub struct DecidedBy<'a> {
    pub account_id: &'a str,
    pub ip: &'a str,
}

/// A waiting sign-up as a decision needs it.
struct Waiting {
    team_id: String,
    team_name: String,
    account_id: String,
    details: PatientDetails,
}

type WaitingRow = (String, String, String, String, String, String, Option<String>, String, Option<String>);

/// Sign-up `id` if it still waits, locked for `tx` (SQLite's write transaction holds the lock).
async fn waiting(tx: &mut Tx, state: &AppState, id: &str) -> Result<Waiting, DecideError> {
    let sql = format!(
        "SELECT s.team_id, t.name, s.account_id, s.given_name, s.family_name, s.date_of_birth, s.nhs_number, \
         s.email, s.mobile FROM sign_ups s JOIN teams t ON t.id = s.team_id \
         WHERE s.id = $1 AND s.state = 'waiting'{}",
        match state.db.engine {
            crate::db::Engine::Postgres => " FOR UPDATE OF s",
            crate::db::Engine::Sqlite => "",
        }
    );
    let row: Option<WaitingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?;
    let (team_id, team_name, account_id, given_name, family_name, dob, nhs, email, mobile) =
        row.ok_or(DecideError::AlreadyDecided)?;
    let details = PatientDetails {
        nhs_number: nhs.as_deref().map(NhsNumber::parse).transpose().context("stored NHS number")?,
        given_name,
        family_name,
        date_of_birth: DateOfBirth::from_stored(&dob).context("stored date of birth")?,
        email: Some(EmailAddress::parse(&email).context("stored email")?),
        mobile: mobile.as_deref().map(MobileNumber::parse).transpose().context("stored mobile")?,
        address_lines: Vec::new(),
        postcode: None,
        gp_ods_code: None,
    };
    Ok(Waiting { team_id, team_name, account_id, details })
}

/// Moves sign-up `id` out of waiting, as the last write of a decision.
async fn settle(
    tx: &mut Tx,
    id: &str,
    to: State,
    record_id: Option<&str>,
    reason: Option<&str>,
    by: &str,
    now: OffsetDateTime,
) -> Result<(), DecideError> {
    let settled = sqlx::query(
        "UPDATE sign_ups SET state = $2, record_id = $3, decline_reason = $4, decided_by = $5, decided_at = $6 \
         WHERE id = $1 AND state = 'waiting'",
    )
    .bind(id)
    .bind(to.as_str())
    .bind(record_id)
    .bind(reason)
    .bind(by)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if settled.rows_affected() == 1 { Ok(()) } else { Err(DecideError::AlreadyDecided) }
}

/// Links sign-up `id` to record `record_id`: a record of its team, which the
/// account comes to own, or the account's own record, which joins the team.
pub async fn link(state: &AppState, id: &str, record_id: &str, by: DecidedBy<'_>) -> Result<(), DecideError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let sign_up = waiting(&mut tx, state, id).await?;
    let owner: Option<Option<String>> = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE id = $1")
        .bind(record_id)
        .fetch_optional(&mut *tx)
        .await?;
    if owner.flatten().as_deref() == Some(sign_up.account_id.as_str()) {
        store::add_to_team(&mut tx, &sign_up.team_id, record_id, now).await?;
    } else {
        if !store::in_team(&mut tx, &sign_up.team_id, record_id).await? {
            return Err(DecideError::RecordNotInTeam);
        }
        make_owner(&mut tx, record_id, &sign_up.account_id, Some(by.account_id), now).await?;
    }
    settle(&mut tx, id, State::Linked, Some(record_id), None, by.account_id, now).await?;
    let event = Event::new(Action::SignUpLinked, now).record(record_id);
    finish(tx, state, id, &sign_up, event, by, now).await
}

/// Makes a new record of the team from sign-up `id`'s details, owned by its account.
pub async fn create_record(state: &AppState, id: &str, by: DecidedBy<'_>) -> Result<String, DecideError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let sign_up = waiting(&mut tx, state, id).await?;
    // A person who may be the one an exclusion protects gets no second record either.
    let details = &sign_up.details;
    let candidates = search::candidates(
        &mut tx,
        &sign_up.team_id,
        details.nhs_number.as_ref(),
        &details.search_name(),
        &details.date_of_birth,
    )
    .await?;
    if candidates.iter().any(|c| c.excluded) {
        return Err(DecideError::RecordExcluded);
    }
    // The store's matching rule would update a record it finds: here that
    // record is one to link, never to overwrite.
    if store::find(&mut tx, state.db.engine, &sign_up.team_id, &sign_up.details).await.map_err(upsert)?.is_some() {
        return Err(DecideError::RecordExists);
    }
    let changed_by = ChangedBy(format!("sign_up:{}", by.account_id));
    let made =
        store::upsert_patient(&mut tx, state.db.engine, &sign_up.team_id, &sign_up.details, None, &changed_by, now)
            .await
            .map_err(upsert)?;
    make_owner(&mut tx, &made.record_id, &sign_up.account_id, Some(by.account_id), now).await?;
    settle(&mut tx, id, State::Created, Some(&made.record_id), None, by.account_id, now).await?;
    let event = Event::new(Action::SignUpRecordCreated, now).record(&made.record_id);
    finish(tx, state, id, &sign_up, event, by, now).await?;
    Ok(made.record_id)
}

fn upsert(err: UpsertError) -> DecideError {
    match err {
        UpsertError::Ambiguous => DecideError::RecordExists,
        other => DecideError::Internal(other.into()),
    }
}

/// Declines sign-up `id`; `reason` (checked by [`parse_reason`]) is told to the patient as written.
pub async fn decline(state: &AppState, id: &str, reason: &str, by: DecidedBy<'_>) -> Result<(), DecideError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let sign_up = waiting(&mut tx, state, id).await?;
    settle(&mut tx, id, State::Declined, None, Some(reason), by.account_id, now).await?;
    let event = Event::new(Action::SignUpDeclined, now);
    let base = &state.settings.public_base_url;
    let email = sign_up.details.email.clone().context("a sign-up has an email")?;
    let key = format!("sign-up:{id}:decided");
    let notice = Notice { account_id: &sign_up.account_id, kind: Kind::SignUpDecided, key: &key, record_id: None };
    let told = |footer: &_| {
        templates::sign_up_declined(base, &email, &sign_up.details.given_name, &sign_up.team_name, reason, footer)
    };
    send::notify(&mut tx, state, notice, told, now).await?;
    audit_and_commit(tx, id, &sign_up, event, by).await
}

/// Tells the patient their record is ready, audits, commits.
async fn finish<'a>(
    mut tx: Tx,
    state: &AppState,
    id: &'a str,
    sign_up: &'a Waiting,
    event: Event<'a>,
    by: DecidedBy<'a>,
    now: OffsetDateTime,
) -> Result<(), DecideError> {
    let base = &state.settings.public_base_url;
    let email = sign_up.details.email.clone().context("a sign-up has an email")?;
    let key = format!("sign-up:{id}:decided");
    let notice = Notice { account_id: &sign_up.account_id, kind: Kind::SignUpDecided, key: &key, record_id: None };
    let told =
        |footer: &_| templates::sign_up_accepted(base, &email, &sign_up.details.given_name, &sign_up.team_name, footer);
    send::notify(&mut tx, state, notice, told, now).await?;
    audit_and_commit(tx, id, sign_up, event, by).await
}

async fn audit_and_commit<'a>(
    mut tx: Tx,
    id: &'a str,
    sign_up: &'a Waiting,
    event: Event<'a>,
    by: DecidedBy<'a>,
) -> Result<(), DecideError> {
    let event = event.actor(by.account_id).team(&sign_up.team_id).ip(Some(by.ip)).detail(json!({
        "sign_up_id": id,
        "account_id": sign_up.account_id,
    }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// A decline's reason: plain words, not empty, within the limit.
pub fn parse_reason(raw: &str) -> Result<String, &'static str> {
    let reason = raw.trim().replace("\r\n", "\n");
    if reason.is_empty() {
        Err("Enter the reason the patient will be told")
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err("The reason must be 1,000 characters or fewer")
    } else if reason.chars().any(|c| c.is_control() && c != '\n') {
        Err("The reason must only include letters, numbers, spaces and punctuation")
    } else {
        Ok(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_reason;

    #[test]
    fn reasons_are_plain_words() {
        assert_eq!(
            parse_reason("  We are not your GP practice.\r\nTry your own. ").unwrap(),
            "We are not your GP practice.\nTry your own."
        );
        assert!(parse_reason("   ").is_err());
        assert!(parse_reason(&"a".repeat(1_001)).is_err());
        assert!(parse_reason("a\u{0}b").is_err());
    }
}
