//! The client against the Notify stand-in: prism answering from Notify's own
//! OpenAPI description, behind a proxy that checks the JWT as Notify does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure is a panic

use std::collections::BTreeMap;
use std::time::Duration;

use portico_notify::standin::{Fault, NotifyStandIn};
use portico_notify::{ApiKey, Client, EmailRequest, NotifyError, SmsRequest};

const SMS_TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const EMAIL_TEMPLATE: &str = "9d751e0e-f929-4891-82a1-a3e1c3c18ee3";
const TIMEOUT: Duration = Duration::from_secs(10);

async fn stand_in() -> NotifyStandIn {
    NotifyStandIn::start().await.unwrap()
}

fn client_for(stand_in: &NotifyStandIn, timeout: Duration) -> Client {
    Client::new(&stand_in.base_url(), ApiKey::parse(&stand_in.api_key()).unwrap(), timeout).unwrap()
}

fn sms(reference: &str) -> SmsRequest {
    SmsRequest {
        phone_number: "07700900123".into(),
        template_id: SMS_TEMPLATE.into(),
        personalisation: BTreeMap::from([("code".to_owned(), "482913".to_owned())]),
        reference: Some(reference.into()),
        sms_sender_id: None,
    }
}

#[tokio::test]
async fn a_text_message_and_an_email_go_out_with_a_valid_jwt() {
    let stand_in = stand_in().await;
    let client = client_for(&stand_in, TIMEOUT);

    let sent = client.send_sms(&sms("outbox-1")).await.unwrap();
    assert!(!sent.id.is_empty());

    let email = EmailRequest {
        email_address: "patient@example.com".into(),
        template_id: EMAIL_TEMPLATE.into(),
        personalisation: BTreeMap::from([("link".to_owned(), "https://portico.example/register".to_owned())]),
        reference: Some("outbox-2".into()),
        email_reply_to_id: None,
        one_click_unsubscribe_url: Some("https://portico.example/api/v1/notifications/unsubscribe?token=t".into()),
    };
    let sent = client.send_email(&email).await.unwrap();
    assert!(!sent.id.is_empty());

    let seen = stand_in.requests().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let (text, mail) = (&seen[0], &seen[1]);
    assert_eq!((text.method.as_str(), text.path.as_str()), ("POST", "/v2/notifications/sms"));
    assert!(text.jwt_valid);
    assert_eq!(text.status, 201);
    assert_eq!(text.body["phone_number"], "07700900123");
    assert_eq!(text.body["template_id"], SMS_TEMPLATE);
    assert_eq!(text.body["personalisation"], serde_json::json!({"code": "482913"}));
    assert_eq!(text.body["reference"], "outbox-1");

    assert_eq!(mail.path, "/v2/notifications/email");
    assert!(mail.jwt_valid);
    assert_eq!(mail.status, 201);
    assert_eq!(mail.body["email_address"], "patient@example.com");
    assert_eq!(mail.body["template_id"], EMAIL_TEMPLATE);
    assert_eq!(mail.body["personalisation"]["link"], "https://portico.example/register");
    assert_eq!(mail.body["reference"], "outbox-2");
}

#[tokio::test]
async fn a_key_with_the_wrong_secret_is_refused_by_the_jwt_check() {
    let stand_in = stand_in().await;
    let right = stand_in.api_key();
    // Same name and service id; the secret's last digit changed.
    let wrong = format!("{}{}", &right[..right.len() - 1], if right.ends_with('0') { '1' } else { '0' });
    let client = Client::new(&stand_in.base_url(), ApiKey::parse(&wrong).unwrap(), TIMEOUT).unwrap();

    let err = client.send_sms(&sms("outbox-1")).await.unwrap_err();
    assert!(matches!(err, NotifyError::Auth { status: 403, .. }), "{err:?}");
    assert!(!err.is_permanent());
    let seen = stand_in.requests().unwrap();
    assert!(!seen[0].jwt_valid);
    assert_eq!(seen[0].status, 403);
}

#[tokio::test]
async fn notifys_limits_and_failures_are_told_apart() {
    let stand_in = stand_in().await;
    let client = client_for(&stand_in, TIMEOUT);

    stand_in.fail_next(429, "RateLimitError", 1).await.unwrap();
    let err = client.send_sms(&sms("outbox-1")).await.unwrap_err();
    assert!(matches!(err, NotifyError::RateLimited { .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(!err.may_have_been_sent());

    stand_in.fail_next(429, "TooManyRequestsError", 1).await.unwrap();
    let err = client.send_sms(&sms("outbox-1")).await.unwrap_err();
    assert!(matches!(err, NotifyError::DailyLimitReached { .. }), "{err:?}");
    assert!(err.retry_after() > Some(Duration::from_secs(60)));

    stand_in.fail_next(500, "Exception", 1).await.unwrap();
    let err = client.send_sms(&sms("outbox-1")).await.unwrap_err();
    assert!(matches!(err, NotifyError::Server { status: 500 }), "{err:?}");
    assert!(!err.is_permanent());
    assert!(err.may_have_been_sent());

    // The faults are used up: the next one goes through.
    client.send_sms(&sms("outbox-1")).await.unwrap();
    let statuses: Vec<u16> = stand_in.requests().unwrap().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 500, 201]);
}

#[tokio::test]
async fn notifys_refusal_of_a_message_is_permanent_and_names_no_recipient() {
    let stand_in = stand_in().await;
    let client = client_for(&stand_in, TIMEOUT);
    stand_in
        .inject(&Fault {
            status: Some(400),
            error: Some("ValidationError".into()),
            message: Some("phone_number 07700900123 Not a UK mobile number".into()),
            times: 1,
            delay_secs: None,
        })
        .await
        .unwrap();

    let err = client.send_sms(&sms("outbox-1")).await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert!(!err.reason().contains("07700900123"), "{}", err.reason());
    assert!(err.reason().contains("Not a UK mobile number"), "{}", err.reason());
}

#[tokio::test]
async fn a_slow_notify_gives_a_timeout_that_may_have_sent() {
    let stand_in = stand_in().await;
    let client = client_for(&stand_in, Duration::from_secs(1));
    stand_in.slow_next(Duration::from_secs(3), 1).await.unwrap();

    let err = client.send_sms(&sms("outbox-1")).await.unwrap_err();
    assert!(matches!(err, NotifyError::Timeout(_)), "{err:?}");
    assert!(err.may_have_been_sent());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn a_message_can_be_looked_up_by_its_reference() {
    let stand_in = stand_in().await;
    let client = client_for(&stand_in, TIMEOUT);

    // Not sent: not found. Sent: found, under the id its send was answered with.
    assert_eq!(client.find_by_reference("outbox-1").await.unwrap(), None);
    let sent = client.send_sms(&sms("outbox-1")).await.unwrap();
    let other = client.send_sms(&sms("outbox-3")).await.unwrap();
    assert_ne!(sent.id, other.id, "each message its own id");
    assert_eq!(sent.reference.as_deref(), Some("outbox-1"));
    let found = client.find_by_reference("outbox-1").await.unwrap().unwrap();
    assert_eq!(found.id, sent.id);
    assert!(!found.has_failed());

    let seen = stand_in.requests().unwrap();
    assert_eq!(seen[0].path, "/v2/notifications");
    assert_eq!(seen[0].query.get("reference"), Some(&vec!["outbox-1".to_owned()]));
    assert!(seen[0].jwt_valid);
    assert_eq!(seen[1].notification_id.as_deref(), Some(sent.id.as_str()));
}
