//! Reminder escalation: a campaign's plan of reminder steps after its first
//! send, each on its own channel (a letter, then a text after 14 days, then
//! an email after 28), with stop rules, and what each step did per patient.
//!
//! - `POST /api/v1/staff/teams/{team_id}/campaigns` takes an optional
//!   [`PlanRequest`] in `StartCampaignRequest::plan`;
//! - `POST /api/v1/staff/teams/{team_id}/campaigns/plan-preview`
//!   ([`PlanPreviewRequest`] → [`PlanPreview`]): the cohort counted, the plan
//!   checked, and how many of the cohort each step could not reach;
//! - `GET /api/v1/staff/records/{record_id}/reminders` → [`RecordReminders`]:
//!   the record's history of reminders and its opt-out;
//! - `PUT /api/v1/staff/records/{record_id}/reminder-opt-out`
//!   ([`SetReminderOptOutRequest`] → [`RecordReminders`]).

use serde::{Deserialize, Serialize};

use super::{CohortPreview, CohortRequest};

/// The reminder steps after a campaign's first send. Plain values, checked by
/// the server: every problem is a field error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// In order; at most 5.
    pub steps: Vec<PlanStepRequest>,
    /// The most messages one patient gets across the plan, the first send
    /// included; absent: one per step.
    #[serde(default)]
    pub max_messages: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanStepRequest {
    /// `letter`, `sms` or `email`.
    pub channel: String,
    /// Days after the campaign started (its first invitations); each step's
    /// more than the one before.
    pub after_days: i64,
}

/// `POST /api/v1/staff/teams/{team_id}/campaigns/plan-preview`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanPreviewRequest {
    pub cohort: CohortRequest,
    pub plan: PlanRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanPreview {
    pub cohort: CohortPreview,
    pub steps: Vec<PlanStepPreview>,
}

/// A step of a plan, counted against the cohort as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanStepPreview {
    /// 1, 2, …
    pub step: u32,
    pub channel: String,
    pub after_days: u32,
    /// Of the cohort (not excluded), records without this step's contact
    /// detail: the step will skip them.
    pub lacking_contact: u64,
}

/// A campaign's plan with what each step did so far (on `CampaignView`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    pub max_messages: u32,
    /// Step 0 is the campaign's first send.
    pub steps: Vec<PlanStepView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanStepView {
    pub step: u32,
    pub channel: String,
    pub after_days: u32,
    /// The day the step is due (UTC, `YYYY-MM-DD`).
    pub due_on: String,
    /// The campaign running the step, once it started.
    pub campaign_id: Option<String>,
    /// Its state: `running`, `paused`, `finished` or `cancelled`; absent: waiting.
    pub state: Option<String>,
    pub counts: StepCounts,
}

/// What a step did, record by record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepCounts {
    pub sent: u64,
    pub registered: u64,
    pub excluded: u64,
    pub opted_out: u64,
    pub cap: u64,
    pub no_contact: u64,
}

/// `GET /api/v1/staff/records/{record_id}/reminders`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordReminders {
    /// Present when the patient asked for no more reminders.
    pub opt_out: Option<ReminderOptOutView>,
    /// Whether the viewer may set or lift the opt-out (admins, clinicians, receptionists).
    pub may_change_opt_out: bool,
    /// Newest first.
    pub history: Vec<ReminderHistoryEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderOptOutView {
    pub set_by_name: String,
    pub set_at: String,
}

/// One step of one plan for this record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderHistoryEntry {
    /// The plan's campaign.
    pub campaign_id: String,
    pub campaign_name: String,
    /// 0: the first send; 1, 2, …: reminder steps.
    pub step: u32,
    pub steps_in_plan: u32,
    pub channel: String,
    /// `sent`, `registered`, `opted_out`, `cap`, `no_contact`, or (for staff
    /// who may see exclusions) `excluded`; others see `not_sent` instead.
    pub outcome: String,
    pub at: String,
}

/// `PUT /api/v1/staff/records/{record_id}/reminder-opt-out`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetReminderOptOutRequest {
    pub opted_out: bool,
}
