//! Password hashing with argon2id at OWASP's parameters (m=19456 KiB, t=2, p=1).
//!
//! Hashing takes ~14 ms of one core, so it runs on threads of its own, never
//! on the async runtime, as many at once as configured (the cores, by
//! default): sign-ins saturate the cores but the rest of the server keeps
//! answering.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;

use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore as _;
use tokio::sync::{OnceCell, oneshot};

/// Passwords longer than this are refused before hashing (ASVS allows 64+;
/// the cap stops a megabyte-long "password" costing hashing time).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Hashes and verifies on threads of its own, as many as the configured
/// concurrency: a queue feeds them, so a thread that finishes one password
/// starts the next at once (the earlier semaphore over `spawn_blocking` left
/// the cores idle a tenth of the time between hashes under a sign-in load).
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: std::sync::mpsc::Sender<Job>,
    /// A hash of a random password, verified against when an account does not
    /// exist, so a missing account takes as long as a wrong password.
    dummy: Arc<OnceCell<String>>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").finish_non_exhaustive()
    }
}

/// Work for the hashing threads; each answers on its channel.
enum Job {
    Hash(String, oneshot::Sender<anyhow::Result<String>>),
    Verify(String, String, oneshot::Sender<anyhow::Result<bool>>),
}

fn hashing_thread(jobs: Arc<Mutex<std::sync::mpsc::Receiver<Job>>>) {
    loop {
        // The lock is held only to take a job, never while hashing.
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(Job::Hash(password, answer)) => {
                let _ = answer.send(hash_blocking(&password));
            }
            Ok(Job::Verify(password, hash, answer)) => {
                let _ = answer.send(verify_blocking(&password, &hash));
            }
            // Every sender is gone: the hasher was dropped.
            Err(_) => return,
        }
    }
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

thread_local! {
    // argon2's 19 MiB of working memory, kept by each hashing thread between
    // verifications. Allocating it afresh each time cost a fifth of the
    // server's CPU in the kernel under a sign-in load (page faults on fresh
    // pages), measured by `scripts/bench registration`.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Verifies on the calling thread, reusing this thread's working memory.
pub fn verify_blocking(password: &str, hash: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let version = Version::try_from(parsed.version.unwrap_or(0x13)).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        anyhow::bail!("stored hash has no salt or output");
    };
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("stored salt: {e}"))?;
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() != params.block_count() {
            blocks.clear();
            blocks.resize(params.block_count(), Block::default());
        }
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut blocks[..])
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })?;
    // Output compares in constant time.
    Ok(Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))? == expected)
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        let (jobs, receiver) = std::sync::mpsc::channel();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..concurrency.max(1) {
            let receiver = Arc::clone(&receiver);
            // A thread that cannot start leaves the others to do the work; with none, calls fail.
            let _ = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || hashing_thread(receiver));
        }
        Self { jobs, dummy: Arc::new(OnceCell::new()) }
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let (answer, answered) = oneshot::channel();
        self.jobs.send(Job::Hash(password, answer)).map_err(|_| anyhow::anyhow!("hasher closed"))?;
        answered.await.context("hashing thread gone")?
    }

    /// Verifies `password` against `stored`; with no stored hash (no account,
    /// or an account without a password) it does the same work and says no.
    pub async fn verify(&self, password: String, stored: Option<String>) -> anyhow::Result<bool> {
        let (hash, real) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash().await?, false),
        };
        let (answer, answered) = oneshot::channel();
        self.jobs.send(Job::Verify(password, hash, answer)).map_err(|_| anyhow::anyhow!("hasher closed"))?;
        let matches = answered.await.context("hashing thread gone")??;
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

    #[test]
    fn verifies_hashes_made_by_the_crate_itself_and_refuses_garbage() {
        // A hash made by argon2's own PasswordHasher, as older releases stored.
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let theirs = argon2().unwrap().hash_password(b"mango river lantern", &salt).unwrap().to_string();
        assert!(verify_blocking("mango river lantern", &theirs).unwrap());
        assert!(!verify_blocking("mango river lanterns", &theirs).unwrap());
        // Twice on one thread: the reused memory gives the same answer.
        assert!(verify_blocking("mango river lantern", &theirs).unwrap());
        assert!(verify_blocking("x", "not a hash").is_err());
    }

    #[tokio::test]
    async fn a_missing_hash_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify(String::new(), None).await.unwrap());
    }
}
