//! The server's keys, and the one-time tokens it sends out.
//!
//! Invitation codes carry 55 random bits: too few to store with a plain hash
//! (every code could be tried offline against a leaked table) and too many
//! people to afford a password hash each (argon2id at ~20 ms a code is hours
//! of CPU per million invitations, on every mass campaign). So codes, and the
//! six-digit codes in verification emails, are stored as HMAC-SHA256 under a
//! server key that is not in the database's tables of codes: a leaked table
//! alone says nothing. What makes a code safe to guess at online is the
//! pairing with the date of birth and a hard cap of attempts per code.
//!
//! The key comes from `PORTICO_SECRET_KEY` (64 hex digits or more; every
//! instance sharing a database must share it). Without one, as in the
//! embedded demo, a key is generated once and kept in the database, with a
//! warning: that is convenient, and no protection against a stolen database.

use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::clock::stored;
use crate::db::Db;

type HmacSha256 = Hmac<Sha256>;

const GENERATED_KEY_NAME: &str = "code_key";

/// The keys hashing codes. Never logged.
#[derive(Clone)]
pub struct Keys {
    code_key: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

impl Keys {
    /// The configured key, or the database's generated one (made on first start).
    pub async fn load(db: &Db, configured: Option<&str>, now: OffsetDateTime) -> anyhow::Result<Self> {
        if let Some(hex_key) = configured {
            let code_key =
                hex::decode(hex_key.trim()).map_err(|_| anyhow::anyhow!("PORTICO_SECRET_KEY must be hexadecimal"))?;
            anyhow::ensure!(code_key.len() >= 32, "PORTICO_SECRET_KEY must be at least 64 hex digits (256 bits)");
            return Ok(Self { code_key });
        }
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(GENERATED_KEY_NAME)
        .bind(hex::encode(fresh))
        .bind(stored(now))
        .execute(&db.pool)
        .await?;
        let kept: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(GENERATED_KEY_NAME)
            .fetch_one(&db.pool)
            .await?;
        tracing::warn!("no PORTICO_SECRET_KEY set: using a key kept in the database (set one in production)");
        Ok(Self { code_key: hex::decode(kept)? })
    }

    /// A fixed key, for tests and benches.
    pub fn for_tests() -> Self {
        Self { code_key: vec![7; 32] }
    }

    /// The keyed hash of `text` in `purpose`'s domain, as hex. Purposes keep
    /// one kind of code from ever matching another kind's hash.
    pub fn code_hash(&self, purpose: &str, text: &str) -> String {
        // new_from_slice only fails for key sizes HMAC cannot take; it takes any.
        let mut mac = match <HmacSha256 as Mac>::new_from_slice(&self.code_key) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// `secret` encrypted and authenticated (AES-256-GCM, a fresh random
    /// nonce) under a key of `purpose`'s own, derived from the server key:
    /// for secrets the server must read back, such as TOTP seeds.
    pub fn seal(&self, purpose: &str, secret: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .sealing_cipher(purpose)
            .encrypt(Nonce::from_slice(&nonce), secret)
            .map_err(|_| anyhow::anyhow!("sealing a secret failed"))?;
        Ok(format!("{}.{}", hex::encode(nonce), hex::encode(sealed)))
    }

    /// What [`Keys::seal`] sealed for `purpose`, or `None` when the text was
    /// sealed under another key or purpose, or changed.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = sealed.split_once('.')?;
        let nonce = hex::decode(nonce).ok().filter(|n| n.len() == 12)?;
        let ciphertext = hex::decode(ciphertext).ok()?;
        self.sealing_cipher(purpose).decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice()).ok()
    }

    fn sealing_cipher(&self, purpose: &str) -> Aes256Gcm {
        let key = hex::decode(self.code_hash("sealing key", purpose)).unwrap_or_default();
        Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(&key))
    }
}

/// A 256-bit random token for a link in an email or a cookie: only its
/// SHA-256 is stored (at 256 bits, a fast hash is enough).
#[derive(Clone)]
pub struct OneTimeToken(String);

impl OneTimeToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    /// A token as it comes back from a link or cookie: 64 hex digits, or nothing.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for OneTimeToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeToken(***)")
    }
}

/// A six-digit code for an email, as people read it: `123 456`.
pub fn six_digit_code() -> String {
    let n = rand::random_range(0..1_000_000u32);
    format!("{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_keep_hashes_apart() {
        let keys = Keys::for_tests();
        assert_eq!(keys.code_hash("invitation", "ABC"), keys.code_hash("invitation", "ABC"));
        assert_ne!(keys.code_hash("invitation", "ABC"), keys.code_hash("email", "ABC"));
        assert_eq!(keys.code_hash("invitation", "ABC").len(), 64);
    }

    #[test]
    fn sealed_secrets_open_only_for_their_purpose_and_key() {
        let keys = Keys::for_tests();
        let sealed = keys.seal("totp", b"twenty bytes of seed").unwrap();
        assert!(!sealed.contains(&hex::encode(b"twenty bytes of seed")));
        assert_eq!(keys.open("totp", &sealed).as_deref(), Some(&b"twenty bytes of seed"[..]));
        assert_ne!(keys.seal("totp", b"twenty bytes of seed").unwrap(), sealed, "a fresh nonce each time");
        assert_eq!(keys.open("other", &sealed), None);
        assert_eq!(Keys { code_key: vec![8; 32] }.open("totp", &sealed), None);
        let mut changed = sealed.clone();
        changed.replace_range(sealed.len() - 1.., if sealed.ends_with('0') { "1" } else { "0" });
        assert_eq!(keys.open("totp", &changed), None);
        assert_eq!(keys.open("totp", "not sealed"), None);
    }

    #[test]
    fn tokens_parse_only_their_own_form() {
        let token = OneTimeToken::generate();
        assert_eq!(OneTimeToken::parse(token.as_str()).map(|t| t.hash()), Some(token.hash()));
        assert!(OneTimeToken::parse("abc").is_none());
        assert!(OneTimeToken::parse(&"g".repeat(64)).is_none());
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn six_digit_codes_have_six_digits() {
        for _ in 0..100 {
            let code = six_digit_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
