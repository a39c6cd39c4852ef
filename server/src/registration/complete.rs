//! The last step: a password and the terms, then one transaction that makes
//! the account, links it to the record, uses the invitation, revokes the
//! record's other invitations, audits all of it and queues the welcome email.
//!
//! Two browsers finishing with the same code at once: the invitation's row
//! is updated only from a live state, and the record's owner only from
//! none, so exactly one transaction commits and the other is told why.
//!
//! A registration from a team's join page has no invitation or record: its
//! account is made the same way and then waits in the team's queue.

use portico_types::EmailAddress;
use portico_types::new_password::NewPasswordError;
use serde_json::json;
use time::OffsetDateTime;

use super::refusals::Refusal;
use super::{Invited, Purpose, Registration};
use crate::audit::{self, Action, Event};
use crate::auth::new_password;
use crate::auth::sessions::{self, Token};
use crate::clock::stored;
use crate::db::Tx;
use crate::invitations::{LIVE_STATES, State};
use crate::mail::{self, templates};
use crate::records::owner::{self, ClaimRefused};
use crate::self_registration;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum CompleteError {
    #[error("the email address is not confirmed yet")]
    EmailNotConfirmed,
    #[error("invalid input")]
    Invalid { password: Option<NewPasswordError>, terms_not_accepted: bool },
    #[error("the invitation has been used")]
    Used,
    #[error("the invitation has expired")]
    Expired,
    #[error("the invitation can no longer be used")]
    NoLongerValid,
    #[error("the record already has an account")]
    AlreadyRegistered,
    /// Another account took the address after it was confirmed here.
    #[error("the email address has an account")]
    EmailTaken,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CompleteError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Signed in to the new account.
#[derive(Debug)]
pub struct Registered {
    pub account_id: String,
    /// None when the registration was made on a device handed over at the desk.
    pub session: Option<Token>,
    /// The device id for the device cookie, when signed in.
    pub device: Option<crate::notifications::devices::DeviceId>,
}

/// Where the registration is finished, and whether that device is signed in.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    pub sign_in: bool,
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    /// The browser's device cookie: the new account's first device, remembered
    /// so that a later sign-in from another one is told of.
    pub device: crate::notifications::devices::Presented<'a>,
}

pub async fn complete(
    state: &AppState,
    registration: &Registration,
    password: &str,
    accept_terms: bool,
    outcome: Outcome<'_>,
) -> Result<Registered, CompleteError> {
    let Outcome { sign_in, ip, user_agent, device } = outcome;
    if !registration.email_verified {
        return Err(CompleteError::EmailNotConfirmed);
    }
    let email = registration
        .email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok())
        .ok_or(CompleteError::EmailNotConfirmed)?;
    let (given_name, family_name, date_of_birth): (String, String, String) = match registration.invited() {
        Some(invited) => {
            sqlx::query_as("SELECT given_name, family_name, date_of_birth FROM records WHERE id = $1")
                .bind(&invited.record_id)
                .fetch_one(&state.db.pool)
                .await?
        }
        None => {
            sqlx::query_as("SELECT given_name, family_name, date_of_birth FROM registrations WHERE id = $1")
                .bind(&registration.id)
                .fetch_one(&state.db.pool)
                .await?
        }
    };
    let about_them = [given_name.as_str(), family_name.as_str(), email.as_str(), date_of_birth.as_str()];
    let password_error = new_password::check(password, &about_them).err();
    if password_error.is_some() || !accept_terms {
        return Err(CompleteError::Invalid { password: password_error, terms_not_accepted: !accept_terms });
    }
    let password_hash = state.hasher.hash(password.to_owned()).await?;

    let now = state.now();
    let account_id = uuid::Uuid::now_v7().to_string();
    let mut tx = state.db.begin_write().await?;
    // Only as confirmed: not if the address was changed (in another tab) since.
    let finished = sqlx::query(
        "UPDATE registrations SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL \
         AND email_verified_at IS NOT NULL AND email = $3",
    )
    .bind(&registration.id)
    .bind(stored(now))
    .bind(email.as_str())
    .execute(&mut *tx)
    .await?;
    if finished.rows_affected() != 1 {
        tx.rollback().await?;
        let completed: Option<Option<String>> =
            sqlx::query_scalar("SELECT completed_at FROM registrations WHERE id = $1")
                .bind(&registration.id)
                .fetch_optional(&state.db.pool)
                .await?;
        return Err(if completed.flatten().is_some() { CompleteError::Used } else { CompleteError::EmailNotConfirmed });
    }
    if let Some(invited) = registration.invited() {
        // The invitation first: of two browsers finishing with one code, the
        // second waits here and then finds it used.
        let used_sql = format!(
            "UPDATE invitations SET state = 'used', updated_at = $2 \
             WHERE id = $1 AND state IN {LIVE_STATES} AND expires_at > $2"
        );
        let used = sqlx::query(sqlx::AssertSqlSafe(used_sql))
            .bind(&invited.invitation_id)
            .bind(stored(now))
            .execute(&mut *tx)
            .await?;
        if used.rows_affected() != 1 {
            tx.rollback().await?;
            let why = why_not_live(state, &invited.invitation_id).await?;
            // The funnel's "why": a code that expired while its patient was
            // part way through counts as a stop for that reason.
            let refusal = match why {
                CompleteError::Expired => Some(Refusal::Expired),
                CompleteError::NoLongerValid => Some(Refusal::NoLongerValid),
                _ => None,
            };
            if let Some(refusal) = refusal {
                let mut tx = state.db.begin_write().await?;
                refusal.count(&mut tx, &invited.invitation_id).await?;
                tx.commit().await?;
            }
            return Err(why);
        }
    }
    let made = sqlx::query(
        "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $3) ON CONFLICT (email) DO NOTHING",
    )
    .bind(&account_id)
    .bind(email.as_str())
    .bind(stored(now))
    .bind(&password_hash)
    .bind(format!("{given_name} {family_name}"))
    .execute(&mut *tx)
    .await?;
    if made.rows_affected() != 1 {
        tx.rollback().await?;
        return Err(CompleteError::EmailTaken);
    }
    let base = &state.settings.public_base_url;
    let welcome = match &registration.purpose {
        Purpose::Invitation(invited) => {
            sqlx::query("UPDATE invitations SET used_by = $2 WHERE id = $1")
                .bind(&invited.invitation_id)
                .bind(&account_id)
                .execute(&mut *tx)
                .await?;
            // A refusal here drops `tx`, which rolls it back.
            give_record(&mut tx, invited, &account_id, ip, now).await?;
            templates::registered(base, &email, &given_name)
        }
        Purpose::SignUp { .. } => {
            let team_name = self_registration::complete::hold_registered(&mut tx, &registration.id, &account_id, now)
                .await
                .map_err(|e| CompleteError::Internal(e.into()))?;
            templates::sign_up_waiting(base, &email, &given_name, &team_name)
        }
    };
    let registered = Event::new(Action::AccountRegistered, now)
        .actor(&account_id)
        .ip(Some(ip))
        .detail(json!({ "registration_id": registration.id }));
    audit::record(&mut tx, registration.about(registered)).await?;
    mail::enqueue(&mut tx, &format!("registered:{account_id}"), &welcome, None, now).await?;
    let (session, device) = if sign_in {
        let session =
            sessions::create(&mut tx, &account_id, now, Some(ip), user_agent, sessions::Start::Password).await?.token;
        audit::record(&mut tx, Event::new(Action::SignIn, now).actor(&account_id).ip(Some(ip))).await?;
        let device = crate::notifications::devices::signed_in_from(&mut tx, state, &account_id, device, now).await?;
        (Some(session), device)
    } else {
        (None, None)
    };
    tx.commit().await?;
    Ok(Registered { account_id, session, device })
}

/// Makes `invited`'s record the account's, within `tx`, with its
/// invitation already marked used (see [`make_owner`] for what refuses it),
/// and audits the use.
pub async fn give_record(
    tx: &mut Tx,
    invited: &Invited,
    account_id: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), CompleteError> {
    make_owner(tx, &invited.record_id, account_id, None, now).await?;
    let used = Event::new(Action::InvitationUsed, now)
        .actor(account_id)
        .record(&invited.record_id)
        .ip(Some(ip))
        .detail(json!({ "invitation_id": invited.invitation_id }));
    audit::record(tx, used).await?;
    Ok(())
}

/// Makes record `record_id` account `account_id`'s own, within `tx`, by
/// [`owner::claim`]'s rules, as registration's answers: an exclusion is
/// `NoLongerValid` (it blocks every way in), an owner already there is
/// `AlreadyRegistered`. `by` is who revokes the record's live invitations
/// (staff, where they decided a sign-up; else the account). Invited
/// registration and staff's decisions on sign-ups both claim through here.
pub async fn make_owner(
    tx: &mut Tx,
    record_id: &str,
    account_id: &str,
    by: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), CompleteError> {
    owner::claim(tx, record_id, account_id, by, now).await.map_err(|refused| match refused {
        ClaimRefused::Excluded => CompleteError::NoLongerValid,
        ClaimRefused::AlreadyOwned => CompleteError::AlreadyRegistered,
        ClaimRefused::Database(err) => err.into(),
    })?;
    Ok(())
}

/// Why an invitation that was live when the registration began is not now.
async fn why_not_live(state: &AppState, invitation_id: &str) -> Result<CompleteError, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT state FROM invitations WHERE id = $1")
        .bind(invitation_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(match found.as_deref().and_then(State::parse) {
        Some(State::Used) => CompleteError::Used,
        Some(State::Expired | State::Issued | State::Sent | State::Opened) => CompleteError::Expired,
        _ => CompleteError::NoLongerValid,
    })
}
