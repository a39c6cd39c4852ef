//! Registration by invitation, and the account basics that come with it:
//! forgotten password, change of email, sign out everywhere.

use serde::{Deserialize, Serialize};

use crate::EmailAddress;

/// `POST /api/v1/registration`: the code from the invitation and the date of
/// birth (`YYYY-MM-DD`), checked together. Neither alone is enough.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRegistrationRequest {
    pub code: String,
    pub date_of_birth: String,
}

/// Where a registration in progress has got to: the answer of every
/// registration step, and of `GET /api/v1/registration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub step: RegistrationStep,
    /// The patient's first name, to greet them: shown only once the code and
    /// date of birth have matched.
    pub given_name: String,
    /// The address being confirmed, or (before one is given) the one on the
    /// record, to pre-fill the email step.
    pub email: Option<EmailAddress>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStep {
    /// Give an email address.
    Email,
    /// Prove the email address: follow the link, or type the code, we sent.
    ConfirmEmail,
    /// Choose a password and accept the terms.
    Password,
}

/// `POST /api/v1/registration/email`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationEmailRequest {
    pub email: String,
}

/// `POST /api/v1/registration/email/confirm`: the six-digit code typed on the
/// device where registration started, or the link's token on any device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailRequest {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
}

/// `POST /api/v1/registration/complete`: answered with a `SessionResponse`,
/// signed in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteRegistrationRequest {
    pub password: String,
    pub accept_terms: bool,
}

/// `POST /api/v1/password-reset`: always answered 202, whether or not there
/// is an account for the address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// `POST /api/v1/password-reset/complete`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletePasswordResetRequest {
    pub token: String,
    pub password: String,
}

/// `POST /api/v1/me/email`: a change of email, proved at the new address.
/// The current password is asked again: a session left open on a shared
/// computer is not enough to take an account over.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    pub new_email: String,
    pub password: String,
}

/// `POST /api/v1/me/email/confirm`: the token from the link sent to the new address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailChangeRequest {
    pub token: String,
}

/// `POST /api/v1/staff/records/{record_id}/invitations`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueInvitationRequest {
    /// `letter` or `email` (SMS, kiosk and face-to-face come with their own pages).
    pub channel: String,
    /// For `email`: the address to send to; the record's own when absent.
    #[serde(default)]
    pub email: Option<String>,
}

/// An invitation just issued. The code is shown this once (for a letter, to
/// print); Portico keeps only its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedInvitation {
    pub id: String,
    pub channel: String,
    /// Grouped, as printed: `7KQM-2XRD-93TB`. Absent for email: only the
    /// patient's inbox holds it.
    pub code: Option<String>,
    /// The link form, also only for letters, and the same link as a QR code
    /// (an SVG image, to show or print).
    pub link: Option<String>,
    #[serde(default)]
    pub qr_svg: Option<String>,
    pub expires_at: String,
    /// Earlier live invitations on the same channel, now revoked.
    pub revoked: u64,
}

/// One email in the development outbox (no SMTP server configured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
}

/// `GET /api/v1/staff/dev-outbox`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevOutboxResponse {
    pub emails: Vec<OutboxEmail>,
}
