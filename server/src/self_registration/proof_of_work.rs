//! The join form's proof of work, server side: challenges signed with the
//! server's key (so they need no storage), bound to one team, short-lived,
//! and used once (a used challenge's hash is locked in the throttle table,
//! which every instance shares).
//!
//! Chosen over a third-party captcha: nothing leaves for another company,
//! no puzzle a screen reader or a tired patient has to solve, and no cookie
//! or script of someone else's on an NHS page. It does not stop a person;
//! it makes a flood cost CPU per form, and the per-address and per-email
//! limits cap what is left.

use portico_types::proof_of_work::leading_zero_bits;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use crate::auth::throttle::{self, Claim, Key, Policy};
use crate::db::{Engine, Tx};
use crate::secrets::{Keys, OneTimeToken};

/// How long a challenge may be solved and sent: long enough to fill in the form slowly.
pub const LIFETIME: Duration = Duration::hours(1);
const PURPOSE: &str = "join-challenge";
const VERSION: &str = "v1";

/// Used once: the first claim of a challenge locks it for as long as it lives.
const ONCE: Policy = Policy { free_attempts: 1, first_lock: LIFETIME, max_lock: LIFETIME, window: LIFETIME };

/// A new challenge for team `team_id`'s form, asking `bits` zero bits.
pub fn issue(keys: &Keys, team_id: &str, bits: u32, now: OffsetDateTime) -> String {
    let expires = (now + LIFETIME).unix_timestamp();
    // A one-time token's text is 256 random bits in hex: a fine salt.
    let salt = OneTimeToken::generate();
    let payload = format!("{VERSION}.{team_id}.{expires}.{bits}.{}", salt.as_str());
    let signature = keys.code_hash(PURPOSE, &payload);
    format!("{payload}.{signature}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the challenge is not one of ours, or not for this team")]
    Forged,
    #[error("the challenge has expired")]
    Expired,
    #[error("the challenge asks for less work than the server now wants")]
    TooEasy,
    #[error("the nonce does not solve the challenge")]
    Unsolved,
    #[error("the challenge has been used")]
    Used,
}

/// Checks a solved challenge for team `team_id` against `min_bits`, without using it up.
pub fn check(
    keys: &Keys,
    team_id: &str,
    challenge: &str,
    nonce: &str,
    min_bits: u32,
    now: OffsetDateTime,
) -> Result<(), Refused> {
    let (payload, signature) = challenge.rsplit_once('.').ok_or(Refused::Forged)?;
    // Compared through a second hash, so the time a comparison takes says
    // nothing about how much of a forged signature was right.
    if Sha256::digest(keys.code_hash(PURPOSE, payload)) != Sha256::digest(signature) {
        return Err(Refused::Forged);
    }
    let parts: Vec<&str> = payload.split('.').collect();
    let [VERSION, team, expires, bits, _salt] = parts.as_slice() else { return Err(Refused::Forged) };
    if *team != team_id {
        return Err(Refused::Forged);
    }
    let expires: i64 = expires.parse().map_err(|_| Refused::Forged)?;
    if now.unix_timestamp() >= expires {
        return Err(Refused::Expired);
    }
    let bits: u32 = bits.parse().map_err(|_| Refused::Forged)?;
    if bits < min_bits {
        return Err(Refused::TooEasy);
    }
    let nonce: u64 = nonce.trim().parse().map_err(|_| Refused::Unsolved)?;
    if leading_zero_bits(challenge, nonce) < bits {
        return Err(Refused::Unsolved);
    }
    Ok(())
}

/// Uses a checked challenge up, within `tx`; a second use is refused.
pub async fn use_up(tx: &mut Tx, engine: Engine, challenge: &str, now: OffsetDateTime) -> Result<(), UseError> {
    let key = Key::scoped("join-challenge", &hex::encode(Sha256::digest(challenge.as_bytes())));
    match throttle::claim(tx, engine, &key, ONCE, now).await? {
        Claim::Allowed { .. } => Ok(()),
        Claim::Refused { .. } => Err(UseError::Used),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UseError {
    #[error("the challenge has been used")]
    Used,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[cfg(test)]
mod tests {
    use portico_types::proof_of_work::solve;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-27 21:00 UTC);

    #[test]
    fn a_solved_challenge_passes_for_its_team_only() {
        let keys = Keys::for_tests();
        let challenge = issue(&keys, "team-1", 6, NOW);
        let nonce = solve(&challenge, 6).to_string();
        assert_eq!(check(&keys, "team-1", &challenge, &nonce, 6, NOW), Ok(()));
        assert_eq!(check(&keys, "team-2", &challenge, &nonce, 6, NOW), Err(Refused::Forged));
        assert_eq!(check(&keys, "team-1", &challenge, &nonce, 7, NOW), Err(Refused::TooEasy));
        assert_eq!(check(&keys, "team-1", &challenge, &nonce, 6, NOW + LIFETIME), Err(Refused::Expired));
    }

    #[test]
    fn tampering_and_guessing_are_refused() {
        let keys = Keys::for_tests();
        let challenge = issue(&keys, "team-1", 6, NOW);
        let easier = challenge.replacen(".6.", ".1.", 1);
        assert_eq!(check(&keys, "team-1", &easier, "0", 1, NOW), Err(Refused::Forged));
        assert_eq!(check(&keys, "team-1", &challenge, "not a number", 6, NOW), Err(Refused::Unsolved));
        assert_eq!(check(&keys, "team-1", "no dots", "1", 6, NOW), Err(Refused::Forged));
        let wrong = (0..u64::MAX).find(|n| leading_zero_bits(&challenge, *n) < 6).unwrap_or(0);
        assert_eq!(check(&keys, "team-1", &challenge, &wrong.to_string(), 6, NOW), Err(Refused::Unsolved));
    }
}
