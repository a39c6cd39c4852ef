//! What goes to Notify and what comes back, in Notify's own field names
//! (schema.json in notify/standin/spec/). Only the fields Portico uses are read
//! back: a send's answer also carries the rendered message, which is personal data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// POST /v2/notifications/sms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsRequest {
    /// A UK or international number; Notify checks it and answers 400 if it is not one.
    pub phone_number: String,
    pub template_id: String,
    /// Values for the template's `((placeholders))`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub personalisation: BTreeMap<String, String>,
    /// Portico's own key for the message, so it can be looked up after a crash.
    /// Notify asks that it carry no personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A sender other than the service's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_sender_id: Option<String>,
}

/// POST /v2/notifications/email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailRequest {
    pub email_address: String,
    pub template_id: String,
    /// Values for the template's `((placeholders))`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub personalisation: BTreeMap<String, String>,
    /// Portico's own key for the message, so it can be looked up after a crash.
    /// Notify asks that it carry no personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A reply-to address other than the service's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_reply_to_id: Option<String>,
    /// An https address Notify puts in the email's RFC 8058 one-click
    /// `List-Unsubscribe` header.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub one_click_unsubscribe_url: Option<String>,
}

/// Notify's answer to a send (201): the message is accepted and queued.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sent {
    /// Notify's notification id.
    pub id: String,
    /// The reference sent with the request, echoed.
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub template: Option<TemplateRef>,
}

/// The template (and its version) Notify used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TemplateRef {
    pub id: String,
    #[serde(default)]
    pub version: Option<u64>,
}

/// One message as GET /v2/notifications reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NotificationStatus {
    /// Notify's notification id.
    pub id: String,
    #[serde(default)]
    pub reference: Option<String>,
    /// `sms`, `email` or `letter`.
    #[serde(rename = "type")]
    pub notification_type: String,
    /// Notify's status word, e.g. `created`, `sending`, `delivered`, `permanent-failure`.
    pub status: String,
    /// When Notify accepted it (ISO 8601, UTC).
    pub created_at: String,
    #[serde(default)]
    pub sent_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
}

impl NotificationStatus {
    /// Whether Notify gave up delivering this message. Any other status means it was
    /// accepted and is on its way: sending it again would duplicate it.
    pub fn has_failed(&self) -> bool {
        matches!(
            self.status.as_str(),
            "permanent-failure"
                | "temporary-failure"
                | "technical-failure"
                | "failed"
                | "validation-failed"
                | "virus-scan-failed"
                | "cancelled"
        )
    }
}

/// GET /v2/notifications: one page, newest first.
#[derive(Debug, Deserialize)]
pub(crate) struct NotificationsPage {
    pub(crate) notifications: Vec<NotificationStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_fields_are_left_out_of_a_request() {
        let request = SmsRequest {
            phone_number: "07700900123".into(),
            template_id: "f33517ff-2a88-4f6e-b855-c550268ce08a".into(),
            personalisation: BTreeMap::new(),
            reference: None,
            sms_sender_id: None,
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"phone_number": "07700900123", "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a"})
        );
    }

    #[test]
    fn reads_notifys_documented_send_answer() {
        let sent: Sent = serde_json::from_value(json!({
            "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
            "reference": "your reference",
            "scheduled_for": null,
            "content": {"body": "Hi Amala", "from_number": "GOVUK"},
            "uri": "https://api.notifications.service.gov.uk/v2/notifications/740e5834-3a29-46b4-9a6f-16142fde533a",
            "template": {"id": "f33517ff-2a88-4f6e-b855-c550268ce08a", "version": 3, "uri": "https://example"}
        }))
        .unwrap();
        assert_eq!(sent.id, "740e5834-3a29-46b4-9a6f-16142fde533a");
        assert_eq!(sent.reference.as_deref(), Some("your reference"));
        assert_eq!(sent.template.and_then(|t| t.version), Some(3));
    }

    #[test]
    fn failed_statuses_are_told_apart_from_accepted_ones() {
        let status = |status: &str| NotificationStatus {
            id: "id".into(),
            reference: None,
            notification_type: "sms".into(),
            status: status.into(),
            created_at: "2024-05-17T15:58:38.342838Z".into(),
            sent_at: None,
            completed_at: None,
        };
        assert!(status("technical-failure").has_failed());
        assert!(status("permanent-failure").has_failed());
        assert!(!status("created").has_failed());
        assert!(!status("delivered").has_failed());
    }
}
