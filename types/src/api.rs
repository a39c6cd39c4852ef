//! Request and response bodies of `/api/v1`.
//!
//! Requests carry plain strings and refuse unknown fields; the server turns
//! them into domain values at its edge. Responses carry domain values, already
//! valid.

use serde::{Deserialize, Serialize};

use crate::{DateOfBirth, EmailAddress, NhsNumber, OdsCode};

mod campaigns;
mod carers;
mod escalation;
mod funnel;
mod kiosk;
mod notifications;
mod registration;
mod second_factor;
mod self_registration;
pub use campaigns::*;
pub use carers::*;
pub use escalation::*;
pub use funnel::*;
pub use kiosk::*;
pub use notifications::*;
pub use registration::*;
pub use second_factor::*;
pub use self_registration::*;

/// The path prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// The header a browser must send with every state-changing request. A
/// cross-site form cannot set it, and a cross-site script cannot send it
/// without a CORS preflight that Portico never grants.
pub const CSRF_HEADER: &str = "x-portico-csrf";

/// `POST /api/v1/session`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// `GET /api/v1/nhs-login`: whether "Continue with NHS login" is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NhsLoginStatus {
    pub enabled: bool,
}

/// `GET /api/v1/session` and the answer to signing in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    pub account: AccountSummary,
    /// Present when the account is a professional.
    pub staff: Option<StaffProfile>,
    /// Whether the account holds a record of its own (a patient, or a
    /// professional who is also a patient: they switch between the two).
    #[serde(default)]
    pub has_record: bool,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_secs: u64,
    /// Seconds until the session ends however busy it is (12 hours after
    /// signing in, NHS login's rule): the pages sign the person out then.
    pub ends_in_secs: u64,
    /// Set when the password was right and the session still waits for the
    /// second factor: nothing else works until it is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactorStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub id: String,
    pub email: EmailAddress,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffProfile {
    pub organisation: OrganisationSummary,
    pub teams: Vec<TeamMembership>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationSummary {
    pub id: String,
    pub ods_code: OdsCode,
    pub name: String,
}

/// A professional's roles in one team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMembership {
    pub team_id: String,
    pub team_name: String,
    pub roles: Vec<Role>,
}

/// What a professional may do in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Clinician,
    Receptionist,
    SafeguardingLead,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Clinician, Role::Receptionist, Role::SafeguardingLead];

    /// The name stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clinician => "clinician",
            Role::Receptionist => "receptionist",
            Role::SafeguardingLead => "safeguarding_lead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// How the role reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Team admin",
            Role::Clinician => "Clinician",
            Role::Receptionist => "Receptionist",
            Role::SafeguardingLead => "Safeguarding lead",
        }
    }
}

/// `GET /api/v1/staff/teams`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamsResponse {
    pub teams: Vec<TeamSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamSummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub organisation: OrganisationSummary,
    pub roles: Vec<Role>,
    pub record_count: u64,
}

/// Query of `GET /api/v1/staff/teams/{team_id}/records`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct RecordSearchQuery {
    /// A name (or part of one), an NHS number, or a date of birth
    /// (`YYYY-MM-DD` or `DD/MM/YYYY`).
    #[serde(default)]
    pub q: Option<String>,
    /// 1-based page number.
    #[serde(default)]
    pub page: Option<u32>,
}

/// One page of a team's records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordSearchResponse {
    pub team: TeamSummary,
    pub records: Vec<RecordSummary>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    /// How the server understood the query: `all`, `name`, `nhs_number` or `date_of_birth`.
    pub matched_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordSummary {
    pub id: String,
    pub nhs_number: Option<NhsNumber>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
}

/// `GET /healthz` and `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthResponse {
    pub status: String,
}

/// `GET /api/v1/staff/records/{record_id}`: a record as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordDetailResponse {
    pub record: RecordDetail,
    pub teams: Vec<TeamRef>,
    pub entries: Vec<EntrySummary>,
    /// `not_invited`, `invited`, `invitation_locked`, `invitation_expired` or `registered`.
    pub registration: String,
    /// Present only for staff who may see exclusions (safeguarding leads and
    /// clinicians of the record's teams), and only when the record is excluded.
    pub exclusion: Option<ExclusionView>,
    /// Whether the viewer may set or lift the exclusion (safeguarding lead).
    pub may_manage_exclusion: bool,
    /// Whether the viewer may issue invitations for the record (a team admin).
    #[serde(default)]
    pub may_invite: bool,
    /// The newest invitation that was not replaced, if any.
    #[serde(default)]
    pub invitation: Option<InvitationSummary>,
}

/// An invitation as staff see it on the record: never its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationSummary {
    /// `letter`, `sms`, `email`, `kiosk`, `face_to_face` or `professional`.
    pub channel: String,
    /// `issued`, `sent`, `opened`, `locked`, `used` or `expired`.
    pub state: String,
    pub issued_at: String,
    pub expires_at: String,
    /// The professional who issued it, by name.
    #[serde(default)]
    pub issued_by: Option<String>,
    /// A new code the patient asked for in place of an expired one (sent
    /// to the contact on the record; `issued_by` issued the one it renews).
    #[serde(default)]
    pub renewed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordDetail {
    pub id: String,
    pub nhs_number: Option<NhsNumber>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub email: Option<EmailAddress>,
    pub mobile: Option<crate::MobileNumber>,
    pub address_lines: Vec<String>,
    pub postcode: Option<crate::Postcode>,
    pub gp_ods_code: Option<OdsCode>,
    pub version: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntrySummary {
    pub id: String,
    /// `letter`, `result`, `appointment` or `note`.
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub occurred_at: String,
    /// Labelled sensitive by a professional.
    pub sensitive: bool,
    /// Marked private by the patient: carers with limited access do not see it.
    #[serde(default)]
    pub private_to_patient: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExclusionView {
    /// `safeguarding_concern`, `court_order`, `clinical_decision`, `deceased` or `other`.
    pub reason: String,
    pub note: String,
    /// The account id of the professional who set it.
    pub set_by: String,
    pub set_at: String,
    /// Their name, as the page shows it.
    pub set_by_name: String,
}

/// `PUT /api/v1/staff/records/{record_id}/exclusion`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetExclusionRequest {
    pub reason: String,
    pub note: String,
}

/// `POST /api/v1/staff/records/{record_id}/exclusion/lift`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LiftExclusionRequest {
    pub note: String,
}

/// `POST /api/v1/staff/teams/{team_id}/feed-keys`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateFeedKeyRequest {
    pub name: String,
}

/// A feed key as listed; `key` is present only in the answer that created it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedKeyView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedKeysResponse {
    pub keys: Vec<FeedKeyView>,
}

/// `GET /api/v1/me/record`: the signed-in patient's own record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyRecordResponse {
    pub given_name: String,
    pub family_name: String,
    pub nhs_number: Option<NhsNumber>,
    pub date_of_birth: DateOfBirth,
    /// Newest first.
    pub entries: Vec<EntrySummary>,
    /// Whether anyone else may see the record, or has been invited to: the
    /// page then offers to make entries private.
    #[serde(default)]
    pub has_carers: bool,
}

/// `GET /api/v1/staff/records/{record_id}/history`: how the record came to
/// hold what it does, newest version first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordHistoryResponse {
    /// The newest versions (at most 50).
    pub versions: Vec<RecordVersionView>,
    /// How many versions the record has in all.
    pub total: u64,
}

/// One version of a record's details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordVersionView {
    pub version: i64,
    pub changed_at: String,
    /// Where the change came from: `fhir`, `csv`, `hl7` or `other`.
    pub source: String,
    /// Who or what made the change, in words: "FHIR feed (Mirth ADT)",
    /// "CSV upload by Dr Asha Patel", "HL7 from PAS".
    pub changed_by: String,
    /// The details that differ from the version before, by field
    /// (`family_name`, `address_lines`, `gp_ods_code`, ...), in the order a
    /// record lists them; empty for the first version.
    pub changed_fields: Vec<String>,
}

/// The largest patients CSV `POST /api/v1/staff/teams/{team_id}/imports`
/// takes: about 2.5 million rows of a typical extract, far above the row
/// limit, so the row limit is what a real file meets first. The upload page
/// checks it before sending anything.
pub const CSV_UPLOAD_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The columns of a patients CSV, in template order, and whether every file
/// must have each (a row may still leave `nhs_number` blank). Headers match
/// ignoring case, spaces and punctuation; any other column is refused.
pub const PATIENT_CSV_COLUMNS: [(&str, bool); 12] = [
    ("nhs_number", true),
    ("given_name", true),
    ("family_name", true),
    ("date_of_birth", true),
    ("email", false),
    ("mobile", false),
    ("address_line_1", false),
    ("address_line_2", false),
    ("address_line_3", false),
    ("address_line_4", false),
    ("postcode", false),
    ("gp_ods_code", false),
];

/// Query of `GET /api/v1/staff/teams/{team_id}/imports/{import_id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CsvImportQuery {
    /// 1-based page of the bad rows.
    #[serde(default)]
    pub page: Option<u32>,
}

/// A CSV upload of patients: its preview while it waits, its result once committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvImportView {
    pub id: String,
    pub team_id: String,
    pub file_name: String,
    /// `ready` (checked, waiting to be committed or discarded), `committing`
    /// (the commit is running), `committed`, `discarded` or `expired`.
    pub state: String,
    pub uploaded_at: String,
    /// After this, an import not committed is discarded.
    pub expires_at: String,
    /// Patient rows in the file (blank rows are not counted).
    pub rows: u64,
    /// Rows that will be imported (or were).
    pub good_rows: u64,
    /// Rows with at least one problem: never imported.
    pub bad_rows: u64,
    /// One page of the problems, in row order.
    pub problems: Vec<CsvRowProblem>,
    /// How many problems there are in all (a row can have several).
    pub problems_total: u64,
    pub page: u32,
    pub page_size: u32,
    /// When the same file was last committed for this team, if it was.
    pub same_file_committed_at: Option<String>,
    /// Why the last commit failed, if it did (a failed commit writes nothing).
    pub commit_error: Option<String>,
    /// What the commit did; present once committed.
    pub result: Option<CsvImportResult>,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvRowProblem {
    /// The row number as a spreadsheet shows it: the header is row 1.
    pub row: u32,
    /// The column as the file names it; `None` for a problem of the whole row.
    pub column: Option<String>,
    pub message: String,
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvImportResult {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub committed_at: String,
}
