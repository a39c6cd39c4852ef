//! Signing in with NHS login: Portico as an OpenID Connect relying party to
//! NHS login's contract (shared/NHS_LOGIN.md). Authorisation code flow with
//! state and nonce kept server-side, `private_key_jwt` client assertions
//! signed RS512, vectors of trust asking for P9, and the ID token and
//! userinfo checked before anything is written.
//!
//! What a proven identity does: a returning one (issuer + `sub`) signs in; at
//! P9 the record with the proven NHS number and date of birth is claimed
//! with no invitation, or a new record is made where there is none; an
//! excluded record is never claimed, the sign-up is held and staff are told;
//! P5 never claims. See `decide` for when an existing account is linked, and
//! `join` for what a sign-in from a team's join page adds.

pub mod decide;
pub mod flow;
pub mod held;
pub mod identity;
pub mod join;
pub mod key;
pub mod outcome;
pub mod pending;
pub mod provider;
pub mod routes;
pub mod settings;

pub use provider::Provider;
pub use settings::NhsLoginSettings;
