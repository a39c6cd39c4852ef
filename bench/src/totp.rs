//! Staff sign-in's second factor, as the demo professionals' authenticator
//! app would answer it: TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, six
//! digits) from the secret the demo seed sets up.

use hmac::{Hmac, KeyInit as _, Mac as _};
use portico_server::clock::{Clock as _, SystemClock};
use sha1::Sha1;

/// The demo professionals' authenticator secret: the server's
/// `demo::DEMO_TOTP_SECRET` (a demo's secret is no secret), written out here
/// so the battery builds against a server with or without second factors.
pub const DEMO_SECRET: &[u8] = b"portico-demo-totp-20";

/// The current 30-second step.
pub fn step_now() -> u64 {
    u64::try_from(SystemClock.now().unix_timestamp()).unwrap_or(0) / 30
}

/// The six-digit code for `step` (RFC 4226's dynamic truncation).
pub fn code(secret: &[u8], step: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bytes = [digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]];
    format!("{:06}", u32::from_be_bytes(bytes) % 1_000_000)
}

#[cfg(test)]
mod tests {
    /// RFC 6238's SHA-1 test vectors (its secret, eight digits cut to six).
    #[test]
    fn matches_the_rfc_vectors() {
        let secret = b"12345678901234567890";
        assert_eq!(super::code(secret, 59 / 30), "287082");
        assert_eq!(super::code(secret, 1_111_111_109 / 30), "081804");
        assert_eq!(super::code(secret, 1_234_567_890 / 30), "005924");
    }
}
