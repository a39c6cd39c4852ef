//! Shared steps of the registration tests: records to invite, invitations
//! issued through the API a team admin uses, and a patient's way through.

use portico_types::api::IssuedInvitation;
use reqwest::{Client, Response};
use serde_json::{Value, json};

use portico_server::db::Engine;

use crate::helpers::{ASHA, DEMO_PASSWORD, Options, TestApp, browser, spawn_app_configured};
use crate::mail_catcher::MailCatcher;

/// An unregistered record of the Diabetes Clinic (where Asha is admin):
/// (record id, date of birth, given name), the `nth` from 0.
pub async fn unregistered_record(app: &TestApp, nth: i64) -> (String, String, String) {
    sqlx::query_as(
        "SELECT r.id, r.date_of_birth, r.given_name FROM records r JOIN team_records tr ON tr.record_id = r.id \
         JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'diabetes' AND r.owner_account_id IS NULL \
         ORDER BY r.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// A server whose email goes to a real SMTP server on loopback, and that server.
pub async fn app_with_mail(engine: Engine) -> (TestApp, MailCatcher) {
    let mail = MailCatcher::start().await;
    let url = mail.smtp_url();
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, move |s| s.smtp_url = Some(url)).await;
    (app, mail)
}

pub async fn admin(app: &TestApp) -> Client {
    let asha = browser();
    assert_eq!(app.sign_in_as(&asha, ASHA, DEMO_PASSWORD).await.status(), 200);
    asha
}

pub async fn issue_as(app: &TestApp, client: &Client, record_id: &str, body: Value) -> Response {
    client.post(app.url(&format!("/api/v1/staff/records/{record_id}/invitations"))).json(&body).send().await.unwrap()
}

/// A letter invitation by Asha; its code, as printed.
pub async fn letter(app: &TestApp, record_id: &str) -> IssuedInvitation {
    let response = issue_as(app, &admin(app).await, record_id, json!({ "channel": "letter" })).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

pub async fn start(app: &TestApp, patient: &Client, code: &str, date_of_birth: &str) -> Response {
    patient
        .post(app.url("/api/v1/registration"))
        .json(&json!({ "code": code, "date_of_birth": date_of_birth }))
        .send()
        .await
        .unwrap()
}

pub async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

pub const GOOD_PASSWORD: &str = "mango river lantern";

/// A date of birth one day off `date_of_birth`.
pub fn wrong_date(date_of_birth: &str) -> String {
    let date = time::Date::parse(date_of_birth, &time::format_description::well_known::Iso8601::DATE).unwrap();
    (date - time::Duration::days(1)).to_string()
}
