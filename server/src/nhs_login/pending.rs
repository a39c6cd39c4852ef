//! Sign-ins sent to NHS login and not yet back. Kept in the database, so any
//! instance can take the callback and a replayed one finds the row used:
//! found by the SHA-256 of the `state`, bound to the browser that started it
//! by the SHA-256 of a token in an HttpOnly cookie, holding the SHA-256 of
//! the nonce the ID token must carry. Each is taken once.

use time::{Duration, OffsetDateTime};

use crate::clock::stored;
use crate::db::Db;

/// Long enough to sign in to NHS login, or to prove an identity there.
pub const LIFETIME: Duration = Duration::minutes(30);

/// Which page the patient started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameFrom {
    SignIn,
    Register,
    /// A team's self-registration page.
    Join,
}

impl CameFrom {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "sign-in" | "sign_in" => Some(Self::SignIn),
            "register" => Some(Self::Register),
            "join" => Some(Self::Join),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Register => "register",
            Self::Join => "join",
        }
    }
}

/// A sign-in taken back from the database, once.
#[derive(Debug, Clone)]
pub struct Pending {
    pub nonce_hash: String,
    pub came_from: CameFrom,
    pub team_id: Option<String>,
}

/// What a new sign-in stores, all hashed.
#[derive(Debug, Clone, Copy)]
pub struct NewPending<'a> {
    pub state_hash: &'a str,
    pub browser_hash: &'a str,
    pub nonce_hash: &'a str,
    pub came_from: CameFrom,
    pub team_id: Option<&'a str>,
}

pub async fn record(db: &Db, new: NewPending<'_>, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    // Rows a day past their time are of no use, not even to explain a replay.
    sqlx::query("DELETE FROM nhs_login_authorisations WHERE expires_at < $1")
        .bind(stored(now - Duration::days(1)))
        .execute(&db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO nhs_login_authorisations (state_hash, browser_hash, nonce_hash, came_from, team_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.state_hash)
    .bind(new.browser_hash)
    .bind(new.nonce_hash)
    .bind(new.came_from.as_str())
    .bind(new.team_id)
    .bind(stored(now))
    .bind(stored(now + LIFETIME))
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Marks the sign-in with this state, started in this browser, used; `None`
/// when there is none, it is used or expired, or another browser started it.
pub async fn take(
    db: &Db,
    state_hash: &str,
    browser_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<Pending>, sqlx::Error> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "UPDATE nhs_login_authorisations SET used_at = $3 \
         WHERE state_hash = $1 AND browser_hash = $2 AND used_at IS NULL AND expires_at > $3 \
         RETURNING nonce_hash, came_from, team_id",
    )
    .bind(state_hash)
    .bind(browser_hash)
    .bind(stored(now))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(|(nonce_hash, came_from, team_id)| {
        CameFrom::parse(&came_from).map(|came_from| Pending { nonce_hash, came_from, team_id })
    }))
}
