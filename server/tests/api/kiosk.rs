//! Kiosk check-in: staff set a device up as their team's kiosk; a patient
//! checking in identifies themselves on it and gets their invitation by text
//! message, email or a code on the screen; and what goes wrong (a revoked
//! kiosk, wrong dates of birth, an excluded record, a busy kiosk, an old or
//! used check-in).

use portico_server::db::Engine;
use portico_types::api::{KioskCheckInResponse, KioskInvitation, KioskInviteVia, KioskSummary, KiosksResponse};
use reqwest::{Client, Response};
use serde_json::{Value, json};

use crate::face_to_face::app_with_notify;
use crate::helpers::eventually;
use crate::helpers::{ASHA, DEMO_PASSWORD, Options, SAM, TestApp, browser, problem, spawn_app, spawn_app_with};
use crate::invitations::{app_with_mail, start, wrong_date};

const MORGAN: &str = "morgan.reid@demo.portico.example";
const JORDAN: &str = "jordan.hughes@demo.portico.example";

/// An unregistered, unexcluded Diabetes Clinic record with a mobile number
/// and an email address, the `nth` from 0.
struct Patient {
    id: String,
    date_of_birth: String,
    family_name: String,
    nhs_number: String,
    email: String,
    mobile: String,
}

async fn patient(app: &TestApp, nth: i64) -> Patient {
    let (id, date_of_birth, family_name, nhs_number, email, mobile) = sqlx::query_as(
        "SELECT r.id, r.date_of_birth, r.family_name, r.nhs_number, r.email, r.mobile FROM records r \
         JOIN team_records tr ON tr.record_id = r.id JOIN teams t ON t.id = tr.team_id \
         WHERE t.slug = 'diabetes' AND r.owner_account_id IS NULL AND r.email IS NOT NULL AND r.mobile IS NOT NULL \
         ORDER BY r.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    Patient { id, date_of_birth, family_name, nhs_number, email, mobile }
}

async fn team_id(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT id FROM teams WHERE slug = $1").bind(slug).fetch_one(&app.db.pool).await.unwrap()
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_in_as(&client, email, DEMO_PASSWORD).await.status(), 200, "{email}");
    client
}

async fn set_up(app: &TestApp, client: &Client, team_slug: &str, name: &str) -> Response {
    let team = team_id(app, team_slug).await;
    client
        .post(app.url(&format!("/api/v1/staff/teams/{team}/kiosks")))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap()
}

/// A device Sam has set up as the Diabetes Clinic's kiosk.
async fn kiosk(app: &TestApp) -> Client {
    let device = signed_in(app, SAM).await;
    assert_eq!(set_up(app, &device, "diabetes", "Waiting room").await.status(), 201);
    device
}

async fn check_in(app: &TestApp, kiosk: &Client, body: Value) -> Response {
    kiosk.post(app.url("/api/v1/kiosk/check-ins")).json(&body).send().await.unwrap()
}

async fn checked_in(app: &TestApp, kiosk: &Client, body: Value) -> KioskCheckInResponse {
    let response = check_in(app, kiosk, body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The check-in token of `patient`, found by family name.
async fn token_for(app: &TestApp, kiosk: &Client, patient: &Patient) -> (String, Vec<KioskInviteVia>) {
    let answer =
        checked_in(app, kiosk, json!({ "date_of_birth": patient.date_of_birth, "family_name": patient.family_name }))
            .await;
    match answer {
        KioskCheckInResponse::Invitable { token, options, expires_in_secs } => {
            assert_eq!(expires_in_secs, 120);
            (token, options)
        }
        other => panic!("not invitable: {other:?}"),
    }
}

async fn invite(app: &TestApp, kiosk: &Client, token: &str, via: &str) -> Response {
    kiosk.post(app.url("/api/v1/kiosk/invitations")).json(&json!({ "token": token, "via": via })).send().await.unwrap()
}

async fn a_receptionist_or_admin_sets_up_a_kiosk_and_the_device_is_a_kiosk_only(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = signed_in(&app, SAM).await;
    let blank = problem(set_up(&app, &device, "diabetes", "   ").await).await;
    assert_eq!(blank["errors"][0]["field"], "name", "{blank}");

    let response = set_up(&app, &device, "diabetes", "Waiting room, level 2").await;
    assert_eq!(response.status(), 201);
    let cookies: Vec<String> =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let kiosk_cookie = cookies.iter().find(|c| c.starts_with("portico-kiosk=")).unwrap();
    assert!(kiosk_cookie.contains("HttpOnly") && kiosk_cookie.contains("SameSite=Strict"), "{kiosk_cookie}");
    assert!(cookies.iter().any(|c| c.starts_with("portico-session=;")), "the session cookie is cleared: {cookies:?}");
    let created: KioskSummary = response.json().await.unwrap();
    assert_eq!((created.name.as_str(), created.created_by.as_str()), ("Waiting room, level 2", "Sam Okafor"));

    // The staff session on the device has ended; the device is the kiosk.
    assert_eq!(device.get(app.url("/api/v1/session")).send().await.unwrap().status(), 401);
    let shown: Value = device.get(app.url("/api/v1/kiosk")).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown, json!({ "team_name": "Diabetes Clinic", "idle_reset_secs": 60 }));

    // The team's admin sees it; a staff session is not a kiosk.
    let asha = signed_in(&app, ASHA).await;
    let team = team_id(&app, "diabetes").await;
    let listed: KiosksResponse =
        asha.get(app.url(&format!("/api/v1/staff/teams/{team}/kiosks"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.kiosks.len(), 1);
    assert!(listed.kiosks[0].last_seen_at.is_some());
    assert_eq!(problem(asha.get(app.url("/api/v1/kiosk")).send().await.unwrap()).await["type"], "kiosk-not-set-up");

    // A safeguarding lead may not; a team they have no role in is not there.
    let morgan = signed_in(&app, MORGAN).await;
    assert_eq!(problem(set_up(&app, &morgan, "diabetes", "Mine").await).await["type"], "may-not-manage-kiosks");
    let jordan = signed_in(&app, JORDAN).await;
    assert_eq!(set_up(&app, &jordan, "diabetes", "Mine").await.status(), 404);
    assert_eq!(jordan.get(app.url(&format!("/api/v1/staff/teams/{team}/kiosks"))).send().await.unwrap().status(), 404);
    // Without the CSRF header, nothing.
    let bare = Client::new().post(app.url(&format!("/api/v1/staff/teams/{team}/kiosks"))).json(&json!({ "name": "x" }));
    assert_eq!(bare.send().await.unwrap().status(), 403);
    assert!(app.audit_actions().await.contains(&"kiosk_registered".to_owned()));
}

async fn over_tls_the_kiosk_cookie_is_secure_and_host_prefixed(engine: Engine) {
    let app = spawn_app_with(engine, Options { tls_base_url: true }).await;
    // The client will not send a Secure cookie over plain HTTP: pass it by hand.
    let signed_in = app.sign_in_as(&browser(), SAM, DEMO_PASSWORD).await;
    let session = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let team = team_id(&app, "diabetes").await;
    let response = Client::new()
        .post(app.url(&format!("/api/v1/staff/teams/{team}/kiosks")))
        .header("cookie", session)
        .header("x-portico-csrf", "1")
        .json(&json!({ "name": "Front desk" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let kiosk_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-portico-kiosk="))
        .unwrap();
    assert!(kiosk_cookie.contains("Secure") && kiosk_cookie.contains("Path=/"), "{kiosk_cookie}");
}

async fn a_revoked_kiosk_is_switched_off_at_once(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    let patient = patient(&app, 0).await;
    let (token, _) = token_for(&app, &device, &patient).await;
    let asha = signed_in(&app, ASHA).await;
    let team = team_id(&app, "diabetes").await;
    let listed: KiosksResponse =
        asha.get(app.url(&format!("/api/v1/staff/teams/{team}/kiosks"))).send().await.unwrap().json().await.unwrap();
    let revoke = |id: String| asha.delete(app.url(&format!("/api/v1/staff/teams/{team}/kiosks/{id}"))).send();
    assert_eq!(revoke(listed.kiosks[0].id.clone()).await.unwrap().status(), 204);
    assert_eq!(revoke(listed.kiosks[0].id.clone()).await.unwrap().status(), 204, "again changes nothing");
    assert_eq!(revoke("no-such-kiosk".into()).await.unwrap().status(), 404);

    let refused = problem(device.get(app.url("/api/v1/kiosk")).send().await.unwrap()).await;
    assert_eq!((refused["status"].as_u64(), refused["type"].as_str()), (Some(401), Some("kiosk-revoked")));
    assert_eq!(refused["title"], "This kiosk has been switched off");
    let body = json!({ "date_of_birth": patient.date_of_birth, "family_name": patient.family_name });
    assert_eq!(problem(check_in(&app, &device, body).await).await["type"], "kiosk-revoked");
    assert_eq!(problem(invite(&app, &device, &token, "screen").await).await["type"], "kiosk-revoked");
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "kiosk_revoked").count(), 1);
    let invitations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM invitations").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(invitations, 0);
}

async fn wrong_dates_of_birth_send_the_patient_to_reception(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    let patient = patient(&app, 0).await;
    let wrong = json!({ "date_of_birth": wrong_date(&patient.date_of_birth), "family_name": patient.family_name });
    for _ in 0..4 {
        assert_eq!(checked_in(&app, &device, wrong.clone()).await, KioskCheckInResponse::NotFound);
    }
    let locked = problem(check_in(&app, &device, wrong.clone()).await).await;
    assert_eq!((locked["status"].as_u64(), locked["type"].as_str()), (Some(429), Some("check-in-locked")));
    assert_eq!(locked["detail"], "Please ask at reception.");
    // Even the right date of birth waits now, however the name is written.
    let right = json!({ "date_of_birth": patient.date_of_birth, "family_name": patient.family_name.to_uppercase() });
    assert_eq!(problem(check_in(&app, &device, right.clone()).await).await["type"], "check-in-locked");
    // Someone else at the same kiosk is not held up.
    let other = crate::kiosk::patient(&app, 1).await;
    token_for(&app, &device, &other).await;
    assert!(app.audit_actions().await.contains(&"kiosk_check_in_locked".to_owned()));
    // After a while, the patient can try again.
    app.clock.advance(time::Duration::minutes(16));
    assert!(matches!(checked_in(&app, &device, right).await, KioskCheckInResponse::Invitable { .. }));
}

async fn an_excluded_or_ambiguous_record_gets_the_answer_of_nobody(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    let excluded = patient(&app, 0).await;
    sqlx::query(
        "INSERT INTO exclusions (record_id, reason, note, set_by, set_at) \
         SELECT $1, 'safeguarding_concern', 'Not by kiosk', id, '2026-11-25T09:00:00.000000Z' FROM accounts WHERE email = $2",
    )
    .bind(&excluded.id)
    .bind(MORGAN)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let answer = |body: Value| {
        let device = device.clone();
        let url = app.url("/api/v1/kiosk/check-ins");
        async move {
            let response = device.post(url).json(&body).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let nobody = answer(json!({ "date_of_birth": "1950-01-01", "family_name": "Nobody-Here" })).await;
    assert_eq!(nobody.1, r#"{"outcome":"not_found"}"#);
    let by_name = json!({ "date_of_birth": excluded.date_of_birth, "family_name": excluded.family_name });
    let by_number = json!({ "date_of_birth": excluded.date_of_birth, "nhs_number": excluded.nhs_number });
    assert_eq!(answer(by_name).await, nobody, "an exclusion is never told apart");
    assert_eq!(answer(by_number).await, nobody);

    // Two records with the same name and date of birth: reception sorts it out.
    let twin = patient(&app, 1).await;
    sqlx::query("UPDATE records SET family_name = $2, date_of_birth = $3 WHERE id = $1")
        .bind(&twin.id)
        .bind("Lovelace")
        .bind("1990-12-10")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let other = patient(&app, 2).await;
    sqlx::query("UPDATE records SET family_name = $2, date_of_birth = $3 WHERE id = $1")
        .bind(&other.id)
        .bind("LOVELACE")
        .bind("1990-12-10")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(answer(json!({ "date_of_birth": "1990-12-10", "family_name": "Lovelace" })).await, nobody);
    // Either twin is found by their own NHS number.
    let by_number = json!({ "date_of_birth": "1990-12-10", "nhs_number": twin.nhs_number });
    assert!(matches!(checked_in(&app, &device, by_number).await, KioskCheckInResponse::Invitable { .. }));

    // Bad input is named, field by field.
    let bad =
        problem(check_in(&app, &device, json!({ "date_of_birth": "2099-01-01", "nhs_number": "123" })).await).await;
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["date_of_birth", "nhs_number"]);
    let both = json!({ "date_of_birth": "1990-12-10", "family_name": "Lovelace", "nhs_number": twin.nhs_number });
    assert_eq!(problem(check_in(&app, &device, both).await).await["errors"][0]["field"], "family_name");
}

async fn a_registered_patient_is_told_to_sign_in_on_their_phone(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    let (date_of_birth, family_name): (String, String) = sqlx::query_as(
        "SELECT r.date_of_birth, r.family_name FROM records r JOIN team_records tr ON tr.record_id = r.id \
         JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'diabetes' AND r.owner_account_id IS NOT NULL LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let answer = checked_in(&app, &device, json!({ "date_of_birth": date_of_birth, "family_name": family_name })).await;
    assert_eq!(answer, KioskCheckInResponse::AlreadyRegistered);
}

async fn a_text_message_goes_to_the_mobile_on_the_record_through_notify(engine: Engine) {
    let (app, notify) = app_with_notify(engine).await;
    let device = kiosk(&app).await;
    let patient = patient(&app, 0).await;
    let response = check_in(
        &app,
        &device,
        json!({ "date_of_birth": patient.date_of_birth, "nhs_number": format!(" {} ", patient.nhs_number) }),
    )
    .await;
    let text = response.text().await.unwrap();
    for detail in [&patient.family_name, &patient.email, &patient.mobile[patient.mobile.len() - 4..]] {
        assert!(!text.contains(detail), "the kiosk shows nothing of the record: {text}");
    }
    let KioskCheckInResponse::Invitable { token, options, .. } = serde_json::from_str(&text).unwrap() else {
        panic!("not invitable: {text}");
    };
    assert_eq!(options, [KioskInviteVia::Sms, KioskInviteVia::Email, KioskInviteVia::Screen]);
    let sent = invite(&app, &device, &token, "sms").await;
    assert_eq!(sent.status(), 201);
    let sent = sent.text().await.unwrap();
    assert!(!sent.contains(&patient.mobile[patient.mobile.len() - 4..]), "{sent}");
    let sent: KioskInvitation = serde_json::from_str(&sent).unwrap();
    assert_eq!((sent.via, sent.code, sent.qr_svg), (KioskInviteVia::Sms, None, None));

    let request = eventually(|| async {
        notify.requests().unwrap().into_iter().find(|r| r.path == "/v2/notifications/sms" && r.status == 201)
    })
    .await;
    let mobile = portico_types::MobileNumber::parse(&patient.mobile).unwrap();
    assert_eq!(request.body["phone_number"], mobile.e164());
    // Issued in the name of the professional who set the kiosk up, and audited with the kiosk.
    let (issuer, detail): (String, String) = sqlx::query_as(
        "SELECT a.display_name, e.detail FROM audit_events e JOIN accounts a ON a.id = e.actor_account_id \
         WHERE e.action = 'kiosk_invitation_issued' AND e.record_id = $1",
    )
    .bind(&patient.id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(issuer, "Sam Okafor");
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["via"], "sms");
    assert!(detail["kiosk_id"].is_string());
}

async fn an_email_goes_to_the_address_on_the_record(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let device = kiosk(&app).await;
    let patient = patient(&app, 0).await;
    let (token, options) = token_for(&app, &device, &patient).await;
    assert!(options.contains(&KioskInviteVia::Email));
    assert_eq!(invite(&app, &device, &token, "email").await.status(), 201);
    let email = mail.wait_for(&patient.email, "Your invitation to see your health record online").await;
    assert!(email.body.contains("register?code="), "{}", email.body);
}

async fn the_code_on_screen_registers_on_the_patients_phone(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    let patient = patient(&app, 0).await;
    // The reference on the appointment letter, as a feed sent it.
    sqlx::query(
        "INSERT INTO entries (id, record_id, kind, source_system, source_id, title, occurred_at, content_hash, \
         created_at, updated_at) VALUES ('e1', $1, 'appointment', 'pas', 'apt-2026-0042', 'Diabetes clinic', \
         '2026-11-25T10:00:00.000000Z', 'x', '2026-11-25T09:00:00.000000Z', '2026-11-25T09:00:00.000000Z')",
    )
    .bind(&patient.id)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let answer = checked_in(
        &app,
        &device,
        json!({ "date_of_birth": patient.date_of_birth, "letter_reference": " APT-2026-0042 " }),
    )
    .await;
    let KioskCheckInResponse::Invitable { token, .. } = answer else { panic!("not invitable: {answer:?}") };
    assert_eq!(problem(invite(&app, &device, &token, "pigeon").await).await["errors"][0]["field"], "via");
    let shown = invite(&app, &device, &token, "screen").await;
    assert_eq!(shown.status(), 201);
    let shown: KioskInvitation = shown.json().await.unwrap();
    assert!(shown.qr_svg.unwrap().starts_with("<svg"));
    let code = shown.code.unwrap();
    assert_eq!(start(&app, &browser(), &code, &patient.date_of_birth).await.status(), 201);
    let channel: String = sqlx::query_scalar("SELECT channel FROM invitations WHERE record_id = $1")
        .bind(&patient.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(channel, "kiosk");
}

async fn a_check_in_works_once_at_its_own_kiosk_and_not_for_long(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    let patient = patient(&app, 0).await;

    // Used once, and only once, even by two touches at the same moment.
    let (token, _) = token_for(&app, &device, &patient).await;
    let (first, second) =
        tokio::join!(invite(&app, &device, &token, "screen"), invite(&app, &device, &token, "screen"));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 410]);

    // Not at another kiosk.
    let (token, _) = token_for(&app, &device, &patient).await;
    let elsewhere = kiosk(&app).await;
    assert_eq!(problem(invite(&app, &elsewhere, &token, "screen").await).await["type"], "check-in-expired");

    // Not after two minutes.
    app.clock.advance(time::Duration::seconds(121));
    assert_eq!(problem(invite(&app, &device, &token, "screen").await).await["type"], "check-in-expired");
    assert_eq!(problem(invite(&app, &device, "not-a-token", "screen").await).await["type"], "check-in-expired");
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(issued, 1);
}

async fn each_kiosk_takes_only_so_many_check_ins(engine: Engine) {
    let app = spawn_app(engine).await;
    let device = kiosk(&app).await;
    for n in 0..40 {
        let body = json!({ "date_of_birth": "1950-01-01", "family_name": format!("Nobody{n}") });
        assert_eq!(checked_in(&app, &device, body).await, KioskCheckInResponse::NotFound, "check-in {n}");
    }
    let patient = patient(&app, 0).await;
    let body = json!({ "date_of_birth": patient.date_of_birth, "family_name": patient.family_name });
    let busy = check_in(&app, &device, body).await;
    assert!(busy.headers().contains_key("retry-after"));
    assert_eq!(problem(busy).await["type"], "too-many-attempts");
    // Another kiosk is not held up.
    token_for(&app, &kiosk(&app).await, &patient).await;
}

crate::on_both_engines!(
    a_receptionist_or_admin_sets_up_a_kiosk_and_the_device_is_a_kiosk_only,
    over_tls_the_kiosk_cookie_is_secure_and_host_prefixed,
    a_revoked_kiosk_is_switched_off_at_once,
    wrong_dates_of_birth_send_the_patient_to_reception,
    an_excluded_or_ambiguous_record_gets_the_answer_of_nobody,
    a_registered_patient_is_told_to_sign_in_on_their_phone,
    a_text_message_goes_to_the_mobile_on_the_record_through_notify,
    an_email_goes_to_the_address_on_the_record,
    the_code_on_screen_registers_on_the_patients_phone,
    a_check_in_works_once_at_its_own_kiosk_and_not_for_long,
    each_kiosk_takes_only_so_many_check_ins,
);
