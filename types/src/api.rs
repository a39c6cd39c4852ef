//! Request and response bodies of `/api/v1`.
//!
//! Requests carry plain strings and refuse unknown fields; the server turns
//! them into domain values at its edge. Responses carry domain values, already
//! valid.

use serde::{Deserialize, Serialize};

use crate::{DateOfBirth, EmailAddress, NhsNumber, OdsCode};

/// The path prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// The header a browser must send with every state-changing request. A
/// cross-site form cannot set it, and a cross-site script cannot send it
/// without a CORS preflight that Portico never grants.
pub const CSRF_HEADER: &str = "x-portico-csrf";

/// `POST /api/v1/session`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// `GET /api/v1/session` and the answer to signing in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionResponse {
    pub account: AccountSummary,
    /// Present when the account is a professional.
    pub staff: Option<StaffProfile>,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: String,
    pub email: EmailAddress,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffProfile {
    pub organisation: OrganisationSummary,
    pub teams: Vec<TeamMembership>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationSummary {
    pub id: String,
    pub ods_code: OdsCode,
    pub name: String,
}

/// A professional's roles in one team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMembership {
    pub team_id: String,
    pub team_name: String,
    pub roles: Vec<Role>,
}

/// What a professional may do in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
pub struct TeamsResponse {
    pub teams: Vec<TeamSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct RecordSummary {
    pub id: String,
    pub nhs_number: Option<NhsNumber>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
}

/// `GET /healthz` and `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthResponse {
    pub status: String,
}
