//! Kiosk check-in at the clinic. A team admin or receptionist sets a device
//! up as the team's kiosk (`devices`); a patient checking in for an
//! appointment identifies themselves on it (`check_in`) and, when they are
//! not registered and not excluded, chooses how to get their invitation
//! (`invite`).
//!
//! A kiosk is authenticated by a 256-bit token in an HttpOnly, SameSite=Strict
//! cookie, found by its SHA-256 like a session, and never by a staff session:
//! the device stands in a waiting room. Revoking the kiosk switches it off at
//! its next request. What a kiosk answers never shows a record's details.

pub mod check_in;
pub mod devices;
pub mod invite;
pub mod routes;

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use time::{Duration, OffsetDateTime};

use crate::clock::{parse_stored, stored};
use crate::db::Db;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// Seconds without a touch after which the kiosk page starts again.
pub const IDLE_RESET_SECS: u32 = 60;
/// How long the kiosk's cookie is kept: a kiosk lasts until it is revoked,
/// and should survive the device restarting.
const COOKIE_LIFETIME: Duration = Duration::days(365);
/// `last_seen_at` is written at most this often, so reads stay reads.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A live kiosk, as its requests need it.
#[derive(Debug, Clone)]
pub struct Kiosk {
    pub id: String,
    pub team_id: String,
    pub team_name: String,
    /// The professional who set it up: invitations issued on it are theirs.
    pub created_by: String,
}

/// What a device's kiosk token names.
#[derive(Debug)]
pub enum Found {
    Live(Kiosk),
    Revoked,
    Unknown,
}

/// The kiosk cookie's name; over TLS with the `__Host-` prefix (Secure,
/// Path=/, no Domain), like the session's.
fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.served_over_tls() { "__Host-portico-kiosk" } else { "portico-kiosk" }
}

/// The cookie that makes a device a kiosk. SameSite=Strict: nothing another
/// site links to or posts from ever carries it.
pub fn cookie(state: &AppState, token: &OneTimeToken) -> Cookie<'static> {
    Cookie::build((cookie_name(state), token.as_str().to_owned()))
        .http_only(true)
        .secure(state.settings.served_over_tls())
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(COOKIE_LIFETIME)
        .build()
}

/// The kiosk token in the request's cookie, if any.
pub fn token(state: &AppState, jar: &CookieJar) -> Option<OneTimeToken> {
    jar.get(cookie_name(state)).and_then(|c| OneTimeToken::parse(c.value()))
}

type KioskRow = (String, String, String, String, Option<String>, Option<String>);

/// The kiosk whose token is `token`, noting that it was seen.
pub async fn by_token(db: &Db, token: &OneTimeToken, now: OffsetDateTime) -> Result<Found, sqlx::Error> {
    let row: Option<KioskRow> = sqlx::query_as(
        "SELECT k.id, k.team_id, t.name, k.created_by, k.revoked_at, k.last_seen_at FROM kiosks k \
         JOIN teams t ON t.id = k.team_id WHERE k.token_hash = $1",
    )
    .bind(token.hash())
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, team_id, team_name, created_by, revoked_at, last_seen_at)) = row else {
        return Ok(Found::Unknown);
    };
    if revoked_at.is_some() {
        return Ok(Found::Revoked);
    }
    if last_seen_at.as_deref().and_then(parse_stored).is_none_or(|seen| now - seen >= TOUCH_EVERY) {
        sqlx::query("UPDATE kiosks SET last_seen_at = $2 WHERE id = $1")
            .bind(&id)
            .bind(stored(now))
            .execute(&db.pool)
            .await?;
    }
    Ok(Found::Live(Kiosk { id, team_id, team_name, created_by }))
}
