//! Mass registration: campaigns that invite a whole cohort of a team's
//! records by letter, text message or email, reminders for those who have
//! not registered, and the uptake report.
//!
//! - `POST /api/v1/staff/teams/{team_id}/campaigns/preview` ([`CohortRequest`]
//!   → [`CohortPreview`]): how many records a cohort holds, and how many of
//!   them cannot be invited, before anything is sent;
//! - `POST /api/v1/staff/teams/{team_id}/campaigns` ([`StartCampaignRequest`]
//!   → [`CampaignView`], 201): starts a campaign in the background;
//! - `GET /api/v1/staff/teams/{team_id}/campaigns` → [`CampaignsResponse`];
//! - `GET /api/v1/staff/campaigns/{campaign_id}` → [`CampaignView`], polled
//!   by the page for live progress;
//! - `POST /api/v1/staff/campaigns/{campaign_id}/pause`, `…/resume`,
//!   `…/cancel` → [`CampaignView`];
//! - `GET /api/v1/staff/campaigns/{campaign_id}/batches/{seq}/letters.pdf`
//!   and `…/batches/{seq}/manifest.csv`: a letter campaign's print-ready
//!   batch and its print-house manifest (files, not JSON);
//! - `GET`/`PUT /api/v1/staff/teams/{team_id}/invitation-settings`
//!   ([`InvitationSettings`]): whether the team's campaigns hold
//!   invitations until the record has an entry, by default;
//! - `GET /api/v1/staff/reports/uptake` → [`UptakeReport`], and
//!   `GET /api/v1/staff/reports/uptake.csv` the same as CSV.
//!
//! Only a team's admins run campaigns and read its report.

use serde::{Deserialize, Serialize};

/// Which of a team's records a campaign invites. Plain strings, parsed by
/// the server; an excluded record is never invited, whatever is asked here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CohortRequest {
    /// `letter`, `sms` or `email`: also which contact detail a record needs.
    pub channel: String,
    /// `not_invited` (never invited), `not_registered` (never invited, or
    /// whose invitation expired or was replaced), or `reminder` (invited more
    /// than `invited_days_ago` days ago and not registered).
    pub registration: String,
    /// Ages in whole years on the day the campaign runs, both ends included.
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub max_age: Option<u32>,
    /// A CSV file's text whose first column (or a column headed
    /// `nhs_number`) lists the NHS numbers to invite: the cohort is then
    /// only those records.
    #[serde(default)]
    pub nhs_numbers_csv: Option<String>,
    /// For reminders: invited at least this many days ago.
    #[serde(default)]
    pub invited_days_ago: Option<u32>,
    /// For reminders: a patient who has had this many reminders gets no more.
    #[serde(default)]
    pub max_reminders: Option<u32>,
    /// What becomes of records with no entry yet: `invite` (as any other),
    /// `leave_out` (not in the cohort), or `hold` (invited by themselves once
    /// the record has its first entry). Absent: the team's setting decides.
    #[serde(default)]
    pub records_without_entries: Option<String>,
}

/// What a cohort holds, counted now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortPreview {
    /// Records of the team that the cohort's filters select.
    pub matching: u64,
    /// Of those, excluded by a safeguarding flag: never invited.
    pub excluded: u64,
    /// Of those, without the postal address, mobile number or email the
    /// channel needs.
    pub lacking_contact: u64,
    /// Of those, reminders not sent because the patient has had the most
    /// reminders allowed.
    #[serde(default)]
    pub reminder_cap_reached: u64,
    /// What would be invited now.
    pub to_invite: u64,
    /// With a list of NHS numbers: how many it named.
    #[serde(default)]
    pub listed: Option<u64>,
    /// With a list: NHS numbers that are not records of this team (they are
    /// left out), with the first few rows that named them.
    #[serde(default)]
    pub not_in_team: Option<ListedNotInTeam>,
    /// For texts and emails: of those to be invited, the ones whose mobile
    /// number or email address is also another's in this cohort (a family's,
    /// usually). Each still gets a message of their own naming whom it is for.
    #[serde(default)]
    pub shared_contacts: Option<SharedContacts>,
    /// What the cohort does with records that have no entry yet (`invite`,
    /// `leave_out` or `hold`): as asked, or the team's setting.
    #[serde(default)]
    pub records_without_entries: String,
    /// Records that would be invited but whose record has no entry yet:
    /// invited with the rest, left out, or held (not in `to_invite`).
    #[serde(default)]
    pub without_entries: u64,
}

/// Contact details on more than one record of a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedContacts {
    /// Records whose contact detail is another record's too.
    pub records: u64,
    /// The distinct numbers or addresses they share.
    pub contacts: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedNotInTeam {
    pub count: u64,
    /// 1-based rows of the file, at most 20.
    pub rows: Vec<u64>,
}

/// `GET`/`PUT /api/v1/staff/teams/{team_id}/invitation-settings`: a team's
/// defaults for its campaigns' invitations (its admins only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvitationSettings {
    /// Hold a campaign's invitation until the record has at least one entry
    /// (patients expect to see something when they sign up). A campaign may
    /// still choose otherwise.
    pub hold_until_entries: bool,
}

/// `POST /api/v1/staff/teams/{team_id}/campaigns`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartCampaignRequest {
    /// What staff call it ("Spring letters, over 65s").
    pub name: String,
    pub cohort: CohortRequest,
    /// Reminder steps after the first send, if any.
    #[serde(default)]
    pub plan: Option<super::PlanRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignsResponse {
    /// Newest first.
    pub campaigns: Vec<CampaignSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignSummary {
    pub id: String,
    pub team_id: String,
    pub name: String,
    /// `letter`, `sms` or `email`.
    pub channel: String,
    /// `invitation` or `reminder`.
    pub kind: String,
    /// `running`, `paused`, `finished` or `cancelled`.
    pub state: String,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub progress: CampaignProgress,
}

/// How far a campaign has got. Every record of the cohort ends up counted
/// once in `issued` or in one of the `skipped_*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignProgress {
    /// Records in the cohort when it started.
    pub total: u64,
    /// Records worked through so far.
    pub processed: u64,
    /// Invitations made.
    pub issued: u64,
    /// Left out because a safeguarding exclusion was set by the time their turn came.
    pub skipped_excluded: u64,
    /// Left out because they registered (or were linked) by then.
    pub skipped_registered: u64,
    /// Left out because the record has not (or no longer has) the contact detail the channel needs.
    pub skipped_no_contact: u64,
    /// Reminders left out because the patient asked for no more.
    #[serde(default)]
    pub skipped_opted_out: u64,
    /// Reminder steps left out because the patient had the plan's most messages.
    #[serde(default)]
    pub skipped_cap: u64,
    /// Texts and emails handed to the provider (letters: put into a batch).
    pub sent: u64,
    /// Reported delivered by the provider (Notify's delivery receipts).
    pub delivered: u64,
    /// Given up on, or reported undeliverable.
    pub failed: u64,
    /// Messages waiting to go.
    pub waiting: u64,
    /// Messages handed over in the last minute.
    pub per_minute: u64,
    /// Held until their record has an entry (counted in `processed`, not yet invited).
    #[serde(default)]
    pub held: u64,
    /// Held, then invited once their record had an entry (also counted in `issued`).
    #[serde(default)]
    pub released: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignView {
    pub campaign: CampaignSummary,
    /// The cohort in words ("Not registered, aged 65 to 120, with a postal address").
    pub cohort: Vec<String>,
    /// Why messages failed, most common first.
    pub failures: Vec<CampaignFailure>,
    /// A letter campaign's print-ready batches, in order.
    pub batches: Vec<LetterBatchView>,
    /// Its reminder plan, with counts per step.
    #[serde(default)]
    pub plan: Option<super::PlanView>,
    /// For a step of another campaign's plan: that campaign and the step.
    #[serde(default)]
    pub step_of: Option<StepOf>,
}

/// The plan a step's campaign belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepOf {
    pub campaign_id: String,
    pub step: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignFailure {
    /// In words staff can act on ("The mobile number does not exist").
    pub reason: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterBatchView {
    /// 1, 2, 3…
    pub seq: u64,
    pub letters: u64,
    pub created_at: String,
    /// When staff first downloaded its PDF.
    pub downloaded_at: Option<String>,
    /// Paths under `/api/v1` to fetch.
    pub pdf_path: String,
    pub manifest_path: String,
}

/// `GET /api/v1/staff/reports/uptake`: per team and channel, over the
/// invitations made in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UptakeReport {
    pub rows: Vec<UptakeRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UptakeRow {
    pub team_id: String,
    pub team_name: String,
    /// `letter`, `sms`, `email`, `kiosk`, `face_to_face` or `professional`.
    pub channel: String,
    /// Records invited (each counted once per channel).
    pub invited: u64,
    /// Of those, whose code was entered with the right date of birth.
    pub opened: u64,
    /// Of those, registered with it.
    pub registered: u64,
    /// `registered / invited`, in tenths of a per cent (0–1000).
    pub conversion_permille: u64,
    /// Median hours from invitation to registration, when any registered.
    pub median_hours_to_register: Option<u64>,
}
