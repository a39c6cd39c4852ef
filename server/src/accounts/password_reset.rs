//! Forgotten password: a link by email that works once, within an hour, and
//! signs the account out everywhere when used.
//!
//! Asking is answered the same whether or not the address has an account,
//! and does the same work: either way one email is queued (a reset link, or
//! a note that there is no account with that address), so neither the answer
//! nor its timing says which addresses have accounts.

use portico_types::EmailAddress;
use portico_types::new_password::NewPasswordError;
use serde_json::json;
use time::Duration;

use super::tokens::{self, Purpose};
use crate::audit::{self, Action, Event};
use crate::auth::new_password;
use crate::auth::throttle::{self, Claim, Key, Policy};
use crate::clock::{parse_stored, stored};
use crate::mail::{self, templates};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// Per address asked about: a few emails an hour, so Portico cannot be used
/// to flood someone's inbox.
const PER_EMAIL: Policy = Policy {
    free_attempts: 3,
    first_lock: Duration::minutes(15),
    max_lock: Duration::hours(1),
    window: Duration::hours(1),
};
const PER_ADDRESS: Policy = Policy {
    free_attempts: 20,
    first_lock: Duration::minutes(5),
    max_lock: Duration::hours(1),
    window: Duration::hours(1),
};

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("too many requests")]
    Throttled { retry_after_secs: u64 },
    #[error("the link can no longer be used")]
    LinkUsedUp,
    #[error("the new password is not acceptable")]
    Password(NewPasswordError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ResetError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

pub async fn request(state: &AppState, email: &EmailAddress, ip: &str) -> Result<(), ResetError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    for (key, policy) in [
        (Key::scoped("reset-email", &Key::email(email.as_str()).text()), PER_EMAIL),
        (Key::scoped("reset-ip", ip), PER_ADDRESS),
    ] {
        if let Claim::Refused { retry_after } = throttle::claim(&mut tx, state.db.engine, &key, policy, now).await? {
            tx.rollback().await?;
            return Err(ResetError::Throttled { retry_after_secs: throttle::wait_secs(retry_after) });
        }
    }
    let account: Option<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1 AND disabled_at IS NULL")
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let base = &state.settings.public_base_url;
    match account {
        Some(account_id) => {
            let token = OneTimeToken::generate();
            tokens::retire(&mut tx, &account_id, Purpose::PasswordReset, now).await?;
            tokens::store(&mut tx, &token, &account_id, Purpose::PasswordReset, None, now).await?;
            let message = templates::password_reset(base, email, token.as_str());
            mail::enqueue(&mut tx, &format!("password-reset:{}", token.hash()), &message, None, now).await?;
            let event = Event::new(Action::PasswordResetRequested, now).actor(&account_id).ip(Some(ip));
            audit::record(&mut tx, event).await?;
        }
        None => {
            let message = templates::password_reset_no_account(base, email);
            let key = format!("password-reset-no-account:{}", uuid::Uuid::now_v7());
            mail::enqueue(&mut tx, &key, &message, None, now).await?;
            let event =
                Event::new(Action::PasswordResetRequested, now).ip(Some(ip)).detail(json!({ "account": false }));
            audit::record(&mut tx, event).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the new password from a reset link; every session of the account ends.
pub async fn complete(state: &AppState, token: &OneTimeToken, password: &str, ip: &str) -> Result<(), ResetError> {
    let now = state.now();
    let found: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT t.account_id, t.expires_at, a.email, a.display_name FROM account_tokens t \
         JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.purpose = 'password_reset' AND t.used_at IS NULL AND a.disabled_at IS NULL",
    )
    .bind(token.hash())
    .fetch_optional(&state.db.pool)
    .await?;
    let (account_id, expires_at, email, display_name) = found.ok_or(ResetError::LinkUsedUp)?;
    if parse_stored(&expires_at).is_none_or(|at| at <= now) {
        return Err(ResetError::LinkUsedUp);
    }
    new_password::check(password, &[&email, &display_name]).map_err(ResetError::Password)?;
    let hash = state.hasher.hash(password.to_owned()).await?;
    let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("stored email unreadable: {e}"))?;

    let mut tx = state.db.begin_write().await?;
    if !tokens::spend(&mut tx, token, now).await? {
        tx.rollback().await?;
        return Err(ResetError::LinkUsedUp);
    }
    // The link proved the address, too.
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, $3) WHERE id = $1",
    )
    .bind(&account_id)
    .bind(&hash)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(&account_id).execute(&mut *tx).await?;
    // A person locked out of signing in is let back in by a new password.
    crate::auth::throttle::forgive_key(&mut tx, &Key::email(email.as_str())).await?;
    let event = Event::new(Action::PasswordReset, now)
        .actor(&account_id)
        .ip(Some(ip))
        .detail(json!({ "sessions_ended": ended.rows_affected() }));
    audit::record(&mut tx, event).await?;
    let message = templates::password_changed(&state.settings.public_base_url, &email);
    let about = mail::About { account_id: Some(&account_id), kind: Some("password_changed"), ..mail::About::default() };
    mail::enqueue_about(&mut tx, &format!("password-changed:{}", token.hash()), &message, None, about, now).await?;
    tx.commit().await?;
    Ok(())
}
