//! The small proof of work a join page's form carries: the server hands out
//! a signed challenge, the browser finds a nonce such that
//! SHA-256(`challenge:nonce`) starts with enough zero bits, and the server
//! checks it with one hash. A person waits a fraction of a second once; a
//! script that posts thousands of forms pays that for each one.

use sha2::{Digest as _, Sha256};

/// The zero bits at the start of SHA-256(`challenge:nonce`).
pub fn leading_zero_bits(challenge: &str, nonce: u64) -> u32 {
    zero_bits(&prefix(challenge), nonce)
}

/// The first nonce that meets `bits` (about 2^bits hashes).
pub fn solve(challenge: &str, bits: u32) -> u64 {
    let prefix = prefix(challenge);
    (0..=u64::MAX).find(|&nonce| zero_bits(&prefix, nonce) >= bits).unwrap_or(u64::MAX)
}

/// The first nonce from `from` (trying `count`) that meets `bits`: for a
/// browser that solves a little at a time, between other work.
pub fn solve_within(challenge: &str, bits: u32, from: u64, count: u64) -> Option<u64> {
    let prefix = prefix(challenge);
    (from..from.saturating_add(count)).find(|&nonce| zero_bits(&prefix, nonce) >= bits)
}

/// The hash state after `challenge:`, shared by every nonce tried.
fn prefix(challenge: &str) -> Sha256 {
    Sha256::new().chain_update(challenge.as_bytes()).chain_update(b":")
}

fn zero_bits(prefix: &Sha256, nonce: u64) -> u32 {
    let digest = prefix.clone().chain_update(nonce.to_string().as_bytes()).finalize();
    let mut bits = 0;
    for byte in digest {
        bits += byte.leading_zeros();
        if byte != 0 {
            break;
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solution_meets_its_bits_and_a_guess_rarely_does() {
        let nonce = solve("v1.team.0.8.abc.sig", 8);
        assert!(leading_zero_bits("v1.team.0.8.abc.sig", nonce) >= 8);
        // Bound to its challenge: the same nonce on another one is a fresh guess.
        let misses = (0..64).filter(|n| leading_zero_bits("other", *n) >= 8).count();
        assert!(misses < 4);
        let found = solve_within("v1.team.0.8.abc.sig", 8, 0, nonce + 1);
        assert_eq!(found, Some(nonce));
        assert_eq!(solve_within("v1.team.0.8.abc.sig", 8, 0, nonce), None);
    }
}
