//! Signing in and out, sessions, and the throttles that guard them.

pub mod extract;
pub mod new_password;
pub mod passwords;
pub mod routes;
pub mod second_factor;
pub mod second_factor_routes;
pub mod sessions;
pub mod sign_in;
pub mod throttle;
