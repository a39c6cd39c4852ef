//! Proof of the email address: the six-digit code typed where registration
//! started, or the link opened on any device (which then carries on there).
//! Either works once, within an hour of the email, and the code takes five
//! wrong tries before a new email is needed.

use portico_types::api::RegistrationView;
use serde_json::json;
use time::OffsetDateTime;

use super::{EMAIL_CODE_PURPOSE, EMAIL_PROOF_LIFETIME, Registration};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

pub const MAX_CODE_ATTEMPTS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("the code is not right")]
    WrongCode { attempts_left: i64 },
    /// Expired, or tried too often: a new email is needed.
    #[error("the code can no longer be used")]
    CodeUsedUp,
    /// Used already, expired, or never sent.
    #[error("the link can no longer be used")]
    LinkUsedUp,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ConfirmError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

fn proof_expired(registration: &Registration, now: OffsetDateTime) -> bool {
    registration.email_sent_at.is_none_or(|sent| sent + EMAIL_PROOF_LIFETIME <= now)
}

/// The six digits as typed, spaces and all: `Some` only for six digits.
pub fn parse_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

pub async fn confirm_code(
    state: &AppState,
    registration: &Registration,
    code: &str,
    ip: &str,
) -> Result<RegistrationView, ConfirmError> {
    let now = state.now();
    if proof_expired(registration, now) || registration.email_verified {
        return Err(ConfirmError::CodeUsedUp);
    }
    let mut tx = state.db.begin_write().await?;
    // Counted before it is compared, in one statement: parallel guesses share the five.
    let counted: Option<(i64, String)> = sqlx::query_as(
        "UPDATE registrations SET email_code_attempts = email_code_attempts + 1 \
         WHERE id = $1 AND email_code_hash IS NOT NULL AND email_code_attempts < $2 \
         RETURNING email_code_attempts, email_code_hash",
    )
    .bind(&registration.id)
    .bind(MAX_CODE_ATTEMPTS)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((attempts, stored_hash)) = counted else {
        tx.rollback().await?;
        return Err(ConfirmError::CodeUsedUp);
    };
    let typed_hash = state.keys.code_hash(EMAIL_CODE_PURPOSE, &format!("{}:{code}", registration.id));
    if typed_hash != stored_hash {
        tx.commit().await?;
        let attempts_left = MAX_CODE_ATTEMPTS - attempts;
        return Err(if attempts_left <= 0 {
            ConfirmError::CodeUsedUp
        } else {
            ConfirmError::WrongCode { attempts_left }
        });
    }
    mark_confirmed(&mut tx, registration, "code", ip, now).await?;
    tx.commit().await?;
    Ok(super::view_by_id(&state.db, &registration.id, now).await?)
}

/// Confirms by the link's token; returns a token for this device's cookie.
pub async fn confirm_link(
    state: &AppState,
    link: &OneTimeToken,
    ip: &str,
) -> Result<(OneTimeToken, RegistrationView), ConfirmError> {
    let now = state.now();
    let registration = super::by_email_link(&state.db, &link.hash(), now).await?.ok_or(ConfirmError::LinkUsedUp)?;
    if proof_expired(&registration, now) {
        return Err(ConfirmError::LinkUsedUp);
    }
    let device = OneTimeToken::generate();
    let mut tx = state.db.begin_write().await?;
    let claimed = sqlx::query("UPDATE registrations SET second_token_hash = $3 WHERE id = $1 AND email_link_hash = $2")
        .bind(&registration.id)
        .bind(link.hash())
        .bind(device.hash())
        .execute(&mut *tx)
        .await?;
    if claimed.rows_affected() != 1 {
        tx.rollback().await?; // opened twice at once: the other one won
        return Err(ConfirmError::LinkUsedUp);
    }
    mark_confirmed(&mut tx, &registration, "link", ip, now).await?;
    tx.commit().await?;
    Ok((device, super::view_by_id(&state.db, &registration.id, now).await?))
}

async fn mark_confirmed(
    tx: &mut Tx,
    registration: &Registration,
    how: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE registrations SET email_verified_at = $2, email_link_hash = NULL, email_code_hash = NULL WHERE id = $1",
    )
    .bind(&registration.id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(Action::RegistrationEmailConfirmed, now)
        .ip(Some(ip))
        .detail(json!({ "registration_id": registration.id, "by": how }));
    audit::record(tx, registration.about(event)).await
}

#[cfg(test)]
mod tests {
    use super::parse_code;

    #[test]
    fn codes_are_six_digits_however_spaced() {
        assert_eq!(parse_code("123 456").as_deref(), Some("123456"));
        assert_eq!(parse_code(" 123-456 ").as_deref(), Some("123456"));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("１２３４５６"), None);
        assert_eq!(parse_code("12345a"), None);
    }
}
