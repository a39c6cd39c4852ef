//! Devices an account has signed in from, to tell the person when a sign-in
//! comes from one it has not used before.
//!
//! A device is a browser holding Portico's device cookie: a random 256-bit
//! id, HttpOnly and long-lived, stored per account only as its SHA-256. A
//! sign-in (password or NHS login) from a device the account knows is
//! quiet; from one it does not, the device is remembered and a security
//! notice goes to the account's address. An account that knows no device
//! yet (its very first sign-in, or one from before devices were
//! remembered) only remembers this one: there is nothing to compare with.

use axum::http::{HeaderName, header};
use axum::response::AppendHeaders;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::SecurityNotice;
use crate::clock::stored;
use crate::db::Tx;
use crate::mail::{self, Email, HeaderText, templates};
use crate::state::AppState;

/// Browsers keep a cookie at most 400 days.
const COOKIE_DAYS: i64 = 400;

/// The id in a device's cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceId(String);

impl DeviceId {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(value.to_ascii_lowercase()))
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceId(***)")
    }
}

/// What a sign-in says about its device.
#[derive(Debug, Clone, Copy)]
pub enum Presented<'a> {
    /// A new arrival: the device cookie's value, if the browser sent one.
    Cookie(Option<&'a str>),
    /// Not an arrival from anywhere new (a professional taking back the
    /// device they handed to a patient): nothing to check.
    NotChecked,
}

/// The cookie's name; `__Host-` over TLS, as the session cookie.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.served_over_tls() { "__Host-portico-device" } else { "portico-device" }
}

/// The device cookie's value in `jar`, if any.
pub fn presented<'a>(state: &AppState, jar: &'a CookieJar) -> Presented<'a> {
    Presented::Cookie(jar.get(cookie_name(state)).map(|c| c.value()))
}

/// The cookie that keeps `device` for 400 days.
pub fn cookie(state: &AppState, device: &DeviceId) -> Cookie<'static> {
    Cookie::build((cookie_name(state), device.0.clone()))
        .http_only(true)
        .secure(state.settings.served_over_tls())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::days(COOKIE_DAYS))
        .build()
}

/// `Set-Cookie` for `device`, if any, to answer with *after* a cookie jar:
/// a jar's cookies come out in a hash set's order, and clients that read the
/// first `Set-Cookie` of a sign-in expect the session's.
pub type CookieAfterJar = AppendHeaders<Vec<(HeaderName, String)>>;

pub fn cookie_after_jar(state: &AppState, device: Option<&DeviceId>) -> CookieAfterJar {
    AppendHeaders(device.map(|d| (header::SET_COOKIE, cookie(state, d).to_string())).into_iter().collect())
}

/// Within the sign-in's transaction: remembers the device for `account_id`
/// and, if the account knew other devices but not this one, queues the
/// security notice. Returns the device id for the cookie (a new one when
/// the browser had none), or `None` when nothing was checked.
pub async fn signed_in_from(
    tx: &mut Tx,
    state: &AppState,
    account_id: &str,
    presented: Presented<'_>,
    now: OffsetDateTime,
) -> Result<Option<DeviceId>, sqlx::Error> {
    let Presented::Cookie(cookie) = presented else { return Ok(None) };
    let device = cookie.and_then(DeviceId::from_cookie).unwrap_or_else(DeviceId::generate);
    let hash = device.hash();
    let seen = sqlx::query("UPDATE known_devices SET last_seen_at = $3 WHERE account_id = $1 AND device_hash = $2")
        .bind(account_id)
        .bind(&hash)
        .bind(stored(now))
        .execute(&mut **tx)
        .await?;
    if seen.rows_affected() == 1 {
        return Ok(Some(device));
    }
    let known: i64 = sqlx::query_scalar("SELECT count(*) FROM known_devices WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO known_devices (account_id, device_hash, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (account_id, device_hash) DO NOTHING",
    )
    .bind(account_id)
    .bind(&hash)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if known > 0 {
        tell(tx, state, account_id, &hash, now).await?;
    }
    Ok(Some(device))
}

async fn tell(
    tx: &mut Tx,
    state: &AppState,
    account_id: &str,
    device_hash: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let Some((to, _, name)) = super::send::recipient(tx, account_id).await? else { return Ok(()) };
    let when = templates::long_date_time(now);
    let email = templates::new_device_sign_in(&state.settings.public_base_url, &to, &when);
    let email = Email { to_name: Some(HeaderText::new(&name)), ..email };
    let kind = SecurityNotice::NewDeviceSignIn.as_str();
    let about = mail::About { account_id: Some(account_id), kind: Some(kind), ..mail::About::default() };
    mail::enqueue_about(tx, &format!("new-device:{account_id}:{device_hash}"), &email, None, about, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_device_ids_are_256_random_bits_in_hex() {
        let id = DeviceId::generate();
        assert_eq!(DeviceId::from_cookie(&id.0), Some(id.clone()));
        assert_ne!(DeviceId::generate(), id);
        assert_eq!(DeviceId::from_cookie("short"), None);
        assert_eq!(DeviceId::from_cookie(&"z".repeat(64)), None);
        assert!(!format!("{id:?}").contains(&id.0));
    }
}
