//! Sign-in throttling, per email tried and per client address, kept in the
//! database so every instance shares it.
//!
//! An attempt is counted *before* the password is checked and forgiven after a
//! success: parallel guesses cannot slip past the limit while earlier ones are
//! still hashing (the lockout race seen in Keycloak #31726). Counters are keyed
//! by a hash of the email as typed, so an address with no account is throttled
//! exactly like one with an account, and a lockout says nothing about existence.

use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use crate::clock::{parse_stored, stored};
use crate::db::{Engine, Tx};

/// How many attempts a key gets before each further one waits.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub free_attempts: i64,
    /// The first wait; each further failure doubles it, up to `max_lock`.
    pub first_lock: Duration,
    pub max_lock: Duration,
    /// Counting starts again once a key has been quiet this long.
    pub window: Duration,
}

/// Per account (by the email tried): a person who forgot their password gets a
/// few tries, then waits 1, 2, 4 … minutes, never more than 30, so an attacker
/// cannot lock a patient out for long.
pub const PER_EMAIL: Policy = Policy {
    free_attempts: 5,
    first_lock: Duration::minutes(1),
    max_lock: Duration::minutes(30),
    window: Duration::hours(24),
};

/// Per client address: wide enough for a clinic behind one NAT address,
/// tight enough to stop spraying many accounts from one place.
pub const PER_ADDRESS: Policy = Policy {
    free_attempts: 50,
    first_lock: Duration::minutes(1),
    max_lock: Duration::minutes(30),
    window: Duration::hours(1),
};

/// A throttle key: `email:<sha256>` or `ip:<address>`.
#[derive(Debug, Clone)]
pub struct Key(String);

impl Key {
    pub fn email(normalised_email: &str) -> Self {
        Self(format!("email:{}", hex::encode(Sha256::digest(normalised_email.as_bytes()))))
    }

    pub fn address(ip: &str) -> Self {
        Self(format!("ip:{ip}"))
    }

    /// The key as stored.
    pub fn text(&self) -> String {
        self.0.clone()
    }

    /// A key in a throttle of its own: `scope:value` (for example a code's
    /// hash, or an address counted apart from sign-in).
    pub fn scoped(scope: &str, value: &str) -> Self {
        Self(format!("{scope}:{value}"))
    }
}

/// The outcome of claiming an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Go ahead. `locked_now` says this attempt used the last free one.
    Allowed { failures: i64, locked_now: bool },
    /// Wait this long before the next attempt.
    Refused { retry_after: Duration },
}

/// A refusal's wait in whole seconds, at least one: what `Retry-After` says.
pub fn wait_secs(retry_after: Duration) -> u64 {
    u64::try_from(retry_after.whole_seconds()).unwrap_or(1).max(1)
}

/// Counts an attempt against `key` within `tx`, or refuses it while locked.
pub async fn claim(
    tx: &mut Tx,
    engine: Engine,
    key: &Key,
    policy: Policy,
    now: OffsetDateTime,
) -> Result<Claim, sqlx::Error> {
    let lock_row = match engine {
        Engine::Postgres => " FOR UPDATE",
        Engine::Sqlite => "", // BEGIN IMMEDIATE already holds the write lock
    };
    let select = format!(
        "SELECT failures, window_started_at, locked_until FROM sign_in_throttles WHERE throttle_key = $1{lock_row}"
    );
    // On PostgreSQL another transaction may forgive (delete) the row between
    // this one's insert and its locking read, which then finds nothing: the
    // row is made again and read again.
    let mut row = None;
    for _ in 0..3 {
        sqlx::query(
            "INSERT INTO sign_in_throttles (throttle_key, failures, window_started_at, locked_until) \
             VALUES ($1, 0, $2, NULL) ON CONFLICT (throttle_key) DO NOTHING",
        )
        .bind(&key.0)
        .bind(stored(now))
        .execute(&mut **tx)
        .await?;
        row = sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).bind(&key.0).fetch_optional(&mut **tx).await?;
        if row.is_some() {
            break;
        }
    }
    let (failures, window_started_at, locked_until): (i64, String, Option<String>) =
        row.ok_or(sqlx::Error::RowNotFound)?;

    let locked_until = locked_until.as_deref().and_then(parse_stored);
    if let Some(until) = locked_until.filter(|until| *until > now) {
        return Ok(Claim::Refused { retry_after: until - now });
    }
    let window_started_at = parse_stored(&window_started_at).unwrap_or(now);
    let (failures, window_started_at) =
        if now - window_started_at > policy.window { (1, now) } else { (failures + 1, window_started_at) };
    let lock = (failures >= policy.free_attempts).then(|| now + lock_for(policy, failures));
    sqlx::query(
        "UPDATE sign_in_throttles SET failures = $2, window_started_at = $3, locked_until = $4 WHERE throttle_key = $1",
    )
    .bind(&key.0)
    .bind(failures)
    .bind(stored(window_started_at))
    .bind(lock.map(stored))
    .execute(&mut **tx)
    .await?;
    Ok(Claim::Allowed { failures, locked_now: lock.is_some() })
}

/// Forgives the attempt counted by [`claim`] after the password proved right:
/// the email's counter is cleared, the address's loses that one attempt.
pub async fn forgive(tx: &mut Tx, email: &Key, address: &Key, policy: Policy) -> Result<(), sqlx::Error> {
    forgive_key(tx, email).await?;
    sqlx::query(
        "UPDATE sign_in_throttles SET failures = failures - 1, \
         locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END \
         WHERE throttle_key = $1 AND failures > 0",
    )
    .bind(&address.0)
    .bind(policy.free_attempts)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Clears `key`'s counter after its attempt succeeded.
pub async fn forgive_key(tx: &mut Tx, key: &Key) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_throttles WHERE throttle_key = $1").bind(&key.0).execute(&mut **tx).await?;
    Ok(())
}

/// 1, 2, 4 … times the first lock for each failure past the free attempts, capped.
fn lock_for(policy: Policy, failures: i64) -> Duration {
    let doublings = u32::try_from((failures - policy.free_attempts).clamp(0, 16)).unwrap_or(16);
    let lock = policy.first_lock * 2_i32.pow(doublings);
    lock.min(policy.max_lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_and_are_capped() {
        assert_eq!(lock_for(PER_EMAIL, 5), Duration::minutes(1));
        assert_eq!(lock_for(PER_EMAIL, 6), Duration::minutes(2));
        assert_eq!(lock_for(PER_EMAIL, 8), Duration::minutes(8));
        assert_eq!(lock_for(PER_EMAIL, 40), Duration::minutes(30));
    }

    #[test]
    fn email_keys_do_not_hold_the_address() {
        let Key(k) = Key::email("jo@example.com");
        assert!(!k.contains("jo"));
    }
}
