//! Password hashing with argon2id at OWASP's parameters (m=19456 KiB, t=2, p=1).
//!
//! Hashing takes ~20 ms of one core, so it runs on the blocking pool, never on
//! the async runtime, with a cap on how many run at once: sign-ins saturate the
//! cores but the rest of the server keeps answering.

use std::sync::Arc;

use anyhow::Context as _;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore as _;
use tokio::sync::{OnceCell, Semaphore};

/// Passwords longer than this are refused before hashing (ASVS allows 64+;
/// the cap stops a megabyte-long "password" costing hashing time).
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Clone, Debug)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when an account does not
    /// exist, so a missing account takes as long as a wrong password.
    dummy: Arc<OnceCell<String>>,
}

fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes on the calling thread. For benches and seeding; servers use [`PasswordHasher::hash`].
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = argon2()?.hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?;
    Ok(hash.to_string())
}

/// Verifies on the calling thread.
pub fn verify_blocking(password: &str, hash: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    Ok(argon2()?.verify_password(password.as_bytes(), &parsed).is_ok())
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy: Arc::new(OnceCell::new()) }
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against `stored`; with no stored hash (no account,
    /// or an account without a password) it does the same work and says no.
    pub async fn verify(&self, password: String, stored: Option<String>) -> anyhow::Result<bool> {
        let (hash, real) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash().await?, false),
        };
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let matches = tokio::task::spawn_blocking(move || verify_blocking(&password, &hash)).await??;
        Ok(real && matches)
    }

    async fn dummy_hash(&self) -> anyhow::Result<String> {
        self.dummy
            .get_or_try_init(|| async {
                let mut random = [0u8; 32];
                rand::rng().fill_bytes(&mut random);
                let password = hex::encode(random);
                tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
            })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_the_right_password_only() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash("correct horse battery staple".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("correct horse battery staple".into(), Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("Correct horse battery staple".into(), Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn a_missing_hash_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify(String::new(), None).await.unwrap());
    }
}
