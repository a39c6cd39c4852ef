//! The uptake report: invitations counted per team and channel (invited,
//! opened, registered, conversion, median time to register), filtered by
//! team and period, as JSON and as a CSV download, for team admins only.

use portico_server::db::Engine;
use portico_types::api::{UptakeReport, UptakeRow};
use reqwest::Client;
use serde_json::json;
use time::Duration;

use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, TestApp, browser, patient_account, problem};
use crate::invitations::{
    GOOD_PASSWORD, admin, app_with_mail, issue_as, letter, post, start, unregistered_record, wrong_date,
};
use crate::mail_catcher::{MailCatcher, link_param, six_digits};

const MORGAN: &str = "morgan.reid@demo.portico.example";
const JORDAN: &str = "jordan.hughes@demo.portico.example";

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_in_as(&client, email, DEMO_PASSWORD).await.status(), 200, "{email}");
    client
}

async fn report(app: &TestApp, client: &Client, query: &str) -> UptakeReport {
    let response = client.get(app.url(&format!("/api/v1/staff/reports/uptake{query}"))).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

/// After the code and date of birth: proves an email address and sets a password.
async fn finish_registering(app: &TestApp, mail: &MailCatcher, patient: &Client, email: &str) {
    post(app, patient, "/api/v1/registration/email", json!({ "email": email })).await;
    let digits = six_digits(&mail.wait_for(email, "Confirm").await.body).unwrap();
    post(app, patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    let done =
        post(app, patient, "/api/v1/registration/complete", json!({ "password": GOOD_PASSWORD, "accept_terms": true }))
            .await;
    assert_eq!(done.status(), 201);
}

fn row<'a>(report: &'a UptakeReport, channel: &str) -> &'a UptakeRow {
    report.rows.iter().find(|r| r.channel == channel).unwrap_or_else(|| panic!("no {channel} row: {report:?}"))
}

async fn letters_and_emails_are_counted_from_invitation_to_registration(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let records: Vec<(String, String, String)> =
        futures_util::future::join_all((0..4).map(|n| unregistered_record(&app, n))).await;

    // Letters to three records; the first is sent twice (the second replaces
    // the first) and still counts once.
    letter(&app, &records[0].0).await;
    let registers = letter(&app, &records[0].0).await.code.unwrap();
    let locks = letter(&app, &records[1].0).await.code.unwrap();
    letter(&app, &records[2].0).await;
    let emailed = "uptake.email@example.com";
    let sent = issue_as(&app, &admin(&app).await, &records[3].0, json!({ "channel": "email", "email": emailed })).await;
    assert_eq!(sent.status(), 201);
    let email_code = link_param(&mail.wait_for(emailed, "").await.body, "code").expect("the code in the link");

    // Five hours on, one letter's code registers its patient; another is
    // opened, then locked by wrong dates of birth: still counted as opened.
    app.clock.advance(Duration::hours(5) + Duration::minutes(20));
    let patient = browser();
    assert_eq!(start(&app, &patient, &registers, &records[0].1).await.status(), 201);
    finish_registering(&app, &mail, &patient, "uptake.letter@example.com").await;
    assert_eq!(start(&app, &browser(), &locks, &records[1].1).await.status(), 201);
    for _ in 0..5 {
        start(&app, &browser(), &locks, &wrong_date(&records[1].1)).await;
    }
    let state: String = sqlx::query_scalar("SELECT state FROM invitations WHERE record_id = $1")
        .bind(&records[1].0)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(state, "locked");

    // The email's registers a day later.
    app.clock.advance(Duration::hours(22));
    let patient = browser();
    assert_eq!(start(&app, &patient, &email_code, &records[3].1).await.status(), 201);
    finish_registering(&app, &mail, &patient, emailed).await;

    let asha = signed_in(&app, ASHA).await;
    let uptake = report(&app, &asha, "").await;
    let channels: Vec<&str> = uptake.rows.iter().map(|r| r.channel.as_str()).collect();
    assert_eq!(channels, ["letter", "email"], "letters first, then email");
    let letters = row(&uptake, "letter");
    assert_eq!(letters.team_name, "Diabetes Clinic");
    assert_eq!((letters.invited, letters.opened, letters.registered), (3, 2, 1));
    assert_eq!(letters.conversion_permille, 333);
    assert_eq!(letters.median_hours_to_register, Some(5));
    let emails = row(&uptake, "email");
    assert_eq!((emails.invited, emails.opened, emails.registered), (1, 1, 1));
    assert_eq!((emails.conversion_permille, emails.median_hours_to_register), (1000, Some(27)));

    // The same as a file to download.
    let csv = asha.get(app.url("/api/v1/staff/reports/uptake.csv")).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let header = |name: &str| csv.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(header("content-disposition"), "attachment; filename=\"uptake.csv\"");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "team_id,team_name,channel,invited,opened,registered,conversion_percent,median_hours_to_register"
    );
    assert_eq!(lines[1], format!("{},Diabetes Clinic,letter,3,2,1,33.3,5", letters.team_id));
    assert_eq!(lines[2], format!("{},Diabetes Clinic,email,1,1,1,100.0,27", letters.team_id));
    assert_eq!(lines.len(), 3);
}

async fn the_report_is_filtered_by_team_and_period_and_read_by_admins_only(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, ..) = unregistered_record(&app, 0).await;
    letter(&app, &record_id).await; // 2026-11-25, by Asha in the Diabetes Clinic
    let asha = signed_in(&app, ASHA).await;
    let diabetes = report(&app, &asha, "").await.rows[0].team_id.clone();

    for (query, rows) in [
        (format!("?team_id={diabetes}"), 1),
        ("?from=2026-11-25&to=2026-11-25".to_owned(), 1),
        ("?from=2026-11-26".to_owned(), 0),
        ("?to=2026-11-24".to_owned(), 0),
        ("?from=&to=&team_id=".to_owned(), 1),
    ] {
        assert_eq!(report(&app, &asha, &query).await.rows.len(), rows, "{query}");
    }

    // Bad filters are named, field by field; unknown ones are refused.
    let bad = asha.get(app.url("/api/v1/staff/reports/uptake?from=2026-02-30&to=30%2F11%2F2026")).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    let bad = problem(bad).await;
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["from", "to"]);
    let backwards = asha.get(app.url("/api/v1/staff/reports/uptake?from=2026-12-01&to=2026-11-30")).send().await;
    assert_eq!(problem(backwards.unwrap()).await["errors"][0]["field"], "to");
    let unknown = asha.get(app.url("/api/v1/staff/reports/uptake.csv?sort=name")).send().await.unwrap();
    assert_eq!(problem(unknown).await["status"], 400);

    // Another team's admin sees only their own team; a team with no role is
    // not found, one without the admin role is not theirs; patients and
    // strangers are refused.
    let jordan = signed_in(&app, JORDAN).await;
    assert!(report(&app, &jordan, "").await.rows.is_empty());
    let asked = jordan.get(app.url(&format!("/api/v1/staff/reports/uptake?team_id={diabetes}"))).send().await;
    assert_eq!(asked.unwrap().status(), 404);
    let sam = signed_in(&app, SAM).await;
    assert!(report(&app, &sam, "").await.rows.is_empty(), "a receptionist is nobody's admin");
    let asked = sam.get(app.url(&format!("/api/v1/staff/reports/uptake.csv?team_id={diabetes}"))).send().await;
    assert_eq!(asked.unwrap().status(), 403);
    let morgan = signed_in(&app, MORGAN).await;
    let asked = morgan.get(app.url(&format!("/api/v1/staff/reports/uptake?team_id={diabetes}"))).send().await;
    assert_eq!(asked.unwrap().status(), 403);
    let patient = signed_in(&app, &patient_account(&app).await).await;
    assert_eq!(patient.get(app.url("/api/v1/staff/reports/uptake")).send().await.unwrap().status(), 403);
    assert_eq!(browser().get(app.url("/api/v1/staff/reports/uptake.csv")).send().await.unwrap().status(), 401);
}

crate::on_both_engines!(
    letters_and_emails_are_counted_from_invitation_to_registration,
    the_report_is_filtered_by_team_and_period_and_read_by_admins_only,
);
