//! Server-side sessions: a row per session in the database (so several
//! instances share them), found by the SHA-256 of a 256-bit random token that
//! only the browser's HttpOnly cookie holds.
//!
//! A session ends after 30 minutes without use and 12 hours in all, whichever
//! comes first; a sign-in always makes a new one (no fixation).

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use super::second_factor::{self, Pending};
use crate::clock::{parse_stored, stored};
use crate::db::{Db, Tx};

pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, so reads stay reads.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// The secret the cookie carries.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub account_id: String,
    /// Handed to a patient to register on (see `handover`): good for nothing
    /// but resuming with the professional's password.
    pub suspended: bool,
    /// When it ends however busy it is: `ABSOLUTE_TIMEOUT` after it began.
    pub ends_at: OffsetDateTime,
    /// Signed in with a password and still waiting for the second factor:
    /// good for nothing but that step.
    pub second_factor: Option<Pending>,
}

/// How a session begins, which decides whether it must still prove a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A password (signing in, registering, accepting an invitation).
    Password,
    /// NHS login, which proves more than a password: only a professional's
    /// own second factor is still asked for.
    NhsLogin,
    /// A session waiting for its second factor, which was just proven.
    SecondFactorProven,
}

/// A session just begun: its token for the cookie, and what it must still prove.
#[derive(Debug)]
pub struct NewSession {
    pub token: Token,
    pub second_factor: Option<Pending>,
}

/// Starts a session for `account_id` within `tx`.
pub async fn create(
    tx: &mut Tx,
    account_id: &str,
    now: OffsetDateTime,
    ip: Option<&str>,
    user_agent: Option<&str>,
    start: Start,
) -> Result<NewSession, sqlx::Error> {
    let token = Token::generate();
    let pending = second_factor::needed(tx, account_id, start).await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent, second_factor) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token.hash())
    .bind(account_id)
    .bind(stored(now))
    .bind(stored(now + IDLE_TIMEOUT))
    .bind(stored(now + ABSOLUTE_TIMEOUT))
    .bind(ip)
    .bind(user_agent.map(|ua| ua.chars().take(256).collect::<String>()))
    .bind(pending.map(Pending::as_str))
    .execute(&mut **tx)
    .await?;
    Ok(NewSession { token, second_factor: pending })
}

/// Account, last seen, idle and absolute expiry, account disabled, suspended, second factor pending.
type SessionRow = (String, String, String, String, Option<String>, Option<String>, Option<String>);

/// Finds the live session for `token`, extending its idle time. An expired
/// session is deleted and not returned; so is one whose account is disabled.
pub async fn find(db: &Db, token: &Token, now: OffsetDateTime) -> Result<Option<Session>, sqlx::Error> {
    let token_hash = token.hash();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.account_id, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, a.disabled_at, s.suspended_at, s.second_factor \
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some((account_id, last_seen, idle_expires, absolute_expires, disabled_at, suspended_at, pending)) = row else {
        return Ok(None);
    };
    let expired = |text: &str| parse_stored(text).is_none_or(|at| at <= now);
    if expired(&idle_expires) || expired(&absolute_expires) || disabled_at.is_some() {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&token_hash).execute(&db.pool).await?;
        return Ok(None);
    }
    let suspended = suspended_at.is_some();
    // A suspended session keeps the idle limit it was given when suspended.
    let absolute = parse_stored(&absolute_expires).unwrap_or(now);
    if !suspended && parse_stored(&last_seen).is_none_or(|seen| now - seen >= TOUCH_EVERY) {
        sqlx::query("UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE token_hash = $1")
            .bind(&token_hash)
            .bind(stored(now))
            .bind(stored((now + IDLE_TIMEOUT).min(absolute)))
            .execute(&db.pool)
            .await?;
    }
    let second_factor = pending.as_deref().and_then(Pending::parse);
    Ok(Some(Session { token_hash, account_id, suspended, ends_at: absolute, second_factor }))
}

/// Ends one session within `tx`; returns the account it belonged to.
pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING account_id")
        .bind(token_hash)
        .fetch_optional(&mut **tx)
        .await
}

/// Removes sessions that have expired, however they ended. Run now and then.
pub async fn delete_expired(db: &Db, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let now = stored(now);
    let done = sqlx::query("DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1")
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}
