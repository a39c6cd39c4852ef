//! The sign-in rule: email and password, throttled per email and per address,
//! answered the same way whether or not the account exists.

use portico_types::EmailAddress;
use portico_types::problem::FieldError;
use serde_json::json;
use time::OffsetDateTime;

use super::passwords::MAX_PASSWORD_BYTES;
use super::second_factor::Pending;
use super::sessions::{self, Start, Token};
use super::throttle::{self, Claim, Key, PER_ADDRESS, PER_EMAIL};
use crate::audit::{self, Action, Event};
use crate::notifications::devices::{self, DeviceId, Presented};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SignInError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Who is signing in, and from where.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    /// The session the browser already had, if any: it is replaced.
    pub previous_session: Option<&'a str>,
    /// The device it comes from, to tell the person of a new one.
    pub device: Presented<'a>,
    /// What the session proves: a password, or (taking back a device handed
    /// to a patient) a password on top of a session whose second factor was proven.
    pub start: Start,
}

/// A session made by a successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub token: Token,
    pub account_id: String,
    /// The device id for the device cookie, when the device was checked.
    pub device: Option<DeviceId>,
    /// What the session must still prove before it is whole.
    pub second_factor: Option<Pending>,
}

fn parse(attempt: &Attempt<'_>) -> Result<EmailAddress, SignInError> {
    let mut errors = Vec::new();
    let email = EmailAddress::parse(attempt.email).map_err(|e| errors.push(FieldError::new("email", e)));
    if attempt.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    } else if attempt.password.len() > MAX_PASSWORD_BYTES {
        errors.push(FieldError::new("password", "Password must be 1,024 characters or fewer"));
    }
    match email {
        Ok(email) if errors.is_empty() => Ok(email),
        _ => Err(SignInError::Invalid(errors)),
    }
}

pub async fn sign_in(state: &AppState, attempt: Attempt<'_>) -> Result<SignedIn, SignInError> {
    let email = parse(&attempt)?;
    let email_key = Key::email(email.as_str());
    let address_key = Key::address(attempt.ip);
    let now = state.now();

    let (email_claim, address_claim) = {
        let mut tx = state.db.begin_write().await?;
        let email_claim = throttle::claim(&mut tx, state.db.engine, &email_key, PER_EMAIL, now).await?;
        let address_claim = throttle::claim(&mut tx, state.db.engine, &address_key, PER_ADDRESS, now).await?;
        for claim in [email_claim, address_claim] {
            if let Claim::Refused { retry_after } = claim {
                tx.rollback().await?;
                return Err(SignInError::Throttled { retry_after_secs: throttle::wait_secs(retry_after) });
            }
        }
        tx.commit().await?;
        (email_claim, address_claim)
    };

    let account: Option<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, password_hash, disabled_at FROM accounts WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&state.db.pool)
            .await?;
    let (account_id, stored_hash) = match account {
        Some((id, hash, None)) => (Some(id), hash),
        // A disabled account is verified against the dummy hash like a missing one.
        Some((id, _, Some(_))) => (Some(id), None),
        None => (None, None),
    };
    let password_ok = state.hasher.verify(attempt.password.to_owned(), stored_hash).await?;

    let mut tx = state.db.begin_write().await?;
    match account_id.clone().filter(|_| password_ok) {
        Some(account_id) => {
            throttle::forgive(&mut tx, &email_key, &address_key, PER_ADDRESS).await?;
            if let Some(previous) = attempt.previous_session.and_then(Token::from_cookie) {
                crate::invitations::handover::revoke_unused(&mut tx, &previous.hash(), now).await?;
                sessions::delete(&mut tx, &previous.hash()).await?;
            }
            let session =
                sessions::create(&mut tx, &account_id, now, Some(attempt.ip), attempt.user_agent, attempt.start)
                    .await?;
            audit::record(&mut tx, Event::new(Action::SignIn, now).actor(&account_id).ip(Some(attempt.ip))).await?;
            let device = devices::signed_in_from(&mut tx, state, &account_id, attempt.device, now).await?;
            tx.commit().await?;
            Ok(SignedIn { token: session.token, account_id, device, second_factor: session.second_factor })
        }
        None => {
            record_failure(&mut tx, now, account_id.as_deref(), attempt.ip, email_claim, address_claim).await?;
            tx.commit().await?;
            Err(SignInError::WrongCredentials)
        }
    }
}

async fn record_failure(
    tx: &mut crate::db::Tx,
    now: OffsetDateTime,
    account_id: Option<&str>,
    ip: &str,
    email_claim: Claim,
    address_claim: Claim,
) -> Result<(), sqlx::Error> {
    let failures = match email_claim {
        Claim::Allowed { failures, .. } => failures,
        Claim::Refused { .. } => 0,
    };
    let mut failed = Event::new(Action::SignInFailed, now).ip(Some(ip)).detail(json!({ "failures": failures }));
    failed.actor_account_id = account_id;
    audit::record(tx, failed).await?;
    for (scope, claim) in [("email", email_claim), ("address", address_claim)] {
        if let Claim::Allowed { locked_now: true, failures } = claim {
            let mut locked = Event::new(Action::SignInLockedOut, now)
                .ip(Some(ip))
                .detail(json!({ "scope": scope, "failures": failures }));
            locked.actor_account_id = account_id;
            audit::record(tx, locked).await?;
        }
    }
    Ok(())
}

/// Ends the session `token_hash`, auditing it.
pub async fn sign_out(state: &AppState, token_hash: &str, ip: &str) -> Result<(), sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    crate::invitations::handover::revoke_unused(&mut tx, token_hash, now).await?;
    if let Some(account_id) = sessions::delete(&mut tx, token_hash).await? {
        audit::record(&mut tx, Event::new(Action::SignOut, now).actor(&account_id).ip(Some(ip))).await?;
    }
    tx.commit().await
}
