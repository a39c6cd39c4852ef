//! A sign-in with NHS login, settled in one transaction: a returning identity
//! (found by issuer and `sub`) signs in to its account; a new one joins an
//! account under `decide`'s rules and its record is claimed, made or held.
//! The account, the identity, the record's owner, the audit rows, the emails
//! and the session commit together or not at all.

use portico_types::EmailAddress;
use serde_json::json;
use time::OffsetDateTime;

use super::decide::{self, Joins, Matched, Plan, RecordPlan, Refusal, SameEmail};
use super::held;
use super::identity::{IdentityLevel, ProvenIdentity};
use super::join::{self, Joined};
use crate::audit::{self, Action, Event};
use crate::auth::sessions::{self, Token};
use crate::clock::stored;
use crate::db::Tx;
use crate::mail::{self, templates};
use crate::records::details::PatientDetails;
use crate::records::owner::{self, ClaimRefused};
use crate::records::store::{self, ChangedBy};
use crate::state::AppState;

/// Where the sign-in came from.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    /// The browser's device cookie, to tell the person of a new device.
    pub device: crate::notifications::devices::Presented<'a>,
}

/// What the sign-in did about a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// A returning identity, or one linked to the account that owns its record.
    Returning,
    Claimed,
    Created,
    /// Signed in, the sign-up held for staff: the record is excluded.
    Held,
    /// P5: signed in, no record.
    NotProven,
}

#[derive(Debug)]
pub struct Settled {
    pub account_id: String,
    pub session: Token,
    pub placed: Placed,
    /// Where the person stands with the team whose join page they came from.
    pub joined: Option<Joined>,
    /// The device id for the device cookie.
    pub device: Option<crate::notifications::devices::DeviceId>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Another sign-in for the same person or address committed first.
    #[error("another sign-in changed the same rows first")]
    Raced,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SettleError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// `join_team`: the team whose join page the sign-in started on, if any.
pub async fn settle(
    state: &AppState,
    person: &ProvenIdentity,
    join_team: Option<&str>,
    arrival: Arrival<'_>,
) -> Result<Settled, SettleError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let (account_id, placed) = match known_account(&mut tx, person).await? {
        Some((_, true)) => return Err(Refusal::AccountDisabled.into()),
        Some((account_id, false)) => {
            sqlx::query(
                "UPDATE nhs_login_identities SET identity_level = $3, last_used_at = $4 WHERE issuer = $1 AND sub = $2",
            )
            .bind(&person.issuer)
            .bind(person.sub.as_str())
            .bind(person.level.as_str())
            .bind(stored(now))
            .execute(&mut *tx)
            .await?;
            let placed = returning(&mut tx, state, person, &account_id, arrival, now).await?;
            (account_id, placed)
        }
        None => {
            let same_email = same_email(&mut tx, &person.email).await?;
            let (matched, elsewhere) = matched_record(&mut tx, state, person).await?;
            let plan = decide::decide(person.level, same_email.as_ref(), matched.as_ref(), elsewhere)?;
            first_sign_in(&mut tx, state, person, &plan, arrival, now).await?
        }
    };
    let joined = match join_team {
        Some(team_id) if placed != Placed::Held => Some(join::join(&mut tx, person, &account_id, team_id, now).await?),
        _ => None,
    };
    let session =
        sessions::create(&mut tx, &account_id, now, Some(arrival.ip), arrival.user_agent, sessions::Start::NhsLogin)
            .await?
            .token;
    let signed_in = Event::new(Action::SignIn, now).actor(&account_id).ip(Some(arrival.ip));
    audit::record(&mut tx, signed_in.detail(json!({ "via": "nhs_login", "vot": person.vot.as_str() }))).await?;
    let device =
        crate::notifications::devices::signed_in_from(&mut tx, state, &account_id, arrival.device, now).await?;
    tx.commit().await?;
    Ok(Settled { account_id, session, placed, joined, device })
}

async fn first_sign_in(
    tx: &mut Tx,
    state: &AppState,
    person: &ProvenIdentity,
    plan: &Plan,
    arrival: Arrival<'_>,
    now: OffsetDateTime,
) -> Result<(String, Placed), SettleError> {
    let (account_id, new_account) = match &plan.joins {
        Joins::NewAccount => (new_account(tx, state, person, arrival, now).await?, true),
        Joins::Existing(id) => (id.clone(), false),
    };
    let linked = sqlx::query(
        "INSERT INTO nhs_login_identities (issuer, sub, account_id, identity_level, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
    )
    .bind(&person.issuer)
    .bind(person.sub.as_str())
    .bind(&account_id)
    .bind(person.level.as_str())
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if linked.rows_affected() != 1 {
        return Err(SettleError::Raced);
    }
    let event = Event::new(Action::NhsLoginLinked, now).actor(&account_id).ip(Some(arrival.ip));
    let detail = json!({ "level": person.level.as_str(), "new_account": new_account });
    audit::record(tx, event.detail(detail)).await?;
    let placed = place(tx, state, person, &account_id, &plan.record, arrival, now).await?;
    Ok((account_id, placed))
}

/// A returning identity whose account holds no record yet (it was P5, or
/// held) is placed again as a first P9 sign-in would be; otherwise it only
/// signs in. A refusal here still signs them in: their account is theirs.
async fn returning(
    tx: &mut Tx,
    state: &AppState,
    person: &ProvenIdentity,
    account_id: &str,
    arrival: Arrival<'_>,
    now: OffsetDateTime,
) -> Result<Placed, SettleError> {
    let owned: Option<String> = sqlx::query_scalar("SELECT id FROM records WHERE owner_account_id = $1")
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
    if owned.is_some() || person.level != IdentityLevel::P9 {
        return Ok(Placed::Returning);
    }
    let (matched, elsewhere) = matched_record(tx, state, person).await?;
    match decide::place(person.level, matched.as_ref(), elsewhere) {
        Ok(plan) => place(tx, state, person, account_id, &plan, arrival, now).await,
        Err(_) => Ok(Placed::Returning),
    }
}

/// Carries out what `decide` said about the record, audited.
async fn place(
    tx: &mut Tx,
    state: &AppState,
    person: &ProvenIdentity,
    account_id: &str,
    plan: &RecordPlan,
    arrival: Arrival<'_>,
    now: OffsetDateTime,
) -> Result<Placed, SettleError> {
    Ok(match plan {
        RecordPlan::Keep => Placed::Returning,
        RecordPlan::None => Placed::NotProven,
        RecordPlan::Claim(record_id) => {
            claim(tx, record_id, account_id, now).await?;
            let event = Event::new(Action::NhsLoginRecordClaimed, now).actor(account_id).record(record_id);
            audit::record(tx, event.ip(Some(arrival.ip))).await?;
            Placed::Claimed
        }
        RecordPlan::Create => {
            let details = PatientDetails {
                nhs_number: person.nhs_number,
                given_name: person.given_name.clone(),
                family_name: person.family_name.clone(),
                date_of_birth: person.date_of_birth.ok_or_else(|| anyhow::anyhow!("a P9 identity has a birth date"))?,
                email: Some(person.email.clone()),
                mobile: person.mobile.clone(),
                address_lines: Vec::new(),
                postcode: None,
                gp_ods_code: None,
            };
            let by = ChangedBy(format!("nhs_login:{account_id}"));
            let record_id = store::create_unteamed(tx, &details, &by, now).await.map_err(anyhow::Error::from)?;
            claim(tx, &record_id, account_id, now).await?;
            let event = Event::new(Action::NhsLoginRecordCreated, now).actor(account_id).record(&record_id);
            audit::record(tx, event.ip(Some(arrival.ip))).await?;
            Placed::Created
        }
        RecordPlan::Hold(record_id) => {
            held::hold(tx, state, person, account_id, record_id, now).await?;
            let event = Event::new(Action::NhsLoginSignUpHeld, now).actor(account_id).record(record_id);
            audit::record(tx, event.ip(Some(arrival.ip)).detail(json!({ "held_because": "excluded_record" }))).await?;
            Placed::Held
        }
    })
}

async fn claim(tx: &mut Tx, record_id: &str, account_id: &str, now: OffsetDateTime) -> Result<(), SettleError> {
    owner::claim(tx, record_id, account_id, None, now).await.map_err(|refused| match refused {
        // Read and checked in this transaction; changed since only by a race.
        ClaimRefused::Excluded | ClaimRefused::AlreadyOwned => SettleError::Raced,
        ClaimRefused::Database(err) => err.into(),
    })
}

/// An account for the person, with no password: they sign in with NHS login,
/// which proved the email address.
async fn new_account(
    tx: &mut Tx,
    state: &AppState,
    person: &ProvenIdentity,
    arrival: Arrival<'_>,
    now: OffsetDateTime,
) -> Result<String, SettleError> {
    let account_id = uuid::Uuid::now_v7().to_string();
    let made = sqlx::query(
        "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
         VALUES ($1, $2, $3, NULL, $4, $3) ON CONFLICT (email) DO NOTHING",
    )
    .bind(&account_id)
    .bind(person.email.as_str())
    .bind(stored(now))
    .bind(format!("{} {}", person.given_name, person.family_name))
    .execute(&mut **tx)
    .await?;
    if made.rows_affected() != 1 {
        return Err(SettleError::Raced);
    }
    let event = Event::new(Action::AccountRegistered, now).actor(&account_id).ip(Some(arrival.ip));
    audit::record(tx, event.detail(json!({ "via": "nhs_login" }))).await?;
    let welcome = templates::registered(&state.settings.public_base_url, &person.email, &person.given_name);
    mail::enqueue(tx, &format!("registered:{account_id}"), &welcome, None, now).await?;
    Ok(account_id)
}

/// The account an identity signed in to before, and whether it is disabled.
async fn known_account(tx: &mut Tx, person: &ProvenIdentity) -> Result<Option<(String, bool)>, sqlx::Error> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT i.account_id, a.disabled_at FROM nhs_login_identities i JOIN accounts a ON a.id = i.account_id \
         WHERE i.issuer = $1 AND i.sub = $2",
    )
    .bind(&person.issuer)
    .bind(person.sub.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(account_id, disabled)| (account_id, disabled.is_some())))
}

/// Account, email verified, disabled, professional roles, NHS login identities, owned record.
type SameEmailRow = (String, Option<String>, Option<String>, i64, i64, Option<String>);

async fn same_email(tx: &mut Tx, email: &EmailAddress) -> Result<Option<SameEmail>, sqlx::Error> {
    let row: Option<SameEmailRow> = sqlx::query_as(
        "SELECT a.id, a.email_verified_at, a.disabled_at, \
         (SELECT COUNT(*) FROM professionals p WHERE p.account_id = a.id), \
         (SELECT COUNT(*) FROM nhs_login_identities i WHERE i.account_id = a.id), \
         (SELECT r.id FROM records r WHERE r.owner_account_id = a.id) \
         FROM accounts a WHERE a.email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(account_id, verified, disabled, professional, nhs_login, owned_record)| SameEmail {
        account_id,
        verified: verified.is_some(),
        disabled: disabled.is_some(),
        professional: professional > 0,
        nhs_login: nhs_login > 0,
        owned_record,
    }))
}

/// The record with the person's NHS number and date of birth (P9 only), and
/// whether a record has the number with another date of birth.
async fn matched_record(
    tx: &mut Tx,
    state: &AppState,
    person: &ProvenIdentity,
) -> Result<(Option<Matched>, bool), sqlx::Error> {
    let (Some(nhs_number), Some(date_of_birth)) = (person.nhs_number, person.date_of_birth) else {
        return Ok((None, false));
    };
    if person.level != IdentityLevel::P9 {
        return Ok((None, false));
    }
    let sql = format!(
        "SELECT id, owner_account_id, date_of_birth FROM records WHERE nhs_number = $1{}",
        state.db.engine.for_update()
    );
    let row: Option<(String, Option<String>, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(nhs_number.as_digits()).fetch_optional(&mut **tx).await?;
    let Some((record_id, owner, born)) = row else { return Ok((None, false)) };
    if born != date_of_birth.iso() {
        return Ok((None, true));
    }
    let excluded: Option<String> = sqlx::query_scalar("SELECT record_id FROM exclusions WHERE record_id = $1")
        .bind(&record_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok((Some(Matched { record_id, owner, excluded: excluded.is_some() }), false))
}
