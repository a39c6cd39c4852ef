//! The second factor: a TOTP authenticator (required for professionals,
//! optional for patients) and its recovery codes.

use serde::{Deserialize, Serialize};

use super::SessionResponse;

/// What a session signed in with a password must still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SecondFactorStep {
    /// Enter a code from the authenticator app, or a recovery code.
    Verify,
    /// Set an authenticator app up first (a professional who has none).
    Enrol,
}

/// `POST /api/v1/session/second-factor` and
/// `POST /api/v1/session/second-factor/enrolment/confirm`: a code as typed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecondFactorCodeRequest {
    pub code: String,
}

/// `POST /api/v1/session/second-factor/enrolment`: a new authenticator's
/// secret, to scan or type in; shown while it is set up, never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorEnrolment {
    /// Base 32, in groups of four, for typing in by hand.
    pub secret: String,
    /// The `otpauth://totp/…` link the QR code holds.
    pub otpauth_uri: String,
    /// The QR code, an SVG element.
    pub qr_svg: String,
}

/// The authenticator confirmed: the session (now whole) and the recovery
/// codes, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorConfirmed {
    pub session: SessionResponse,
    pub recovery_codes: Vec<String>,
}

/// `GET /api/v1/me/second-factor`: for the account page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorStatus {
    pub set_up: bool,
    /// Professionals cannot turn theirs off.
    pub required: bool,
    pub recovery_codes_left: u32,
}

/// `DELETE /api/v1/me/second-factor`: a patient turns it off, with their password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveSecondFactorRequest {
    pub password: String,
}
