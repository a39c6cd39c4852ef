//! Registration by invitation, and the account basics that come with it:
//! forgotten password, change of email, sign out everywhere.

use serde::{Deserialize, Serialize};

use crate::EmailAddress;

/// `POST /api/v1/registration`: the code from the invitation and the date of
/// birth (`YYYY-MM-DD`), checked together. Neither alone is enough.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartRegistrationRequest {
    pub code: String,
    pub date_of_birth: String,
}

/// `POST /api/v1/registration/renewal` (asked with the code and date of
/// birth of a `StartRegistrationRequest`): one sentence, the same whatever
/// happened, so that nothing about a record can be learned from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRenewalAnswer {
    pub message: String,
}

/// Where a registration in progress has got to: the answer of every
/// registration step, and of `GET /api/v1/registration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStep {
    /// Give an email address.
    Email,
    /// Prove the email address: follow the link, or type the code, we sent.
    ConfirmEmail,
    /// Choose a password and accept the terms.
    Password,
    /// A professional's own record: sign in with the account the invitation
    /// was sent to (`email`), and the record joins it.
    LinkAccount,
}

/// `POST /api/v1/registration/link`: the password of the account a
/// professional's invitation was sent to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkAccountRequest {
    pub password: String,
}

/// `POST /api/v1/registration/email`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistrationEmailRequest {
    pub email: String,
}

/// `POST /api/v1/registration/email/confirm`: the six-digit code typed on the
/// device where registration started, or the link's token on any device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteRegistrationRequest {
    pub password: String,
    pub accept_terms: bool,
}

/// `POST /api/v1/password-reset`: always answered 202, whether or not there
/// is an account for the address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// `POST /api/v1/password-reset/complete`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompletePasswordResetRequest {
    pub token: String,
    pub password: String,
}

/// `POST /api/v1/me/email`: a change of email, proved at the new address.
/// The current password is asked again: a session left open on a shared
/// computer is not enough to take an account over.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    pub new_email: String,
    pub password: String,
}

/// `POST /api/v1/me/email/confirm`: the token from the link sent to the new address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailChangeRequest {
    pub token: String,
}

/// `POST /api/v1/staff/records/{record_id}/invitations`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueInvitationRequest {
    /// `letter` (printed: the answer carries the letter as a PDF), `sms` or
    /// `email`. Handing the device over has its own call.
    pub channel: String,
    /// For `email`: the address to send to; the record's own when absent.
    #[serde(default)]
    pub email: Option<String>,
    /// For `sms`: the UK mobile number to send to; the record's own when absent.
    #[serde(default)]
    pub mobile: Option<String>,
}

/// An invitation just issued. The code is shown this once (for a letter, to
/// print); Portico keeps only its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Where an email or text message went, as people write it.
    #[serde(default)]
    pub sent_to: Option<String>,
    /// For a letter: the one-page A4 letter to print, a PDF in base64.
    #[serde(default)]
    pub letter_pdf: Option<String>,
}

/// The answer to `POST /api/v1/registration/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationCompleted {
    /// The patient's new session, when this device is theirs.
    pub signed_in: Option<crate::api::SessionResponse>,
    /// The device was handed over at the desk: the patient is not signed in
    /// on it, and gives it back to the professional.
    pub hand_back: bool,
}

/// `POST /api/v1/staff/records/{record_id}/handover`: the device is handed
/// to the patient, who registers on it; the professional's session is
/// suspended until they enter their password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverStarted {
    /// Where the patient starts: the registration page with the code filled in.
    pub register_path: String,
}

/// `GET /api/v1/session/handover`: who handed this device over, for the
/// page that hands it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverView {
    pub staff_name: String,
    pub staff_email: EmailAddress,
    /// The record the device was handed over from, to go back to.
    pub record_id: Option<String>,
}

/// `POST /api/v1/session/resume`: the professional takes the device back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResumeSessionRequest {
    pub password: String,
}

fn email_channel() -> String {
    "email".into()
}

/// One email or text message in the development outbox (no SMTP server
/// configured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEmail {
    pub id: String,
    /// `email` or `sms`.
    #[serde(default = "email_channel")]
    pub channel: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The HTML alternative, rendered from the same template as the text.
    #[serde(default)]
    pub html: Option<String>,
    pub created_at: String,
}

/// `GET /api/v1/staff/dev-outbox`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevOutboxResponse {
    pub emails: Vec<OutboxEmail>,
}

/// `GET /api/v1/staff/teams/{team_id}/professionals-as-patients`: the
/// organisation's professionals who have a record in the team (team admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfessionalsAsPatientsResponse {
    pub professionals: Vec<ProfessionalAsPatient>,
    /// How many of them can be invited now.
    pub invitable: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfessionalAsPatient {
    pub account_id: String,
    pub name: String,
    pub email: EmailAddress,
    pub record_id: String,
    /// `nhs_number`, or `email_and_date_of_birth`.
    pub matched_by: String,
    /// `not_invited`, `invited`, `registered` (the record is in their
    /// account), `registered_elsewhere`, or `cannot_invite` (whatever the
    /// reason, which only those who may see exclusions learn on the record).
    pub state: String,
}

/// The answer to `POST /api/v1/staff/teams/{team_id}/professionals-as-patients/invitations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfessionalInvitationsSent {
    pub invited: u64,
    /// Already registered or invited, or not to be invited.
    pub skipped: u64,
}
