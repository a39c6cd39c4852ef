//! The uptake report's drop-off funnel, for a team's admins:
//!
//! - `GET /api/v1/staff/reports/funnel` → [`FunnelReport`], and
//!   `GET /api/v1/staff/reports/funnel.csv` the same as CSV,
//!
//! with the uptake report's filters (`team_id`, `from`, `to`).

use serde::{Deserialize, Serialize};

/// The funnel's steps, in order, as [`FunnelStep::step`] names them.
pub const FUNNEL_STEPS: [&str; 6] =
    ["invited", "code_entered", "date_of_birth_matched", "email_given", "email_confirmed", "registered"];

/// The answers a refused code was given, as [`RefusalCount::reason`] names them.
pub const REFUSAL_REASONS: [&str; 6] =
    ["mismatch", "locked", "expired", "used", "no_longer_valid", "already_registered"];

/// Per team and channel, over the invitations made in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelReport {
    pub rows: Vec<FunnelRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelRow {
    pub team_id: String,
    pub team_name: String,
    /// `letter`, `sms`, `email`, `kiosk`, `face_to_face` or `professional`.
    pub channel: String,
    /// Every step of [`FUNNEL_STEPS`], in that order.
    pub steps: Vec<FunnelStep>,
    /// Every reason of [`REFUSAL_REASONS`], in that order.
    pub refusals: Vec<RefusalCount>,
}

/// How many records reached a step (or a later one) with an invitation of
/// the row's channel: each record counted once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelStep {
    /// One of [`FUNNEL_STEPS`].
    pub step: String,
    pub records: u64,
    /// `records / invited`, in tenths of a per cent (0–1000).
    pub share_permille: u64,
    /// Records that reached the step before and not this one (0 for the first).
    pub dropped: u64,
    /// `dropped / the step before's records`, in tenths of a per cent.
    pub dropped_permille: u64,
}

/// Attempts on the row's codes given one answer (a code that does not exist
/// belongs to no invitation, so is counted nowhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusalCount {
    /// One of [`REFUSAL_REASONS`].
    pub reason: String,
    pub attempts: u64,
}
