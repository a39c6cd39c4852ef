//! Signing in and out, sessions, and the throttles that guard them.

pub mod extract;
pub mod passwords;
pub mod routes;
pub mod sessions;
pub mod sign_in;
pub mod throttle;
