//! The email outbox: written with what caused it, delivered over real SMTP,
//! retried with backoff while the server is away, never doubled by a key.

use portico_server::clock::Clock as _;
use portico_server::db::Engine;
use portico_server::mail::{self, Email};
use portico_types::EmailAddress;
use portico_types::api::DevOutboxResponse;
use serde_json::json;
use time::Duration;

use crate::helpers::{Options, browser, patient_account, spawn_app, spawn_app_configured};
use crate::invitations::{admin, issue_as, unregistered_record};
use crate::mail_catcher::{MailCatcher, free_port};

async fn email_waits_for_an_smtp_server_that_is_down_then_goes_once(engine: Engine) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, move |s| s.smtp_url = Some(url)).await;
    let (record_id, _, _) = unregistered_record(&app, 0).await;
    let to = "patient.waiting@example.com";
    let issued = issue_as(&app, &admin(&app).await, &record_id, json!({ "channel": "email", "email": to })).await;
    assert_eq!(issued.status(), 201);

    // The first attempt fails and is put off, not lost.
    let mut failed = None;
    for _ in 0..100 {
        let row: (i64, Option<String>, Option<String>) =
            sqlx::query_as("SELECT attempts, last_error, sent_at FROM outbox WHERE to_address = $1")
                .bind(to)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        if row.1.is_some() {
            failed = Some(row);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (attempts, _, sent_at) = failed.expect("a failed attempt is recorded");
    assert_eq!((attempts, sent_at), (1, None));

    let mail = MailCatcher::start_on(port).await;
    app.clock.advance(Duration::seconds(31)); // past the first backoff
    let caught = mail.wait_for(to, "Your invitation").await;
    assert!(!caught.message_id.is_empty());
    tokio::time::sleep(std::time::Duration::from_millis(700)).await; // a further poll sends nothing more
    assert_eq!(mail.all().len(), 1);
    let (attempts, sent_at, body): (i64, Option<String>, String) =
        sqlx::query_as("SELECT attempts, sent_at, body_text FROM outbox WHERE to_address = $1")
            .bind(to)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(attempts, 2);
    assert!(sent_at.is_some());
    assert_eq!(body, "", "a sent email's body (with its code) is not kept");
}

async fn one_idempotency_key_is_one_email(engine: Engine) {
    let app = spawn_app(engine).await;
    let email = Email::plain(&EmailAddress::parse("once@example.com").unwrap(), "Once", "Only once.".into());
    let now = app.clock.now();
    let mut tx = app.db.begin_write().await.unwrap();
    assert!(mail::enqueue(&mut tx, "the-key", &email, None, now).await.unwrap());
    assert!(!mail::enqueue(&mut tx, "the-key", &email, None, now).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = app.db.begin_write().await.unwrap();
    assert!(!mail::enqueue(&mut tx, "the-key", &email, None, now).await.unwrap());
    tx.commit().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'the-key'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

async fn without_smtp_staff_read_the_mail_in_the_development_outbox(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, _, _) = unregistered_record(&app, 0).await;
    let asha = admin(&app).await;
    let issued =
        issue_as(&app, &asha, &record_id, json!({ "channel": "email", "email": "demo.patient@example.com" })).await;
    assert_eq!(issued.status(), 201);
    let mut shown = DevOutboxResponse { emails: Vec::new() };
    for _ in 0..100 {
        shown = asha.get(app.url("/api/v1/staff/dev-outbox")).send().await.unwrap().json().await.unwrap();
        if !shown.emails.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(shown.emails.len(), 1);
    assert_eq!(shown.emails[0].to, "demo.patient@example.com");
    assert!(shown.emails[0].body.contains("/register?code="), "{}", shown.emails[0].body);
    // The same template's HTML part, for the page to show beside the text.
    assert!(shown.emails[0].html.as_deref().is_some_and(|h| h.contains("Register for Portico")));
    // The page frames that part from its own address, whose policy lets the
    // template's inline styles apply and nothing else; the page keeps its own.
    let preview = app.url(&format!("/api/v1/staff/dev-outbox/{}/html", shown.emails[0].id));
    let framed = asha.get(&preview).send().await.unwrap();
    assert_eq!(framed.status(), 200);
    let policy = framed.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("style-src 'unsafe-inline'") && policy.contains("sandbox"), "{policy}");
    assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'self'"), "{policy}");
    assert_eq!(framed.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(framed.text().await.unwrap().contains("Register for Portico"));
    let page = asha.get(app.url("/api/v1/staff/dev-outbox")).send().await.unwrap();
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("style-src 'self'"));
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let unknown = asha.get(app.url("/api/v1/staff/dev-outbox/no-such-email/html")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    // Patients never see it.
    let patient = browser();
    app.sign_in_as(&patient, &patient_account(&app).await, crate::helpers::DEMO_PASSWORD).await;
    assert_eq!(patient.get(app.url("/api/v1/staff/dev-outbox")).send().await.unwrap().status(), 403);
    assert_eq!(patient.get(&preview).send().await.unwrap().status(), 403);
}

crate::on_both_engines!(
    email_waits_for_an_smtp_server_that_is_down_then_goes_once,
    one_idempotency_key_is_one_email,
    without_smtp_staff_read_the_mail_in_the_development_outbox,
);
