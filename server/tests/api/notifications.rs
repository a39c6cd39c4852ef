//! Email notifications on account activity (issue 9): a burst of feed
//! entries is one email, over real SMTP with both parts and RFC 8058
//! headers; preferences; the daily digest on a clock the test moves; new
//! device notices; what staff see was sent; bounces, a server that is down,
//! and a name that tries to add a header.

use portico_server::db::Engine;
use portico_server::demo::DEMO_PATIENT_EMAIL;
use portico_types::api::{NotificationPreferencesResponse, RecordNotificationsResponse, UnsubscribeView};
use serde_json::{Value, json};
use time::Duration;

use crate::fhir::{NHS, feed_key, post_fhir};
use crate::helpers::{ASHA, DEMO_PASSWORD, Options, TestApp, browser, eventually, spawn_app, spawn_app_configured};
use crate::mail_catcher::{MailCatcher, free_port};

const NEW_ENTRIES: &str = "There is new information in your health record";

/// The demo patient's record: its id and NHS number.
async fn olivias_record(app: &TestApp) -> (String, String) {
    sqlx::query_as(
        "SELECT r.id, r.nhs_number FROM records r JOIN accounts a ON a.id = r.owner_account_id WHERE a.email = $1",
    )
    .bind(DEMO_PATIENT_EMAIL)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// `count` new results for the patient with `nhs`, as one FHIR batch, ids from `first`.
fn results(nhs: &str, first: usize, count: usize) -> Value {
    let entries: Vec<Value> = (first..first + count)
        .map(|i| {
            json!({ "resource": { "resourceType": "Observation", "id": format!("burst-{i}"),
                "subject": { "identifier": { "system": NHS, "value": nhs } },
                "code": { "text": "Potassium" }, "effectiveDateTime": "2026-11-25T08:00:00Z",
                "valueQuantity": { "value": 4.1, "unit": "mmol/L" } } })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "batch", "entry": entries })
}

async fn post_results(app: &TestApp, key: &str, nhs: &str, first: usize, count: usize) {
    let (status, outcome) = post_fhir(app, key, "", &results(nhs, first, count)).await;
    assert_eq!(status, 200, "{outcome}");
}

async fn outbox_rows_of_kind(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = $1").bind(kind).fetch_one(&app.db.pool).await.unwrap()
}

fn with_smtp(url: String) -> impl FnOnce(&mut portico_server::config::Settings) {
    move |s| s.smtp_url = Some(url)
}

async fn a_burst_of_a_thousand_new_entries_is_one_notification_email(engine: Engine) {
    let mail = MailCatcher::start().await;
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, with_smtp(mail.smtp_url())).await;
    let (key, _) = feed_key(&app).await;
    let (_, nhs) = olivias_record(&app).await;

    // A thousand results in ten bundles over a minute.
    for burst in 0..10 {
        post_results(&app, &key, &nhs, burst * 100, 100).await;
        app.clock.advance(Duration::seconds(6));
    }
    let (events, state): (i64, String) =
        sqlx::query_as("SELECT events, state FROM notifications WHERE kind = 'new_entries'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((events, state.as_str()), (1000, "pending"), "one pending row counts the burst");
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(outbox_rows_of_kind(&app, "new_entries").await, 0, "nothing goes inside the window");

    app.clock.advance(Duration::minutes(10));
    let caught = mail.wait_for(DEMO_PATIENT_EMAIL, NEW_ENTRIES).await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await; // further polls send nothing more
    let to_olivia: Vec<_> = mail.all().into_iter().filter(|m| m.to == DEMO_PATIENT_EMAIL).collect();
    assert_eq!(to_olivia.len(), 1, "{to_olivia:#?}");

    // Both parts, no clinical detail, the links and the RFC 8058 headers.
    assert_eq!(caught.to_name.as_deref(), Some("Olivia Smith"));
    let html = caught.html.as_deref().expect("an HTML alternative");
    for part in [caught.body.as_str(), html] {
        assert!(!part.contains("Potassium") && !part.contains("mmol"), "{part}");
    }
    assert!(caught.body.contains(&format!("{}/sign-in", app.base)), "{}", caught.body);
    assert!(caught.body.contains(&format!("{}/account/notifications", app.base)), "{}", caught.body);
    assert!(html.contains("Change your email settings"), "{html}");
    let list_unsubscribe = caught.header("List-Unsubscribe").expect("List-Unsubscribe");
    let one_click = list_unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    assert!(one_click.starts_with(&format!("{}/api/v1/notifications/unsubscribe?token=", app.base)), "{one_click}");
    assert_eq!(caught.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));

    // A GET (a mail scanner) changes nothing; the mail app's POST, with no
    // cookie and no CSRF header, turns new entries off.
    let mail_app = reqwest::Client::new();
    let shown: UnsubscribeView = mail_app.get(&one_click).send().await.unwrap().json().await.unwrap();
    assert_eq!((shown.kind.as_str(), shown.delivery.as_str()), ("new_entries", "immediately"));
    let posted = mail_app
        .post(&one_click)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let patient = browser();
    app.sign_in_as(&patient, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await;
    let preferences: NotificationPreferencesResponse =
        patient.get(app.url("/api/v1/me/notification-preferences")).send().await.unwrap().json().await.unwrap();
    assert_eq!(preferences.preferences[0].kind, "new_entries");
    assert_eq!(preferences.preferences[0].delivery, "off");
    post_results(&app, &key, &nhs, 5000, 3).await;
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE state = 'pending'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0, "turned off: no more events recorded");

    // A forged token is a 404 and changes nothing.
    let forged = one_click.replace("new_entries", "carer_access");
    assert_eq!(mail_app.post(&forged).send().await.unwrap().status(), 404);
}

async fn notification_preferences_are_read_and_changed_but_security_notices_stay_on(engine: Engine) {
    let app = spawn_app(engine).await;
    let url = app.url("/api/v1/me/notification-preferences");
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    app.sign_in(DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await;
    let shown: NotificationPreferencesResponse = app.client.get(&url).send().await.unwrap().json().await.unwrap();
    let kinds: Vec<(&str, &str, bool)> =
        shown.preferences.iter().map(|p| (p.kind.as_str(), p.delivery.as_str(), p.can_turn_off)).collect();
    assert_eq!(
        kinds,
        [
            ("new_entries", "immediately", true),
            ("invitation_accepted", "immediately", true),
            ("carer_access", "immediately", true),
            ("sign_up_decided", "immediately", true),
            ("password_changed", "immediately", false),
            ("email_changed", "immediately", false),
            ("new_device_sign_in", "immediately", false),
        ]
    );
    assert_eq!(shown.digest_hour_utc, 8);

    let changed = app
        .client
        .put(&url)
        .json(&json!({ "preferences": [
            { "kind": "new_entries", "delivery": "daily_digest" }, { "kind": "carer_access", "delivery": "off" } ] }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let changed: NotificationPreferencesResponse = changed.json().await.unwrap();
    assert_eq!(changed.preferences[0].delivery, "daily_digest");
    assert_eq!(changed.preferences[2].delivery, "off");
    assert!(app.audit_actions().await.contains(&"notification_preferences_changed".to_owned()));

    let refused = app
        .client
        .put(&url)
        .json(&json!({ "preferences": [
            { "kind": "password_changed", "delivery": "off" }, { "kind": "weather", "delivery": "off" },
            { "kind": "new_entries", "delivery": "hourly" } ] }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let problem = crate::helpers::problem(refused).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["preferences[0].kind", "preferences[1].kind", "preferences[2].delivery"]);
    let again: NotificationPreferencesResponse = app.client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(again.preferences[0].delivery, "daily_digest", "a refused PUT changes nothing");
}

async fn the_daily_notification_digest_goes_at_the_digest_hour(engine: Engine) {
    let app = spawn_app(engine).await; // 2026-11-25 09:00 UTC; the digest goes at 08:00
    let (key, _) = feed_key(&app).await;
    let (_, nhs) = olivias_record(&app).await;
    app.sign_in(DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await;
    let put = app
        .client
        .put(app.url("/api/v1/me/notification-preferences"))
        .json(&json!({ "preferences": [{ "kind": "new_entries", "delivery": "daily_digest" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    post_results(&app, &key, &nhs, 0, 5).await;
    app.clock.advance(Duration::hours(3));
    post_results(&app, &key, &nhs, 5, 5).await;

    app.clock.advance(Duration::hours(19) + Duration::minutes(59)); // 2026-11-26 07:59
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(outbox_rows_of_kind(&app, "digest").await, 0, "not before the digest hour");

    app.clock.advance(Duration::minutes(1)); // 08:00
    let (subject, body): (String, String) = eventually(|| async {
        sqlx::query_as("SELECT subject, body_text FROM outbox WHERE kind = 'digest'")
            .fetch_optional(&app.db.pool)
            .await
            .unwrap()
    })
    .await;
    assert_eq!(subject, "Your daily Portico update");
    assert!(body.contains("- There is new information in your health record."), "{body}");
    assert!(!body.contains("Potassium"), "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(outbox_rows_of_kind(&app, "digest").await, 1, "one digest for the day");
    assert_eq!(outbox_rows_of_kind(&app, "new_entries").await, 0, "and no immediate email");
}

async fn a_sign_in_from_a_new_device_sends_a_security_notification(engine: Engine) {
    let app = spawn_app(engine).await;
    let laptop = browser();
    let first = app.sign_in_as(&laptop, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(first.status(), 200);
    let cookie = first
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portico-device="))
        .expect("a device cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Max-Age=34560000"), "{cookie}");
    // The account's first device is remembered quietly; so is the same device again.
    assert_eq!(app.sign_in_as(&laptop, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.status(), 200);
    assert_eq!(outbox_rows_of_kind(&app, "new_device_sign_in").await, 0);

    let phone = browser();
    assert_eq!(app.sign_in_as(&phone, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.status(), 200);
    assert_eq!(outbox_rows_of_kind(&app, "new_device_sign_in").await, 1);
    let (to, subject, body): (String, String, String) =
        sqlx::query_as("SELECT to_address, subject, body_text FROM outbox WHERE kind = 'new_device_sign_in'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(to, DEMO_PATIENT_EMAIL);
    assert_eq!(subject, "Your Portico account was signed in to from a new device");
    assert!(body.contains("25 November 2026 at 9:00am (UTC)") && body.contains("/forgotten-password"), "{body}");
    assert!(!body.contains("email settings"), "a security notice cannot be turned off");
    assert_eq!(app.sign_in_as(&phone, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.status(), 200);
    assert_eq!(app.sign_in_as(&laptop, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.status(), 200);
    assert_eq!(outbox_rows_of_kind(&app, "new_device_sign_in").await, 1, "known devices are quiet");
    // A wrong password from yet another device tells nobody anything.
    let stranger = browser();
    assert_eq!(app.sign_in_as(&stranger, DEMO_PATIENT_EMAIL, "not the password").await.status(), 401);
    assert_eq!(outbox_rows_of_kind(&app, "new_device_sign_in").await, 1);
}

async fn staff_see_notifications_sent_to_a_record_owner_with_delivery_status(engine: Engine) {
    let mail = MailCatcher::start().await;
    let smtp_url = mail.smtp_url();
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, move |s| {
        s.smtp_url = Some(smtp_url);
        s.notify_callback_token = Some("receipts-token".into());
    })
    .await;
    let (key, _) = feed_key(&app).await;
    let (record_id, nhs) = olivias_record(&app).await;
    post_results(&app, &key, &nhs, 0, 3).await;
    app.clock.advance(Duration::minutes(11));
    let outbox_key: String = eventually(|| async {
        sqlx::query_scalar("SELECT idempotency_key FROM outbox WHERE kind = 'new_entries' AND sent_at IS NOT NULL")
            .fetch_optional(&app.db.pool)
            .await
            .unwrap()
    })
    .await;

    let asha = browser();
    app.sign_in_as(&asha, ASHA, DEMO_PASSWORD).await;
    let url = app.url(&format!("/api/v1/staff/records/{record_id}/notifications"));
    let seen: RecordNotificationsResponse = asha.get(&url).send().await.unwrap().json().await.unwrap();
    assert!(seen.registered);
    let sent = seen.notifications.iter().find(|n| n.kind == "new_entries").expect("the new entries email");
    assert_eq!((sent.status.as_str(), sent.subject.as_str()), ("sent", NEW_ENTRIES));

    // A Notify receipt for it (found by Portico's reference) says delivered.
    let receipt = reqwest::Client::new()
        .post(app.url("/api/v1/notify/delivery-receipts"))
        .bearer_auth("receipts-token")
        .json(
            &json!({ "id": "notify-1", "reference": outbox_key, "status": "delivered", "notification_type": "email" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status(), 204);
    let seen: RecordNotificationsResponse = asha.get(&url).send().await.unwrap().json().await.unwrap();
    let sent = seen.notifications.iter().find(|n| n.kind == "new_entries").unwrap();
    assert_eq!(sent.status, "delivered");

    // Nobody without a role on the record sees it exists; a patient is not staff.
    let other = browser();
    app.sign_in_as(&other, &crate::helpers::other_organisation_professional(&app).await, DEMO_PASSWORD).await;
    assert_eq!(other.get(&url).send().await.unwrap().status(), 404);
    let patient = browser();
    app.sign_in_as(&patient, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(patient.get(&url).send().await.unwrap().status(), 403);
    // (Asha signing in on a second browser gets a new-device notice of her own.)
    assert_eq!(mail.all().iter().filter(|m| m.to == DEMO_PATIENT_EMAIL).count(), 1);
}

async fn a_refused_recipient_is_a_bounced_notification(engine: Engine) {
    let mail = MailCatcher::start().await;
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, with_smtp(mail.smtp_url())).await;
    let (key, _) = feed_key(&app).await;
    let (record_id, nhs) = olivias_record(&app).await;
    sqlx::query("UPDATE accounts SET email = 'refused.olivia@patients.portico.example' WHERE email = $1")
        .bind(DEMO_PATIENT_EMAIL)
        .execute(&app.db.pool)
        .await
        .unwrap();
    post_results(&app, &key, &nhs, 0, 2).await;
    app.clock.advance(Duration::minutes(11));
    let (attempts, bounced): (i64, i64) = eventually(|| async {
        sqlx::query_as("SELECT attempts, bounced FROM outbox WHERE kind = 'new_entries' AND gave_up_at IS NOT NULL")
            .fetch_optional(&app.db.pool)
            .await
            .unwrap()
    })
    .await;
    assert_eq!((attempts, bounced), (1, 1), "refused at once, not retried");
    assert!(mail.all().is_empty());
    let asha = browser();
    app.sign_in_as(&asha, ASHA, DEMO_PASSWORD).await;
    let seen: RecordNotificationsResponse = asha
        .get(app.url(&format!("/api/v1/staff/records/{record_id}/notifications")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen.notifications.iter().find(|n| n.kind == "new_entries").unwrap().status, "bounced");
}

async fn a_notification_waits_for_an_smtp_server_that_is_down_and_goes_once(engine: Engine) {
    let port = free_port();
    let app =
        spawn_app_configured(engine, Options { tls_base_url: false }, with_smtp(format!("smtp://127.0.0.1:{port}")))
            .await;
    let (key, _) = feed_key(&app).await;
    let (_, nhs) = olivias_record(&app).await;
    post_results(&app, &key, &nhs, 0, 2).await;
    app.clock.advance(Duration::minutes(11));
    // The first attempt fails and is put off.
    eventually(|| async {
        sqlx::query_scalar::<_, String>(
            "SELECT last_error FROM outbox WHERE kind = 'new_entries' AND last_error IS NOT NULL",
        )
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
    })
    .await;
    // Down for a minute: attempts at +30 s fail too, then the server is back.
    app.clock.advance(Duration::seconds(31));
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let mail = MailCatcher::start_on(port).await;
    app.clock.advance(Duration::minutes(2));
    let caught = mail.wait_for(DEMO_PATIENT_EMAIL, NEW_ENTRIES).await;
    assert!(caught.html.is_some());
    app.clock.advance(Duration::hours(1));
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(mail.all().len(), 1, "nothing lost, nothing doubled");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'new_entries'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

async fn a_name_with_a_line_break_adds_no_header_to_a_notification(engine: Engine) {
    let mail = MailCatcher::start().await;
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, with_smtp(mail.smtp_url())).await;
    sqlx::query("UPDATE accounts SET display_name = $2 WHERE email = $1")
        .bind(DEMO_PATIENT_EMAIL)
        .bind("Olivia\r\nBcc: attacker@evil.example\r\nSubject: Click here")
        .execute(&app.db.pool)
        .await
        .unwrap();
    // Two devices: the second sign-in sends the security notice, addressed by name.
    assert_eq!(app.sign_in_as(&browser(), DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.status(), 200);
    assert_eq!(app.sign_in_as(&browser(), DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.status(), 200);
    let caught = mail.wait_for(DEMO_PATIENT_EMAIL, "new device").await;
    assert_eq!(caught.headers("Bcc"), Vec::<String>::new(), "{}", caught.raw);
    assert_eq!(caught.headers("Subject").len(), 1, "{}", caught.raw);
    assert_eq!(caught.header("X-RcptTo").as_deref(), Some(DEMO_PATIENT_EMAIL), "the only envelope recipient");
    assert_eq!(caught.to_name.as_deref(), Some("Olivia Bcc: attacker@evil.example Subject: Click here"));
    assert!(mail.all().iter().all(|m| !m.to.contains("evil")));
}

async fn three_notification_workers_turn_each_due_event_into_one_email(engine: Engine) {
    use portico_server::clock::Clock as _;
    use portico_server::notifications::{Delivery, Kind, pending, worker};

    let app = spawn_app(engine).await;
    let at = "2026-11-25T09:00:00.000000Z";
    for i in 0..60 {
        sqlx::query(
            "INSERT INTO accounts (id, email, email_verified_at, display_name, created_at) VALUES ($1, $2, $3, $4, $3)",
        )
        .bind(format!("burst-{i}"))
        .bind(format!("person{i}@patients.example"))
        .bind(at)
        .bind(format!("Person {i}"))
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    let mut tx = app.db.begin_write().await.unwrap();
    for i in 0..60 {
        let account = format!("burst-{i}");
        for _ in 0..3 {
            pending::record(&mut tx, &account, Kind::NewEntries, Delivery::Immediately, None, false, app.clock.now())
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    app.clock.advance(Duration::minutes(11));
    // Two more workers race the server's own.
    let state = || {
        portico_server::state::AppState::new(
            app.db.clone(),
            portico_server::config::Settings::default(),
            std::sync::Arc::new(app.clock.clone()),
            portico_server::secrets::Keys::for_tests(),
        )
    };
    let (one, two) = (state(), state());
    let (a, b) = tokio::join!(worker::deliver_due(&one), worker::deliver_due(&two));
    a.unwrap();
    b.unwrap();
    let sent: i64 = eventually(|| async {
        let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE state = 'sent'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        (sent == 60).then_some(sent)
    })
    .await;
    assert_eq!(sent, 60, "three events each folded into one row per person");
    let emails: Vec<(String, i64)> =
        sqlx::query_as("SELECT to_address, count(*) FROM outbox WHERE kind = 'new_entries' GROUP BY to_address")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(emails.len(), 60);
    assert!(emails.iter().all(|(_, n)| *n == 1), "{emails:?}");
}

async fn a_new_account_knows_the_device_it_registered_on_and_is_told_of_another(engine: Engine) {
    let (app, mail) = crate::invitations::app_with_mail(engine).await;
    let email = "new.patient@example.com";
    let registered_on = crate::account_basics::registered_patient(&app, &mail, email, 0).await;
    let password = crate::invitations::GOOD_PASSWORD;
    assert_eq!(app.sign_in_as(&registered_on, email, password).await.status(), 200);
    assert_eq!(app.sign_in_as(&browser(), email, password).await.status(), 200);
    let notice = mail.wait_for(email, "signed in to from a new device").await;
    assert!(notice.html.is_some() && notice.header("List-Unsubscribe").is_none(), "{}", notice.raw);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let notices = mail.all().into_iter().filter(|m| m.to == email && m.subject.contains("new device")).count();
    assert_eq!(notices, 1, "the device it registered on is known");
}

async fn a_notification_through_notifys_email_api_carries_the_one_click_unsubscribe(engine: Engine) {
    let notify = portico_notify::standin::NotifyStandIn::start().await.unwrap();
    let (notify_base, key) = (notify.base_url(), notify.api_key());
    // Over https (Notify takes only an https unsubscribe address).
    let app = spawn_app_configured(engine, Options { tls_base_url: true }, move |s| {
        s.notify_base_url = notify_base.parse().unwrap();
        s.notify_api_key = Some(key);
        s.notify_sms_invitation_template_id = Some("f33517ff-2a88-4f6e-b855-c550268ce08a".into());
        s.email_provider = portico_server::config::EmailProvider::Notify;
        s.notify_email_template_id = Some("4f0d1a4e-5b7e-4c61-a6f4-0c8a3a1b7d2e".into());
    })
    .await;
    let (record_id, _) = olivias_record(&app).await;
    let mut tx = app.db.begin_write().await.unwrap();
    portico_server::notifications::pending::entry_added(
        &mut tx,
        &record_id,
        false,
        portico_server::clock::Clock::now(&app.clock),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.clock.advance(Duration::minutes(11));
    let sent = eventually(|| async {
        notify.requests().unwrap().into_iter().find(|r| r.path == "/v2/notifications/email" && r.status == 201)
    })
    .await;
    assert_eq!(sent.body["email_address"], DEMO_PATIENT_EMAIL);
    assert_eq!(sent.body["personalisation"]["subject"], NEW_ENTRIES);
    let one_click = sent.body["one_click_unsubscribe_url"].as_str().unwrap();
    assert!(one_click.starts_with("https://") && one_click.contains("/api/v1/notifications/unsubscribe?token="));
}

/// Carers hear of new entries in the records they look after, as their own
/// settings say, and only of those their access shows: Olivia (demo data)
/// sees all but private and sensitive entries of her mother Margaret's.
async fn carers_are_told_of_new_entries_they_may_see(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let nhs: String = sqlx::query_scalar(
        "SELECT r.nhs_number FROM records r JOIN accounts a ON a.id = r.owner_account_id WHERE a.email = $1",
    )
    .bind(portico_server::demo::DEMO_CARED_FOR_EMAIL)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let pending = |email: &'static str| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT n.events, n.for_carer FROM notifications n JOIN accounts a ON a.id = n.account_id \
                 WHERE a.email = $1 AND n.kind = 'new_entries' AND n.state = 'pending'",
            )
            .bind(email)
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    };
    post_results(&app, &key, &nhs, 0, 1).await;
    assert_eq!(pending(portico_server::demo::DEMO_CARED_FOR_EMAIL).await, Some((1, 0)), "the patient");
    assert_eq!(pending(DEMO_PATIENT_EMAIL).await, Some((1, 1)), "her carer, as a carer");

    // A letter labelled restricted: the patient hears of it, her carer (who
    // does not see sensitive entries) does not.
    let letter = json!({ "resourceType": "Bundle", "type": "batch", "entry": [{ "resource": {
        "resourceType": "DocumentReference", "id": "restricted-1",
        "subject": { "identifier": { "system": NHS, "value": nhs } },
        "securityLabel": [{ "coding": [{ "code": "R" }] }],
        "type": { "text": "Clinic letter" }, "date": "2026-11-25T12:00:00Z", "description": "Review" } }] });
    let (status, outcome) = post_fhir(&app, &key, "", &letter).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(pending(portico_server::demo::DEMO_CARED_FOR_EMAIL).await, Some((2, 0)));
    assert_eq!(pending(DEMO_PATIENT_EMAIL).await, Some((1, 1)), "not told of a sensitive entry");

    // Once the window has passed, the email says it is a record she looks after.
    app.clock.advance(Duration::minutes(11));
    let subject = eventually(|| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT subject FROM outbox WHERE to_address = $1 AND kind = 'new_entries'")
                .bind(DEMO_PATIENT_EMAIL)
                .fetch_optional(&pool)
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(subject, "There is new information in a health record you look after");
}

crate::on_both_engines!(
    carers_are_told_of_new_entries_they_may_see,
    a_notification_through_notifys_email_api_carries_the_one_click_unsubscribe,
    a_new_account_knows_the_device_it_registered_on_and_is_told_of_another,
    three_notification_workers_turn_each_due_event_into_one_email,
    a_burst_of_a_thousand_new_entries_is_one_notification_email,
    notification_preferences_are_read_and_changed_but_security_notices_stay_on,
    the_daily_notification_digest_goes_at_the_digest_hour,
    a_sign_in_from_a_new_device_sends_a_security_notification,
    staff_see_notifications_sent_to_a_record_owner_with_delivery_status,
    a_refused_recipient_is_a_bounced_notification,
    a_notification_waits_for_an_smtp_server_that_is_down_and_goes_once,
    a_name_with_a_line_break_adds_no_header_to_a_notification,
);
