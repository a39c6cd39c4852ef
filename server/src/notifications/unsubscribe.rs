//! One-click unsubscribe: a token in each notification's links and its
//! `List-Unsubscribe` header (RFC 8058) that turns one kind off (or, from a
//! digest, every kind) without signing in.
//!
//! The token is the account and the kind, signed with an HMAC under the
//! server's key: it cannot be made for another account or kind, and it is
//! not stored. It does not expire (an unsubscribe link in an old email must
//! still work) and can do nothing but turn notifications off. A GET never
//! changes anything (mail scanners follow links); the mail app's one-click
//! `POST` does.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portico_types::api::UnsubscribeView;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::{Delivery, Kind, preferences};
use crate::audit::{self, Action, Event};
use crate::mail::templates::{Footer, link};
use crate::secrets::Keys;
use crate::state::AppState;

const PURPOSE: &str = "notification-unsubscribe";
/// Hex digits of the HMAC kept in the token: 128 bits.
const MAC_HEX: usize = 32;

/// What a token turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Kind(Kind),
    /// Every kind (a digest's link).
    All,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Kind(kind) => kind.as_str(),
            Scope::All => "all",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        if text == "all" { Some(Scope::All) } else { Kind::parse(text).map(Scope::Kind) }
    }

    fn kinds(self) -> Vec<Kind> {
        match self {
            Scope::Kind(kind) => vec![kind],
            Scope::All => Kind::ALL.to_vec(),
        }
    }
}

/// A token that checked out: whose, and what it turns off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub account_id: String,
    pub scope: Scope,
}

fn mac(keys: &Keys, account_id: &str, scope: Scope) -> String {
    let mut mac = keys.code_hash(PURPOSE, &format!("{account_id}\n{}", scope.as_str()));
    mac.truncate(MAC_HEX);
    mac
}

/// `<account, base64url>.<kind>.<mac>`: URL-safe as it stands.
pub fn token(keys: &Keys, account_id: &str, scope: Scope) -> String {
    format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(account_id), scope.as_str(), mac(keys, account_id, scope))
}

/// The token's account and scope, if it is one Portico made.
pub fn verify(keys: &Keys, token: &str) -> Option<Unsubscribe> {
    let mut parts = token.split('.');
    let (account, scope, given) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || given.len() != MAC_HEX {
        return None;
    }
    let account_id = String::from_utf8(URL_SAFE_NO_PAD.decode(account).ok()?).ok()?;
    let scope = Scope::parse(scope)?;
    // Digests compared, so the time taken says nothing about the right MAC.
    let expected = mac(keys, &account_id, scope);
    (Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes()))
        .then_some(Unsubscribe { account_id, scope })
}

/// The footer links of a notification to `account_id` about `scope`.
pub fn footer(state: &AppState, account_id: &str, scope: Scope) -> Footer {
    let base = &state.settings.public_base_url;
    let token = token(&state.keys, account_id, scope);
    Footer {
        settings_link: link(base, "account/notifications", None),
        unsubscribe_page: link(base, "notifications/unsubscribe", Some(("token", &token))),
        one_click: link(base, "api/v1/notifications/unsubscribe", Some(("token", &token))),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    /// Not a token Portico made, or its account is gone.
    #[error("unknown unsubscribe token")]
    Unknown,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What `token` would turn off, and how that kind is delivered now.
pub async fn show(state: &AppState, token: &str) -> Result<UnsubscribeView, UnsubscribeError> {
    let found = checked(state, token).await?;
    let delivery = match found.scope {
        Scope::Kind(kind) => {
            let mut tx = state.db.pool.begin().await?;
            let delivery = preferences::delivery_of(&mut tx, &found.account_id, kind).await?;
            tx.rollback().await?;
            delivery
        }
        Scope::All => Delivery::Immediately,
    };
    Ok(UnsubscribeView { kind: found.scope.as_str().to_owned(), delivery: delivery.as_str().to_owned() })
}

/// Turns off what `token` names, audited. Doing it twice changes nothing more.
pub async fn turn_off(state: &AppState, token: &str, ip: &str) -> Result<UnsubscribeView, UnsubscribeError> {
    let found = checked(state, token).await?;
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    for kind in found.scope.kinds() {
        preferences::set(&mut tx, &found.account_id, kind, Delivery::Off, now).await?;
    }
    let event = Event::new(Action::NotificationsUnsubscribed, now).actor(&found.account_id).ip(Some(ip));
    audit::record(&mut tx, event.detail(json!({ "scope": found.scope.as_str() }))).await?;
    tx.commit().await?;
    Ok(UnsubscribeView { kind: found.scope.as_str().to_owned(), delivery: Delivery::Off.as_str().to_owned() })
}

async fn checked(state: &AppState, token: &str) -> Result<Unsubscribe, UnsubscribeError> {
    let found = verify(&state.keys, token).ok_or(UnsubscribeError::Unknown)?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1")
        .bind(&found.account_id)
        .fetch_optional(&state.db.pool)
        .await?;
    exists.map(|_| found).ok_or(UnsubscribeError::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_unsubscribe_tokens_are_bound_to_account_and_kind() {
        let keys = Keys::for_tests();
        let t = token(&keys, "acc-1", Scope::Kind(Kind::NewEntries));
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{t}");
        assert_eq!(
            verify(&keys, &t),
            Some(Unsubscribe { account_id: "acc-1".into(), scope: Scope::Kind(Kind::NewEntries) })
        );
        // Another kind or account with the same MAC does not verify.
        let mac = t.rsplit('.').next().unwrap();
        let other_kind = format!("{}.carer_access.{mac}", URL_SAFE_NO_PAD.encode("acc-1"));
        assert_eq!(verify(&keys, &other_kind), None);
        let other_account = format!("{}.new_entries.{mac}", URL_SAFE_NO_PAD.encode("acc-2"));
        assert_eq!(verify(&keys, &other_account), None);
        assert_eq!(verify(&keys, "garbage"), None);
        assert_eq!(verify(&keys, &format!("{t}.extra")), None);
    }
}
