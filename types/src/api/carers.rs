//! Carers: the records an account may open, the carers a patient has, the
//! invitations that make a carer link, and professionals' links for children
//! and for adults who lack capacity.

use serde::{Deserialize, Serialize};

use super::EntrySummary;
use crate::{DateOfBirth, NhsNumber};

/// How much of a record a carer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// The whole record, as the patient sees it.
    Everything,
    /// Everything except entries the patient marked private and entries a
    /// professional labelled sensitive.
    NotPrivate,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 2] = [Self::Everything, Self::NotPrivate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everything => "everything",
            Self::NotPrivate => "not_private",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// On what grounds a carer holds a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CarerKind {
    /// An adult carer the patient invited.
    AdultCarerConsent,
    /// A parent or guardian of a child, added by a professional.
    ParentGuardian,
    /// A carer of an adult who lacks capacity, added by a professional.
    AdultLacksCapacity,
}

impl CarerKind {
    pub const ALL: [CarerKind; 3] = [Self::AdultCarerConsent, Self::ParentGuardian, Self::AdultLacksCapacity];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdultCarerConsent => "adult_carer_consent",
            Self::ParentGuardian => "parent_guardian",
            Self::AdultLacksCapacity => "adult_lacks_capacity",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `GET /api/v1/me/records`: every record the signed-in account may open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyRecordsResponse {
    /// The account's own record first (if it has one), then each it holds as a carer.
    pub records: Vec<OpenableRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenableRecord {
    pub record_id: String,
    /// Whose record it is, as the page shows it on every screen.
    pub given_name: String,
    pub family_name: String,
    /// True for the account's own record.
    pub own: bool,
    /// For a carer's record: on what grounds, how much, and until when.
    pub carer: Option<CarerAccess>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarerAccess {
    pub link_id: String,
    pub kind: CarerKind,
    /// `mother`, `guardian`, ...: as the professional wrote it; none for an adult carer.
    pub relationship: Option<String>,
    pub access_level: AccessLevel,
    pub since: String,
    pub ends_at: Option<String>,
}

/// `GET /api/v1/me/records/{record_id}`: a record as its owner or carer may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedRecordResponse {
    pub record_id: String,
    pub given_name: String,
    pub family_name: String,
    pub nhs_number: Option<NhsNumber>,
    pub date_of_birth: DateOfBirth,
    /// None for the owner; the carer's access otherwise.
    pub carer: Option<CarerAccess>,
    /// Newest first, within the access level.
    pub entries: Vec<EntrySummary>,
}

/// `POST /api/v1/me/record/carers`: the patient invites a carer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteCarerRequest {
    pub email: String,
    /// `everything` or `not_private`.
    pub access_level: String,
    /// `YYYY-MM-DD`, optional (empty for none): access ends at the start of that day.
    #[serde(default)]
    pub ends_on: String,
}

/// The answer to any carer invitation made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarerInvitationView {
    pub id: String,
    pub email: String,
    pub kind: CarerKind,
    pub access_level: AccessLevel,
    pub expires_at: String,
    pub ends_at: Option<String>,
}

/// `GET /api/v1/me/record/carers`: who holds access to the patient's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyCarersResponse {
    pub carers: Vec<CarerLinkView>,
    /// Invitations not yet accepted.
    pub invitations: Vec<CarerInvitationView>,
}

/// A carer link as the patient or staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarerLinkView {
    pub id: String,
    pub carer_name: String,
    pub carer_email: String,
    pub kind: CarerKind,
    pub relationship: Option<String>,
    pub legal_basis: Option<String>,
    pub access_level: AccessLevel,
    pub since: String,
    pub ends_at: Option<String>,
    /// When the next age band applies (a parent's or guardian's link): the
    /// child's birthday, or the later day a professional extended it to.
    pub review_at: Option<String>,
    pub review_due_since: Option<String>,
    /// What the next band does (`not_private`, `review`, `end`), and at what age.
    #[serde(default)]
    pub next_change: Option<String>,
    #[serde(default)]
    pub next_change_age: Option<u8>,
    /// A professional's extension past the next band: until when, and why.
    #[serde(default)]
    pub extended_until: Option<String>,
    #[serde(default)]
    pub extension_reason: Option<String>,
}

/// `PUT /api/v1/me/record/carers/{link_id}`: the patient changes what a
/// carer they invited sees, and until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeCarerAccessRequest {
    /// `everything` or `not_private`.
    pub access_level: String,
    /// `YYYY-MM-DD`, or empty for no end date.
    #[serde(default)]
    pub ends_on: String,
}

/// `POST /api/v1/me/record/carers/{link_id}/end`, and staff's end with a reason.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EndCarerLinkRequest {
    /// Required from staff; the patient need give none.
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/carer-invitations/accept`: a signed-in account accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptCarerInvitationRequest {
    pub token: String,
}

/// `POST /api/v1/carer-invitations/register`: a new account, for the address
/// the invitation went to (following its link proves it), accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterCarerRequest {
    pub token: String,
    pub display_name: String,
    pub password: String,
    pub accept_terms: bool,
}

/// The answer to an accepted invitation: the record now openable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptedCarerInvitation {
    pub record_id: String,
    pub link_id: String,
}

/// `GET /api/v1/me/record/access-history`: carers' views of, and changes to
/// carers' access to, the patient's own record; newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessHistoryResponse {
    pub events: Vec<AccessEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessEvent {
    pub at: String,
    /// `carer_record_viewed`, `carer_invited`, `carer_link_granted`, `carer_link_ended`, ...
    pub action: String,
    /// The name of who did it (none for the system's own jobs).
    pub by: Option<String>,
}

/// `PUT /api/v1/me/record/entries/{entry_id}/private`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkEntryPrivateRequest {
    pub private: bool,
}

/// `POST /api/v1/staff/records/{record_id}/carers`: a professional adds a
/// parent/guardian of a child, or a carer of an adult who lacks capacity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddCarerRequest {
    /// `parent_guardian` or `adult_lacks_capacity`.
    pub kind: String,
    pub email: String,
    /// `mother`, `father`, `guardian`, ...; required for a parent/guardian.
    #[serde(default)]
    pub relationship: String,
    /// Parent/guardian: `parental_responsibility`, `court_order`,
    /// `special_guardianship`, `other`. Adult: `lasting_power_of_attorney`,
    /// `court_deputy`, `best_interests`.
    pub legal_basis: String,
    /// Required with `other`.
    #[serde(default)]
    pub legal_note: String,
    /// `everything` or `not_private`.
    pub access_level: String,
    /// A safeguarding lead's reason to invite to an excluded record.
    #[serde(default)]
    pub exclusion_override: String,
}

/// `POST /api/v1/me/record/carers` with an excluded record is refused; a
/// safeguarding lead invites the patient's carer instead with
/// `POST /api/v1/staff/records/{record_id}/carers/override`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OverrideCarerInvitationRequest {
    pub email: String,
    pub access_level: String,
    #[serde(default)]
    pub ends_on: String,
    pub reason: String,
}

/// `GET /api/v1/staff/records/{record_id}/carers`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordCarersResponse {
    pub carers: Vec<CarerLinkView>,
    pub invitations: Vec<CarerInvitationView>,
}

/// `GET`/`PUT /api/v1/staff/organisation/carer-settings`: how a parent's or
/// guardian's access to a child's record changes as the child grows up, and
/// when the young person is invited to their own record. The answer of both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CarerSettings {
    /// The ages (12 to 18, each older than the one before) at which access
    /// changes; the last ends it. By default one: access ends at 16.
    pub bands: Vec<AgeBand>,
    /// The age (12 to 18) at which the young person is invited to their own record; 16 by default.
    pub invite_age: u8,
}

/// One age band: at `age`, a parent's or guardian's access becomes
/// `not_private` (no entries marked private or sensitive), comes up for
/// `review` by a professional (it stays as it is until then), or `end`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgeBand {
    pub age: u8,
    /// `not_private`, `review` or `end`.
    pub access_becomes: String,
}

/// `POST /api/v1/staff/records/{record_id}/carers/{link_id}/extend`: keep a
/// parent's or guardian's access as it is past the next age band, until a
/// later day, for a reason kept in the audit log and shown to staff.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtendCarerLinkRequest {
    /// `YYYY-MM-DD`: the first day the band applies instead.
    pub until: String,
    pub reason: String,
}

/// `POST /api/v1/carer-invitations/lookup` (the `AcceptCarerInvitationRequest`
/// body): what the accept page shows before anything is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarerInvitationLookup {
    /// Whose record: their first name.
    pub given_name: String,
    pub kind: CarerKind,
    pub access_level: AccessLevel,
    /// The address it went to: the account to sign in with, or to register.
    pub email: String,
    /// Whether that address has an account (sign in), or not (register).
    pub has_account: bool,
    pub expires_at: String,
}
