//! Kiosk check-in at the clinic: staff set a device up as a team's kiosk,
//! and patients checking in for an appointment are invited on it.
//!
//! The kiosk's answers never carry a record's details (not even the name,
//! the number or the address a message goes to): whoever stands at a kiosk
//! learns only what they could see on their own phone.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/staff/teams/{team_id}/kiosks`: sets up the device that sends
/// it as a kiosk of the team (the answer sets the kiosk's cookie and ends the
/// staff session on that device).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateKioskRequest {
    /// What staff call the device: "Reception, level 2".
    pub name: String,
}

/// A kiosk as its team's staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskSummary {
    pub id: String,
    pub name: String,
    /// The professional who set it up, by name.
    pub created_by: String,
    pub created_at: String,
    pub last_seen_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// `GET /api/v1/staff/teams/{team_id}/kiosks`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KiosksResponse {
    pub kiosks: Vec<KioskSummary>,
}

/// `GET /api/v1/kiosk`: what the kiosk's start page shows. A kiosk that was
/// switched off is answered 401 `kiosk-revoked`; a device that is not a
/// kiosk, 401 `kiosk-not-set-up`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskView {
    pub team_name: String,
    /// Seconds without a touch after which the kiosk starts again.
    pub idle_reset_secs: u32,
}

/// `POST /api/v1/kiosk/check-ins`: the date of birth (`YYYY-MM-DD`) with
/// exactly one of the family name, the NHS number or the reference printed
/// on an appointment letter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KioskCheckInRequest {
    pub date_of_birth: String,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub nhs_number: Option<String>,
    #[serde(default)]
    pub letter_reference: Option<String>,
}

/// The answer to a check-in. Not found, excluded and ambiguous are one and
/// the same answer (`not_found`), so nobody can learn from a kiosk that a
/// record is excluded, or exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum KioskCheckInResponse {
    /// Not registered: choose how to get the invitation, with `token`, within
    /// `expires_in_secs`.
    Invitable { token: String, options: Vec<KioskInviteVia>, expires_in_secs: u32 },
    /// The record already has an account: sign in on a phone.
    AlreadyRegistered,
    /// "We could not find you. Please check in at reception."
    NotFound,
}

/// How a patient at a kiosk gets their invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KioskInviteVia {
    /// A text message to the mobile number already on their record.
    Sms,
    /// An email to the address already on their record.
    Email,
    /// A code and a QR code on the kiosk's screen, to register on their phone.
    Screen,
}

impl KioskInviteVia {
    pub const ALL: [KioskInviteVia; 3] = [Self::Sms, Self::Email, Self::Screen];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Screen => "screen",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// `POST /api/v1/kiosk/invitations`: the check-in's token and the choice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KioskInvitationRequest {
    pub token: String,
    /// `sms`, `email` or `screen`.
    pub via: String,
}

/// The invitation issued at a kiosk. For `screen`, the code and the
/// registration link as a QR code; otherwise only where it went, in words
/// that say nothing of the number or address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskInvitation {
    pub via: KioskInviteVia,
    /// The code in groups (`7KQM-2XRD-93TB`), on screen only.
    pub code: Option<String>,
    pub qr_svg: Option<String>,
    pub expires_at: String,
}
