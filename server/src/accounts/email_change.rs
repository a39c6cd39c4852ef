//! Change of email: asked with the current password (a session left open is
//! not enough), proved by a link sent to the new address, and told to the old
//! address both when asked and when done.
//!
//! If the new address already has an account, the link is not sent; the new
//! address is told so instead, and the page answers the same either way.

use portico_types::EmailAddress;
use serde_json::json;

use super::tokens::{self, Purpose};
use crate::audit::{self, Action, Event};
use crate::auth::throttle::{self, Claim, Key, PER_EMAIL};
use crate::clock::{parse_stored, stored};
use crate::mail::{self, templates};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("the password is not right")]
    WrongPassword,
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    #[error("the new address is the current one")]
    SameAddress,
    #[error("the link can no longer be used")]
    LinkUsedUp,
    #[error("another account uses the new address")]
    Taken,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for EmailChangeError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

fn stored_email(text: &str) -> anyhow::Result<EmailAddress> {
    EmailAddress::parse(text).map_err(|e| anyhow::anyhow!("stored email unreadable: {e}"))
}

pub async fn request(
    state: &AppState,
    account_id: &str,
    new_email: &EmailAddress,
    password: &str,
    ip: &str,
) -> Result<(), EmailChangeError> {
    let now = state.now();
    let (current, hash): (String, Option<String>) =
        sqlx::query_as("SELECT email, password_hash FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&state.db.pool)
            .await?;
    let current = stored_email(&current)?;
    // The password is checked under the sign-in throttle of the account's address.
    let key = Key::email(current.as_str());
    let mut tx = state.db.begin_write().await?;
    if let Claim::Refused { retry_after } = throttle::claim(&mut tx, state.db.engine, &key, PER_EMAIL, now).await? {
        tx.rollback().await?;
        return Err(EmailChangeError::Throttled { retry_after_secs: throttle::wait_secs(retry_after) });
    }
    tx.commit().await?;
    if !state.hasher.verify(password.to_owned(), hash).await? {
        return Err(EmailChangeError::WrongPassword);
    }
    if *new_email == current {
        return Err(EmailChangeError::SameAddress);
    }
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(new_email.as_str())
        .fetch_optional(&state.db.pool)
        .await?;
    let token = OneTimeToken::generate();
    let base = &state.settings.public_base_url;
    let mut tx = state.db.begin_write().await?;
    crate::auth::throttle::forgive_key(&mut tx, &key).await?;
    tokens::retire(&mut tx, account_id, Purpose::EmailChange, now).await?;
    let to_new = match taken {
        Some(_) => templates::new_email_taken(base, new_email),
        None => {
            tokens::store(&mut tx, &token, account_id, Purpose::EmailChange, Some(new_email.as_str()), now).await?;
            templates::confirm_new_email(base, new_email, token.as_str())
        }
    };
    mail::enqueue(&mut tx, &format!("email-change:{}:new", token.hash()), &to_new, None, now).await?;
    let to_old = templates::email_change_requested(&current);
    mail::enqueue(&mut tx, &format!("email-change:{}:old", token.hash()), &to_old, None, now).await?;
    audit::record(&mut tx, Event::new(Action::EmailChangeRequested, now).actor(account_id).ip(Some(ip))).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the account to the new address from the link; returns it.
pub async fn confirm(state: &AppState, token: &OneTimeToken, ip: &str) -> Result<EmailAddress, EmailChangeError> {
    let now = state.now();
    let found: Option<(String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT t.account_id, t.new_email, t.expires_at, a.email FROM account_tokens t \
         JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.purpose = 'email_change' AND t.used_at IS NULL AND a.disabled_at IS NULL",
    )
    .bind(token.hash())
    .fetch_optional(&state.db.pool)
    .await?;
    let (account_id, new_email, expires_at, old_email) = found.ok_or(EmailChangeError::LinkUsedUp)?;
    if parse_stored(&expires_at).is_none_or(|at| at <= now) {
        return Err(EmailChangeError::LinkUsedUp);
    }
    let new_email = stored_email(new_email.as_deref().unwrap_or_default())?;
    let old_email = stored_email(&old_email)?;

    let mut tx = state.db.begin_write().await?;
    if !tokens::spend(&mut tx, token, now).await? {
        tx.rollback().await?;
        return Err(EmailChangeError::LinkUsedUp);
    }
    // Taken since the link was sent: the unique index would refuse it anyway.
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(new_email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        tx.rollback().await?;
        return Err(EmailChangeError::Taken);
    }
    sqlx::query("UPDATE accounts SET email = $2, email_verified_at = $3 WHERE id = $1")
        .bind(&account_id)
        .bind(new_email.as_str())
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
    let event = Event::new(Action::EmailChanged, now).actor(&account_id).ip(Some(ip)).detail(json!({
        "new_domain": new_email.domain()
    }));
    audit::record(&mut tx, event).await?;
    // A security notice to both addresses: the old one may be the only one the real owner still reads.
    let about = mail::About { account_id: Some(&account_id), kind: Some("email_changed"), ..mail::About::default() };
    let to_old = templates::email_changed(&old_email, &new_email);
    mail::enqueue_about(&mut tx, &format!("email-changed:{}", token.hash()), &to_old, None, about, now).await?;
    let to_new = templates::email_changed_new(&state.settings.public_base_url, &new_email);
    mail::enqueue_about(&mut tx, &format!("email-changed:{}:new", token.hash()), &to_new, None, about, now).await?;
    tx.commit().await?;
    Ok(new_email)
}
