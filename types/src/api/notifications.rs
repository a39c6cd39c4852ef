//! Email notifications on account activity: a person's choices per kind,
//! the one-click unsubscribe, and what staff see was sent to a patient.
//!
//! Kinds and deliveries travel as the strings below; the server refuses any
//! other. Security notices (password, email, new device) are listed with
//! `can_turn_off: false` and cannot be changed.

use serde::{Deserialize, Serialize};

/// Kinds of notification a person may choose the delivery of.
pub const NOTIFICATION_KINDS: [&str; 4] = ["new_entries", "invitation_accepted", "carer_access", "sign_up_decided"];
/// Security notices: always sent at once.
pub const SECURITY_NOTICES: [&str; 3] = ["password_changed", "email_changed", "new_device_sign_in"];
/// How a kind is delivered.
pub const DELIVERIES: [&str; 3] = ["immediately", "daily_digest", "off"];

/// One kind and how it is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPreference {
    /// One of [`NOTIFICATION_KINDS`] or [`SECURITY_NOTICES`].
    pub kind: String,
    /// One of [`DELIVERIES`].
    pub delivery: String,
    /// False for security notices.
    pub can_turn_off: bool,
}

/// `GET /api/v1/me/notification-preferences`, and the answer to `PUT`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPreferencesResponse {
    pub preferences: Vec<NotificationPreference>,
    /// When the daily digest goes, as an hour of the day (UTC).
    pub digest_hour_utc: u8,
}

/// One change in a `PUT`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferenceChange {
    pub kind: String,
    pub delivery: String,
}

/// `PUT /api/v1/me/notification-preferences`: the kinds to change (others stay as they are).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateNotificationPreferencesRequest {
    pub preferences: Vec<NotificationPreferenceChange>,
}

/// `GET /api/v1/notifications/unsubscribe?token=…` (what the link would
/// turn off, changing nothing), and the answer to the `POST` that does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnsubscribeView {
    pub kind: String,
    /// The kind's delivery now: `off` after the `POST`.
    pub delivery: String,
}

/// An email sent (or on its way) to a record's owner, as staff see it:
/// what kind, never its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentNotification {
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// What it was: `new_entries`, `password_changed`, `invitation`…
    pub kind: String,
    /// The address (or mobile number) it went to.
    #[serde(default)]
    pub to: String,
    pub subject: String,
    pub queued_at: String,
    pub sent_at: Option<String>,
    /// `queued`, `sent`, `delivered`, `bounced` or `failed` (after retries).
    pub status: String,
    /// When the status last changed (a delivery receipt, a bounce).
    pub status_at: Option<String>,
    pub attempts: i64,
}

/// `GET /api/v1/staff/records/{record_id}/notifications`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordNotificationsResponse {
    /// Whether anyone has registered for the record yet.
    pub registered: bool,
    pub notifications: Vec<SentNotification>,
}
