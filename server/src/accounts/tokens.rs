//! The links sent to an account's address (password resets, changes of
//! email): stored as the SHA-256 of their token, one live link per purpose,
//! each spent once.

use time::OffsetDateTime;

use super::LINK_LIFETIME;
use crate::clock::stored;
use crate::db::Tx;
use crate::secrets::OneTimeToken;

/// What a link is for. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailChange => "email_change",
        }
    }
}

/// Ends the account's live links for `purpose`: only the newest works.
pub async fn retire(tx: &mut Tx, account_id: &str, purpose: Purpose, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE account_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(account_id)
        .bind(purpose.as_str())
        .bind(stored(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores `token` for `purpose`, live for [`LINK_LIFETIME`].
pub async fn store(
    tx: &mut Tx,
    token: &OneTimeToken,
    account_id: &str,
    purpose: Purpose,
    new_email: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.hash())
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(new_email)
    .bind(stored(now))
    .bind(stored(now + LINK_LIFETIME))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks `token` used; false when it already was (opened twice at once: the other one won).
pub async fn spend(tx: &mut Tx, token: &OneTimeToken, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let used = sqlx::query("UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
        .bind(token.hash())
        .bind(stored(now))
        .execute(&mut **tx)
        .await?;
    Ok(used.rows_affected() == 1)
}
