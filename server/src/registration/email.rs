//! Step two: the email address, proved by a link or a six-digit code sent to it.
//!
//! If the address already belongs to an account, the email says so (and how
//! to sign in) instead of carrying a link: the page answers the same either
//! way, so it never tells anyone which addresses have accounts.

use portico_types::EmailAddress;
use portico_types::api::RegistrationView;
use serde_json::json;
use time::OffsetDateTime;

use super::{EMAIL_CODE_PURPOSE, Registration};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::mail::{self, templates};
use crate::secrets::{OneTimeToken, six_digit_code};
use crate::state::AppState;

/// Emails one registration may send: enough for a typo and a lost email or two.
pub const MAX_EMAILS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum EmailStepError {
    #[error("too many emails for this registration")]
    TooManyEmails,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for EmailStepError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Sends the proof of ownership to `email` (again, if asked again), replacing any earlier one.
pub async fn give_email(
    state: &AppState,
    registration: &Registration,
    email: &EmailAddress,
    ip: &str,
) -> Result<RegistrationView, EmailStepError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    send_proof(&mut tx, state, registration, email, ip, now).await?;
    tx.commit().await?;
    Ok(super::view_by_id(&state.db, &registration.id, now).await?)
}

/// [`give_email`]'s work within the caller's transaction: a registration
/// begun on a join page sends its first email in the transaction that makes it.
pub async fn send_proof(
    tx: &mut Tx,
    state: &AppState,
    registration: &Registration,
    email: &EmailAddress,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), EmailStepError> {
    if registration.email_sends >= MAX_EMAILS {
        return Err(EmailStepError::TooManyEmails);
    }
    let link = OneTimeToken::generate();
    let code = six_digit_code();
    let has_account: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    let updated = sqlx::query(
        "UPDATE registrations SET email = $2, email_link_hash = $3, email_code_hash = $4, email_code_attempts = 0, \
         email_sends = email_sends + 1, email_sent_at = $5, email_verified_at = NULL \
         WHERE id = $1 AND completed_at IS NULL AND email_sends = $6",
    )
    .bind(&registration.id)
    .bind(email.as_str())
    .bind(link.hash())
    .bind(state.keys.code_hash(EMAIL_CODE_PURPOSE, &format!("{}:{code}", registration.id)))
    .bind(stored(now))
    .bind(registration.email_sends)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() != 1 {
        // Another request sent one at the same moment: count this one as too many.
        return Err(EmailStepError::TooManyEmails);
    }
    let base = &state.settings.public_base_url;
    let message = match has_account {
        Some(_) => templates::already_registered(base, email),
        None => templates::confirm_registration_email(base, email, link.as_str(), &code),
    };
    let key = format!("registration:{}:email:{}", registration.id, registration.email_sends + 1);
    mail::enqueue(tx, &key, &message, None, now).await?;
    let event = Event::new(Action::RegistrationEmailSent, now)
        .ip(Some(ip))
        .detail(json!({ "registration_id": registration.id, "send": registration.email_sends + 1 }));
    audit::record(tx, registration.about(event)).await?;
    Ok(())
}
