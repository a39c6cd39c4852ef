//! Self-registration: a team's public join page, the patient's view of
//! their requests to join, and the team's queue as staff see it.

use serde::{Deserialize, Serialize};

use super::RecordSummary;
use crate::{DateOfBirth, EmailAddress, NhsNumber};

/// `GET /api/v1/join/{slug}`: a team's open join page, with a fresh
/// proof-of-work challenge for its form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinPageView {
    pub team_name: String,
    /// The team's message to patients; plain text, may hold line breaks.
    pub message: String,
    /// Signed by the server; the form sends it back with a nonce such that
    /// SHA-256(`challenge:nonce`) starts with `bits` zero bits.
    pub challenge: String,
    pub bits: u32,
}

/// `POST /api/v1/join/{slug}`: what a patient typed on a join page. The
/// answer is a [`super::RegistrationView`] at the email proof step.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Optional; empty for none.
    #[serde(default)]
    pub nhs_number: String,
    pub email: String,
    /// Optional; empty for none.
    #[serde(default)]
    pub mobile: String,
    /// The field people never see and bots fill in; must come back empty.
    #[serde(default)]
    pub leave_blank: String,
    pub challenge: String,
    pub nonce: String,
}

/// Where a request to join a team has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignUpState {
    Waiting,
    Linked,
    Created,
    Declined,
}

/// `GET /api/v1/me/sign-ups`: the signed-in person's requests to join teams, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySignUpsResponse {
    pub sign_ups: Vec<MySignUp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySignUp {
    pub team_name: String,
    pub state: SignUpState,
    /// The team's words, when it declined.
    pub decline_reason: Option<String>,
    /// `YYYY-MM-DD`.
    pub requested_on: String,
}

/// `GET /api/v1/staff/teams/{team_id}/sign-ups`: the team's waiting sign-ups, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpQueueResponse {
    pub team_name: String,
    /// Where the team's join page is: `/join/{team_slug}`.
    pub team_slug: String,
    pub sign_ups: Vec<QueuedSignUp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedSignUp {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub nhs_number: Option<NhsNumber>,
    pub email: EmailAddress,
    /// E.164, as given.
    pub mobile: Option<String>,
    /// `password` or `nhs_login`.
    pub source: String,
    /// `P0`, `P5` or `P9` for NHS login.
    pub identity_level: Option<String>,
    /// `team_reviews_all`, `identity_not_proven`, `excluded_record`, ...
    pub held_because: String,
    /// `YYYY-MM-DD`.
    pub requested_on: String,
    /// The team's records that could be this person.
    pub matches: Vec<SignUpMatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpMatch {
    pub record: RecordSummary,
    /// Matched on NHS number and date of birth (else on name and date of birth).
    pub by_nhs_number: bool,
    /// Under a safeguarding exclusion: cannot be linked until it is lifted.
    pub excluded: bool,
    /// Already some account's own record.
    pub registered: bool,
    /// The sign-up's own record (an invitation or NHS login proved it
    /// theirs), perhaps not yet the team's: linking adds it to the team.
    pub theirs: bool,
}

/// `POST /api/v1/staff/sign-ups/{id}/link`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkSignUpRequest {
    pub record_id: String,
}

/// `POST /api/v1/staff/sign-ups/{id}/decline`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclineSignUpRequest {
    /// Told to the patient as written, by email and when they sign in.
    pub reason: String,
}

/// The answer to a decision on a sign-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpDecided {
    pub state: SignUpState,
    /// The record the account now owns, when linked or created.
    pub record_id: Option<String>,
}

/// `GET` and `PUT /api/v1/staff/teams/{team_id}/join-page`: a team's join page settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinPageSettings {
    pub enabled: bool,
    pub message: String,
    /// `review_all` or `admit_proven`.
    pub admission: String,
}
