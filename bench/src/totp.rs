//! Staff sign-in's second factor, as the demo professionals' authenticator
//! app would answer it, with the server's own RFC 6238 code.

use portico_server::auth::second_factor::code_at;
use portico_server::clock::{Clock as _, SystemClock};
use portico_server::demo::DEMO_TOTP_SECRET;

/// The current 30-second step.
pub fn step_now() -> u64 {
    u64::try_from(SystemClock.now().unix_timestamp()).unwrap_or(0) / 30
}

/// The demo authenticator's code now.
pub fn demo_code_now() -> String {
    code_at(DEMO_TOTP_SECRET, SystemClock.now()).unwrap_or_default()
}
