//! Face-to-face registration: a receptionist with the patient at the desk
//! prints the letter, sends a text message (through the GOV.UK Notify
//! stand-in) or an email, or hands the device over; and what goes wrong.

use base64::Engine as _;
use portico_notify::standin::NotifyStandIn;
use portico_server::db::Engine;
use portico_types::api::{HandoverStarted, IssuedInvitation, RegistrationCompleted};
use reqwest::Client;
use serde_json::json;

use crate::helpers::{
    DEMO_PASSWORD, Options, SAM, TestApp, browser, eventually, problem, spawn_app, spawn_app_configured,
};
use crate::invitations::{GOOD_PASSWORD, app_with_mail, issue_as, post, start, unregistered_record};
use crate::mail_catcher::six_digits;

const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";

async fn receptionist(app: &TestApp) -> Client {
    let sam = browser();
    assert_eq!(app.sign_in_as(&sam, SAM, DEMO_PASSWORD).await.status(), 200);
    sam
}

/// A server whose text messages go to a Notify stand-in, and the stand-in.
async fn app_with_notify(engine: Engine) -> (TestApp, NotifyStandIn) {
    let notify = NotifyStandIn::start().await.unwrap();
    let (base, key) = (notify.base_url(), notify.api_key());
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, move |s| {
        s.notify_base_url = base.parse().unwrap();
        s.notify_api_key = Some(key);
        s.notify_sms_invitation_template_id = Some(TEMPLATE_ID.into());
    })
    .await;
    (app, notify)
}

/// Hands `desk`'s device over for `record_id`; the code the patient starts with.
async fn hand_over(app: &TestApp, desk: &Client, record_id: &str) -> String {
    let handed = desk.post(app.url(&format!("/api/v1/staff/records/{record_id}/handover"))).send().await.unwrap();
    assert_eq!(handed.status(), 201);
    let handed: HandoverStarted = handed.json().await.unwrap();
    handed.register_path.strip_prefix("/register?code=").unwrap().to_owned()
}

async fn invitation_state(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT state FROM invitations WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.unwrap()
}

async fn a_receptionist_prints_a_one_page_letter_whose_code_registers(engine: Engine) {
    let app = spawn_app(engine).await;
    let sam = receptionist(&app).await;
    let (record_id, dob, _) = unregistered_record(&app, 0).await;
    let issued = issue_as(&app, &sam, &record_id, json!({ "channel": "letter" })).await;
    assert_eq!(issued.status(), 201);
    let issued: IssuedInvitation = issued.json().await.unwrap();
    let pdf = base64::engine::general_purpose::STANDARD.decode(issued.letter_pdf.unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let code = issued.code.unwrap();
    assert_eq!(start(&app, &browser(), &code, &dob).await.status(), 201);
    // Audited with who issued it.
    let issuer: String = sqlx::query_scalar(
        "SELECT a.display_name FROM audit_events e JOIN accounts a ON a.id = e.actor_account_id \
         WHERE e.action = 'invitation_issued' AND e.record_id = $1",
    )
    .bind(&record_id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(issuer, "Sam Okafor");
}

async fn a_text_message_goes_through_notify_with_the_code(engine: Engine) {
    let (app, notify) = app_with_notify(engine).await;
    let sam = receptionist(&app).await;
    let (record_id, ..) = unregistered_record(&app, 1).await;

    // Not a UK mobile: refused, nothing issued.
    let landline =
        problem(issue_as(&app, &sam, &record_id, json!({ "channel": "sms", "mobile": "020 7946 0000" })).await).await;
    assert_eq!(landline["errors"][0]["field"], "mobile", "{landline}");
    let issued = issue_as(&app, &sam, &record_id, json!({ "channel": "sms", "mobile": "07700 900 982" })).await;
    assert_eq!(issued.status(), 201);
    let issued: IssuedInvitation = issued.json().await.unwrap();
    assert_eq!(issued.code, None, "the code goes only to the patient's phone");
    assert_eq!(issued.sent_to.as_deref(), Some("07700 900982"));

    let sent = eventually(|| async {
        notify.requests().unwrap().into_iter().find(|r| r.path == "/v2/notifications/sms" && r.status == 201)
    })
    .await;
    assert!(sent.jwt_valid, "the JWT passes Notify's own check");
    assert_eq!(sent.body["phone_number"], "+447700900982");
    assert_eq!(sent.body["template_id"], TEMPLATE_ID);
    assert_eq!(sent.body["reference"], format!("invitation:{}", issued.id));
    let code = sent.body["personalisation"]["code"].as_str().unwrap().to_owned();
    assert!(sent.body["personalisation"]["link"].as_str().unwrap().ends_with(&format!("register?code={code}")));
    eventually(|| async { (invitation_state(&app, &issued.id).await == "sent").then_some(()) }).await;
    assert_eq!(notify.requests().unwrap().iter().filter(|r| r.path == "/v2/notifications/sms").count(), 1);
}

async fn a_text_that_may_have_reached_notify_is_looked_up_not_sent_again(engine: Engine) {
    use portico_server::clock::{Clock as _, stored};
    let (app, notify) = app_with_notify(engine).await;
    // A worker claimed this text, handed it to Notify and died before marking
    // it sent: one attempt counted, no error recorded, its lease run out.
    let client = portico_notify::Client::new(
        &notify.base_url(),
        portico_notify::ApiKey::parse(&notify.api_key()).unwrap(),
        std::time::Duration::from_secs(10),
    )
    .unwrap();
    let request = portico_notify::SmsRequest {
        phone_number: "+447700900982".into(),
        template_id: TEMPLATE_ID.into(),
        personalisation: std::collections::BTreeMap::new(),
        reference: Some("crashed-text".into()),
        sms_sender_id: None,
    };
    client.send_sms(&request).await.unwrap();
    let now = stored(app.clock.now());
    sqlx::query(
        "INSERT INTO outbox (id, idempotency_key, channel, to_address, subject, body_text, personalisation, \
         created_at, next_attempt_at, attempts) VALUES ('t1', 'crashed-text', 'sms', '+447700900982', '', 'Hello', \
         '{}', $1, $1, 1)",
    )
    .bind(&now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    eventually(|| async {
        let sent: Option<String> =
            sqlx::query_scalar("SELECT sent_at FROM outbox WHERE id = 't1'").fetch_one(&app.db.pool).await.unwrap();
        sent
    })
    .await;
    let requests = notify.requests().unwrap();
    assert!(
        requests.iter().any(|r| r.path == "/v2/notifications" && r.query["reference"] == ["crashed-text"]),
        "looked up by its reference: {requests:?}"
    );
    assert_eq!(requests.iter().filter(|r| r.path == "/v2/notifications/sms").count(), 1, "not sent again");
}

async fn a_mistyped_email_or_another_teams_record_changes_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let sam = receptionist(&app).await;
    let (record_id, ..) = unregistered_record(&app, 2).await;
    let typo =
        problem(issue_as(&app, &sam, &record_id, json!({ "channel": "email", "email": "jo@@example" })).await).await;
    assert_eq!(typo["errors"][0]["field"], "email", "{typo}");
    let nothing = problem(issue_as(&app, &sam, &record_id, json!({ "channel": "pigeon" })).await).await;
    assert_eq!(nothing["errors"][0]["field"], "channel", "{nothing}");
    let invitations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM invitations").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(invitations, 0);

    // Jordan is an admin of the respiratory team only: a diabetes-only record is not there for him.
    let diabetes_only: String = sqlx::query_scalar(
        "SELECT tr.record_id FROM team_records tr JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'diabetes' \
         AND NOT EXISTS (SELECT 1 FROM team_records o JOIN teams ot ON ot.id = o.team_id \
                         WHERE o.record_id = tr.record_id AND ot.slug = 'respiratory') ORDER BY tr.record_id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let jordan = browser();
    app.sign_in_as(&jordan, "jordan.hughes@demo.portico.example", DEMO_PASSWORD).await;
    for path in ["invitations", "handover"] {
        let response = jordan
            .post(app.url(&format!("/api/v1/staff/records/{diabetes_only}/{path}")))
            .json(&json!({ "channel": "letter" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

async fn a_handed_over_device_registers_the_patient_and_waits_for_the_staff_password(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let desk = receptionist(&app).await;
    let (record_id, dob, _) = unregistered_record(&app, 3).await;
    let code = hand_over(&app, &desk, &record_id).await;

    // The staff session opens nothing while the patient has the device.
    for path in ["/api/v1/session", "/api/v1/staff/teams", &format!("/api/v1/staff/records/{record_id}")] {
        let refused = problem(desk.get(app.url(path)).send().await.unwrap()).await;
        assert_eq!(refused["type"], "device-handed-over", "{path}");
    }
    let whose: serde_json::Value =
        desk.get(app.url("/api/v1/session/handover")).send().await.unwrap().json().await.unwrap();
    assert_eq!(whose["staff_name"], "Sam Okafor");

    // The patient registers on it, proving their email on their own phone.
    assert_eq!(start(&app, &desk, &code, &dob).await.status(), 201);
    let email = "at.the.desk@example.com";
    assert_eq!(post(&app, &desk, "/api/v1/registration/email", json!({ "email": email })).await.status(), 200);
    let digits = six_digits(&mail.wait_for(email, "Confirm your email address").await.body).unwrap();
    let confirmed = post(&app, &desk, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    assert_eq!(confirmed.status(), 200);
    let done =
        post(&app, &desk, "/api/v1/registration/complete", json!({ "password": GOOD_PASSWORD, "accept_terms": true }))
            .await;
    assert_eq!(done.status(), 201);
    let done: RegistrationCompleted = done.json().await.unwrap();
    assert!(done.hand_back && done.signed_in.is_none(), "the patient is not signed in on the staff device");
    let owner: Option<String> = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE id = $1")
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(owner.is_some(), "the record is the patient's");
    // Still the professional's device, still locked.
    assert_eq!(
        problem(desk.get(app.url("/api/v1/me/record")).send().await.unwrap()).await["type"],
        "device-handed-over"
    );

    // Only the professional's password takes it back.
    let wrong = problem(post(&app, &desk, "/api/v1/session/resume", json!({ "password": GOOD_PASSWORD })).await).await;
    assert_eq!(wrong["errors"][0]["field"], "password", "{wrong}");
    let back = post(&app, &desk, "/api/v1/session/resume", json!({ "password": DEMO_PASSWORD })).await;
    assert_eq!(back.status(), 200);
    assert_eq!(desk.get(app.url("/api/v1/staff/teams")).send().await.unwrap().status(), 200);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"device_handed_over".to_owned()) && actions.contains(&"device_handed_back".to_owned()));
}

async fn a_hand_over_abandoned_halfway_leaves_no_live_code(engine: Engine) {
    let app = spawn_app(engine).await;
    let desk = receptionist(&app).await;
    let (record_id, dob, _) = unregistered_record(&app, 4).await;
    let code = hand_over(&app, &desk, &record_id).await;
    assert_eq!(start(&app, &desk, &code, &dob).await.status(), 201);
    // The patient walks off. Nobody else gets back in without the password.
    let someone = post(&app, &desk, "/api/v1/session/resume", json!({ "password": "" })).await;
    assert_eq!(someone.status(), 422);
    assert_eq!(
        problem(desk.get(app.url("/api/v1/staff/teams")).send().await.unwrap()).await["type"],
        "device-handed-over"
    );
    assert_eq!(post(&app, &desk, "/api/v1/session/resume", json!({ "password": DEMO_PASSWORD })).await.status(), 200);
    // The code the patient left half used is revoked, and the registration cookie gone.
    let later = problem(start(&app, &browser(), &code, &dob).await).await;
    assert_eq!(later["type"], "invitation-not-valid");
    assert_eq!(
        problem(desk.get(app.url("/api/v1/registration")).send().await.unwrap()).await["type"],
        "registration-not-found"
    );
}

async fn another_sign_in_on_a_handed_over_device_ends_the_hand_over_and_its_code(engine: Engine) {
    let app = spawn_app(engine).await;
    let desk = receptionist(&app).await;
    let (record_id, dob, _) = unregistered_record(&app, 5).await;
    let code = hand_over(&app, &desk, &record_id).await;
    // Someone else signs in on the device ("Sign in as someone else").
    assert_eq!(app.sign_in_as(&desk, crate::helpers::ASHA, DEMO_PASSWORD).await.status(), 200);
    assert_eq!(desk.get(app.url("/api/v1/session/handover")).send().await.unwrap().status(), 404);
    assert_eq!(problem(start(&app, &browser(), &code, &dob).await).await["type"], "invitation-not-valid");
}

crate::on_both_engines!(
    a_receptionist_prints_a_one_page_letter_whose_code_registers,
    a_text_message_goes_through_notify_with_the_code,
    a_text_that_may_have_reached_notify_is_looked_up_not_sent_again,
    a_mistyped_email_or_another_teams_record_changes_nothing,
    a_handed_over_device_registers_the_patient_and_waits_for_the_staff_password,
    a_hand_over_abandoned_halfway_leaves_no_live_code,
    another_sign_in_on_a_handed_over_device_ends_the_hand_over_and_its_code,
);
