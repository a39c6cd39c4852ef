//! The uptake report's drop-off funnel: patients who stop at each step of
//! registration, and attempts refused for each reason, counted per team and
//! channel, as JSON and as CSV, for team admins only; and what a patient is
//! told about a wrong date of birth does not change with whether the code
//! exists.

use portico_server::db::Engine;
use portico_types::InvitationCode;
use portico_types::api::{FunnelReport, FunnelRow};
use reqwest::Client;
use serde_json::{Value, json};
use time::Duration;

use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, TestApp, browser, patient_account};
use crate::invitations::{GOOD_PASSWORD, app_with_mail, letter, post, start, unregistered_record, wrong_date};
use crate::mail_catcher::{MailCatcher, six_digits};

const JORDAN: &str = "jordan.hughes@demo.portico.example";

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_in_as(&client, email, DEMO_PASSWORD).await.status(), 200, "{email}");
    client
}

async fn funnel(app: &TestApp, client: &Client, query: &str) -> FunnelReport {
    let response = client.get(app.url(&format!("/api/v1/staff/reports/funnel{query}"))).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

/// The records at each step, in order.
fn reached(row: &FunnelRow) -> Vec<u64> {
    row.steps.iter().map(|s| s.records).collect()
}

/// The attempts refused for each reason, by name.
fn refused(row: &FunnelRow) -> Vec<(&str, u64)> {
    row.refusals.iter().map(|r| (r.reason.as_str(), r.attempts)).collect()
}

async fn give_email(app: &TestApp, patient: &Client, email: &str) {
    assert_eq!(post(app, patient, "/api/v1/registration/email", json!({ "email": email })).await.status(), 200);
}

async fn confirm_email(app: &TestApp, mail: &MailCatcher, patient: &Client, email: &str) {
    let digits = six_digits(&mail.wait_for(email, "Confirm").await.body).unwrap();
    let confirmed = post(app, patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    assert_eq!(confirmed.status(), 200);
}

async fn set_password(app: &TestApp, patient: &Client) {
    let done =
        post(app, patient, "/api/v1/registration/complete", json!({ "password": GOOD_PASSWORD, "accept_terms": true }))
            .await;
    assert_eq!(done.status(), 201);
}

/// A wrong date of birth answers the same for a code that exists and one
/// that does not: status and body, the attempts left included.
async fn mismatch_answer(app: &TestApp, code: &str, date_of_birth: &str) -> (u16, Value, Value, Value) {
    let response = start(app, &browser(), code, date_of_birth).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["type"].clone(), body["title"].clone(), body["detail"].clone())
}

async fn patients_stop_at_each_step_and_fail_for_each_reason(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let records: Vec<(String, String, String)> =
        futures_util::future::join_all((0..9).map(|n| unregistered_record(&app, n))).await;
    let dob = |n: usize| records[n].1.clone();

    // Record 0: a letter whose code has expired by the time it is entered.
    let expires = letter(&app, &records[0].0).await.code.unwrap();
    app.clock.advance(Duration::days(91));
    assert_eq!(start(&app, &browser(), &expires, &dob(0)).await.status(), 410);

    let mut codes = Vec::new();
    for (record_id, ..) in &records[1..] {
        codes.push(letter(&app, record_id).await.code.unwrap());
    }
    let code = |n: usize| codes[n - 1].clone();
    // Record 1: invited, never entered. Record 2: two wrong dates of birth,
    // answered exactly as a code that does not exist would be.
    let unknown = InvitationCode::from_random_bits(0x0123_4567_89ab).grouped();
    let on_real = mismatch_answer(&app, &code(2), &wrong_date(&dob(2))).await;
    let on_unknown = mismatch_answer(&app, &unknown, &wrong_date(&dob(2))).await;
    assert_eq!(on_real.0, 422, "{on_real:?}");
    assert_eq!(on_real, on_unknown, "a wrong date of birth says nothing of whether the code exists");
    start(&app, &browser(), &code(2), &wrong_date(&dob(2))).await;
    // Record 3: five wrong tries lock it (the fifth is told it is locked),
    // and the right date of birth after that is refused as locked too.
    for _ in 0..5 {
        start(&app, &browser(), &code(3), &wrong_date(&dob(3))).await;
    }
    let after_lock = start(&app, &browser(), &code(3), &dob(3)).await;
    assert_eq!(after_lock.status(), 403, "locked");
    // The same wall for a code that does not exist, once it has had its five.
    for _ in 0..6 {
        start(&app, &browser(), &unknown, &dob(3)).await;
    }
    // Record 4: matched and stopped. Record 5: gave an email, never confirmed it.
    assert_eq!(start(&app, &browser(), &code(4), &dob(4)).await.status(), 201);
    let patient = browser();
    assert_eq!(start(&app, &patient, &code(5), &dob(5)).await.status(), 201);
    give_email(&app, &patient, "funnel.five@example.com").await;
    // Record 6: confirmed the email, never set a password.
    let patient = browser();
    assert_eq!(start(&app, &patient, &code(6), &dob(6)).await.status(), 201);
    give_email(&app, &patient, "funnel.six@example.com").await;
    confirm_email(&app, &mail, &patient, "funnel.six@example.com").await;
    // Record 7: a first letter, then a second (which replaces the first); it
    // registers with the second, then tries both codes again.
    let first = code(7);
    let second = letter(&app, &records[7].0).await.code.unwrap();
    let patient = browser();
    assert_eq!(start(&app, &patient, &second, &dob(7)).await.status(), 201);
    give_email(&app, &patient, "funnel.seven@example.com").await;
    confirm_email(&app, &mail, &patient, "funnel.seven@example.com").await;
    set_password(&app, &patient).await;
    assert_eq!(start(&app, &browser(), &second, &dob(7)).await.status(), 409, "used");
    assert_eq!(start(&app, &browser(), &first, &dob(7)).await.status(), 409, "already registered");
    // Record 8: a replaced letter's code, entered with the right date of birth.
    letter(&app, &records[8].0).await;
    assert_eq!(start(&app, &browser(), &code(8), &dob(8)).await.status(), 410, "no longer valid");

    let asha = signed_in(&app, ASHA).await;
    let report = funnel(&app, &asha, "").await;
    assert_eq!(report.rows.len(), 1, "{report:?}");
    let letters = &report.rows[0];
    assert_eq!((letters.team_name.as_str(), letters.channel.as_str()), ("Diabetes Clinic", "letter"));
    // Invited 9; entered 8 (not record 1); matched 4 (4–7); email given 3
    // (5–7); confirmed 2 (6, 7); registered 1 (7).
    assert_eq!(reached(letters), [9, 8, 4, 3, 2, 1]);
    let steps: Vec<&str> = letters.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(
        steps,
        ["invited", "code_entered", "date_of_birth_matched", "email_given", "email_confirmed", "registered"]
    );
    let matched = &letters.steps[2];
    assert_eq!((matched.share_permille, matched.dropped, matched.dropped_permille), (444, 4, 500));
    // Mismatch: record 2's two and record 3's first four; locked: record
    // 3's fifth wrong try and the right one after; the unknown code's tries
    // belong to no invitation.
    assert_eq!(
        refused(letters),
        [
            ("mismatch", 6),
            ("locked", 2),
            ("expired", 1),
            ("used", 1),
            ("no_longer_valid", 1),
            ("already_registered", 1)
        ]
    );

    // The uptake report's own figures agree with the funnel's.
    let uptake: Value = asha.get(app.url("/api/v1/staff/reports/uptake")).send().await.unwrap().json().await.unwrap();
    let row = &uptake["rows"][0];
    assert_eq!(
        (row["invited"].as_u64(), row["opened"].as_u64(), row["registered"].as_u64()),
        (Some(9), Some(4), Some(1))
    );

    // The period filters by day of issue: the expired letter was issued 91 days earlier.
    let today = (time::macros::date!(2026 - 11 - 25) + Duration::days(91)).to_string();
    let recent = funnel(&app, &asha, &format!("?from={today}")).await;
    assert_eq!(reached(&recent.rows[0]), [8, 7, 4, 3, 2, 1]);
    assert_eq!(refused(&recent.rows[0])[2], ("expired", 0));

    // The same figures as a file, one line per step and reason.
    let csv = asha.get(app.url("/api/v1/staff/reports/funnel.csv")).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let header = |name: &str| csv.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(header("content-disposition"), "attachment; filename=\"drop-off.csv\"");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let team = &letters.team_id;
    assert_eq!(lines[0], "team_id,team_name,channel,kind,name,count,percent_of_invited,dropped,dropped_percent");
    assert_eq!(lines[1], format!("{team},Diabetes Clinic,letter,step,invited,9,100.0,0,0.0"));
    assert_eq!(lines[3], format!("{team},Diabetes Clinic,letter,step,date_of_birth_matched,4,44.4,4,50.0"));
    assert_eq!(lines[6], format!("{team},Diabetes Clinic,letter,step,registered,1,11.1,1,50.0"));
    assert_eq!(lines[7], format!("{team},Diabetes Clinic,letter,refusal,mismatch,6,,,"));
    assert_eq!(lines.len(), 13);
}

async fn the_funnel_is_for_team_admins_only(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, ..) = unregistered_record(&app, 0).await;
    letter(&app, &record_id).await;
    let asha = signed_in(&app, ASHA).await;
    let diabetes = funnel(&app, &asha, "").await.rows[0].team_id.clone();
    assert_eq!(reached(&funnel(&app, &asha, &format!("?team_id={diabetes}")).await.rows[0]), [1, 0, 0, 0, 0, 0]);
    assert!(funnel(&app, &asha, "?to=2026-11-24").await.rows.is_empty());
    let bad = asha.get(app.url("/api/v1/staff/reports/funnel?from=2026-02-30")).send().await.unwrap();
    assert_eq!(bad.status(), 422);

    let jordan = signed_in(&app, JORDAN).await;
    assert!(funnel(&app, &jordan, "").await.rows.is_empty());
    let asked = jordan.get(app.url(&format!("/api/v1/staff/reports/funnel?team_id={diabetes}"))).send().await;
    assert_eq!(asked.unwrap().status(), 404);
    let sam = signed_in(&app, SAM).await;
    let asked = sam.get(app.url(&format!("/api/v1/staff/reports/funnel.csv?team_id={diabetes}"))).send().await;
    assert_eq!(asked.unwrap().status(), 403);
    let patient = signed_in(&app, &patient_account(&app).await).await;
    assert_eq!(patient.get(app.url("/api/v1/staff/reports/funnel")).send().await.unwrap().status(), 403);
    assert_eq!(browser().get(app.url("/api/v1/staff/reports/funnel.csv")).send().await.unwrap().status(), 401);
}

/// A code that expires while its patient is part way through: the funnel
/// shows where they stopped, and "expired" as why.
async fn a_code_expiring_part_way_counts_where_the_patient_stopped(engine: Engine) {
    use portico_server::clock::{Clock as _, parse_stored};
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 0).await;
    let issued = letter(&app, &record_id).await;
    let expires_at = parse_stored(&issued.expires_at).unwrap();
    // Begun five minutes before the code expires; the password set after.
    app.clock.advance(expires_at - app.clock.now() - Duration::minutes(5));
    let patient = browser();
    assert_eq!(start(&app, &patient, &issued.code.unwrap(), &dob).await.status(), 201);
    give_email(&app, &patient, "funnel.late@example.com").await;
    confirm_email(&app, &mail, &patient, "funnel.late@example.com").await;
    app.clock.advance(Duration::minutes(6));
    let late = post(
        &app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": GOOD_PASSWORD, "accept_terms": true }),
    )
    .await;
    assert_eq!(late.status(), 410);
    assert_eq!(late.json::<Value>().await.unwrap()["type"], "invitation-expired");

    let asha = signed_in(&app, ASHA).await;
    let report = funnel(&app, &asha, "").await;
    let letters = &report.rows[0];
    assert_eq!(reached(letters), [1, 1, 1, 1, 1, 0], "stopped with the email confirmed");
    assert_eq!(refused(letters)[2], ("expired", 1));
}

crate::on_both_engines!(
    patients_stop_at_each_step_and_fail_for_each_reason,
    a_code_expiring_part_way_counts_where_the_patient_stopped,
    the_funnel_is_for_team_admins_only
);
