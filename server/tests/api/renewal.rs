//! A new code in place of an expired one, asked for by the patient: sent
//! only to the contact on the record, limited per record and per address,
//! audited with what happened, and answered with one sentence whatever it
//! was (a code that never existed, a wrong date of birth, a record with no
//! contact, an excluded record, a limit reached, a code still good).

use portico_server::db::Engine;
use portico_types::api::{CodeRenewalAnswer, RecordDetailResponse};
use reqwest::Client;
use serde_json::json;
use time::Duration;

use crate::face_to_face::app_with_notify;
use crate::helpers::{TestApp, browser, eventually, problem};
use crate::invitations::{GOOD_PASSWORD, admin, app_with_mail, letter, post, start, wrong_date};
use crate::mail_catcher::{link_param, six_digits};

const ANSWER: &str = "If your details match an expired invitation, we have sent a new code to the contact details \
     your clinical team holds for you.";

/// An unregistered, not excluded Diabetes Clinic record with an email
/// address and nothing issued yet: (id, date of birth, email), the `nth` from 0.
async fn record_with_email(app: &TestApp, nth: i64) -> (String, String, String) {
    sqlx::query_as(
        "SELECT r.id, r.date_of_birth, r.email FROM records r JOIN team_records tr ON tr.record_id = r.id \
         JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'diabetes' AND r.owner_account_id IS NULL \
         AND r.email IS NOT NULL AND r.id NOT IN (SELECT record_id FROM exclusions) \
         AND r.id NOT IN (SELECT record_id FROM invitations) ORDER BY r.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// A well-formed code no invitation has.
fn never_issued(n: u64) -> String {
    portico_types::InvitationCode::from_random_bits(0x1234_5678_9ABC ^ (n << 8)).grouped()
}

async fn renew(app: &TestApp, client: &Client, code: &str, date_of_birth: &str) -> reqwest::Response {
    post(app, client, "/api/v1/registration/renewal", json!({ "code": code, "date_of_birth": date_of_birth })).await
}

/// Asks for a new code and checks the answer is the one answer: 202 and the sentence, byte for byte.
async fn renew_answered(app: &TestApp, code: &str, date_of_birth: &str) {
    let answer = renew(app, &browser(), code, date_of_birth).await;
    assert_eq!(answer.status(), 202);
    assert_eq!(answer.text().await.unwrap(), serde_json::to_string(&json!({ "message": ANSWER })).unwrap());
}

/// The outcomes audited for renewal requests, oldest first.
async fn outcomes(app: &TestApp) -> Vec<String> {
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'invitation_renewal_requested' ORDER BY occurred_at, id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    details
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap()["outcome"].as_str().unwrap().to_owned())
        .collect()
}

async fn outbox_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&app.db.pool).await.unwrap()
}

async fn an_expired_code_is_renewed_to_the_email_on_the_record_and_the_new_code_registers(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, email) = record_with_email(&app, 0).await;
    let old = letter(&app, &record_id).await.code.unwrap();
    app.clock.advance(Duration::days(22));
    assert_eq!(problem(start(&app, &browser(), &old, &dob).await).await["type"], "invitation-expired");

    // Typed as the patient typed it at step one; the record's own address gets the code.
    let answer = renew(&app, &browser(), &old.to_lowercase(), &dob).await;
    assert_eq!(answer.status(), 202);
    let answer: CodeRenewalAnswer = answer.json().await.unwrap();
    assert_eq!(answer.message, ANSWER);
    let sent = mail.wait_for(&email, "A new code").await;
    assert!(sent.body.contains("your last one had expired"), "{}", sent.body);
    let new = link_param(&sent.body, "code").expect("a link with the new code");
    assert_ne!(new, old);
    assert_eq!(outcomes(&app).await, ["sent"]);

    // Staff see it where invitations show: the record's registration and its emails.
    let asha = admin(&app).await;
    let detail: RecordDetailResponse =
        asha.get(app.url(&format!("/api/v1/staff/records/{record_id}"))).send().await.unwrap().json().await.unwrap();
    let shown = detail.invitation.unwrap();
    assert!(shown.renewed);
    assert_eq!((shown.channel.as_str(), detail.registration.as_str()), ("email", "invited"));
    let emails: serde_json::Value = asha
        .get(app.url(&format!("/api/v1/staff/records/{record_id}/notifications")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(emails["notifications"][0]["kind"], "invitation_renewal");

    // The old code is replaced; asking again with it sends nothing more.
    assert_eq!(problem(start(&app, &browser(), &old, &dob).await).await["type"], "invitation-not-valid");
    renew_answered(&app, &old, &dob).await;
    assert_eq!(outcomes(&app).await, ["sent", "not_renewable"]);

    // The new code registers the patient.
    let patient = browser();
    assert_eq!(start(&app, &patient, &new, &dob).await.status(), 201);
    let to = "renewed.patient@example.com";
    assert_eq!(post(&app, &patient, "/api/v1/registration/email", json!({ "email": to })).await.status(), 200);
    let confirm = mail.wait_for(to, "Confirm your email address").await;
    let digits = six_digits(&confirm.body).unwrap();
    let confirmed = post(&app, &patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    assert_eq!(confirmed.status(), 200);
    let done = post(
        &app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": GOOD_PASSWORD, "accept_terms": true }),
    )
    .await;
    assert_eq!(done.status(), 201);
}

async fn a_record_with_only_a_mobile_gets_its_new_code_by_text_saying_it_replaces_the_old(engine: Engine) {
    let (app, notify) = app_with_notify(engine).await;
    let (record_id, dob, _) = record_with_email(&app, 0).await;
    sqlx::query("UPDATE records SET email = NULL, mobile = '+447700900982' WHERE id = $1")
        .bind(&record_id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let old = letter(&app, &record_id).await.code.unwrap();
    app.clock.advance(Duration::days(22));
    renew_answered(&app, &old, &dob).await;
    assert_eq!(outcomes(&app).await, ["sent"]);

    let sent = eventually(|| async {
        notify.requests().unwrap().into_iter().find(|r| r.path == "/v2/notifications/sms" && r.status == 201)
    })
    .await;
    assert_eq!(sent.body["phone_number"], "+447700900982");
    let said = &sent.body["personalisation"];
    assert_eq!(said["replaces"], "yes", "the template's optional line shows: {said}");
    assert_ne!(said["code"].as_str().unwrap().replace('-', ""), old.replace('-', ""));
}

async fn every_outcome_gets_the_same_answer_and_only_a_sent_one_sends(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (good, good_dob, _) = record_with_email(&app, 0).await;
    let (bare, bare_dob, _) = record_with_email(&app, 1).await;
    let (excluded, excluded_dob, _) = record_with_email(&app, 2).await;
    let (busy, busy_dob, _) = record_with_email(&app, 3).await;
    let good_code = letter(&app, &good).await.code.unwrap();
    let bare_code = letter(&app, &bare).await.code.unwrap();
    let excluded_code = letter(&app, &excluded).await.code.unwrap();
    let busy_code = letter(&app, &busy).await.code.unwrap();
    let asha = sqlx::query_scalar::<_, String>("SELECT issued_by FROM invitations LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    app.clock.advance(Duration::days(22));
    let fresh = record_with_email(&app, 0).await; // the first with nothing issued yet
    let fresh_code = letter(&app, &fresh.0).await.code.unwrap();

    // Since invited: the contact details gone, an exclusion set, three renewals in the month.
    sqlx::query("UPDATE records SET email = NULL, mobile = NULL WHERE id = $1")
        .bind(&bare)
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO exclusions (record_id, reason, note, set_by, set_at) \
         VALUES ($1, 'safeguarding_concern', 'test', $2, '2026-12-01T09:00:00.000000Z')",
    )
    .bind(&excluded)
    .bind(&asha)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let busy_invitation: (String, String) = sqlx::query_as("SELECT id, team_id FROM invitations WHERE record_id = $1")
        .bind(&busy)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    for n in 0..3 {
        // Issued before the letter (so it is not replaced), within the last 30 days.
        sqlx::query(
            "INSERT INTO invitations (id, record_id, team_id, channel, code_hash, state, issued_by, issued_at, \
             expires_at, updated_at, renewal_of) VALUES ($1, $2, $3, 'email', $4, 'revoked', $5, \
             '2026-11-24T09:00:00.000000Z', '2026-12-01T09:00:00.000000Z', '2026-11-24T09:00:00.000000Z', $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&busy)
        .bind(&busy_invitation.1)
        .bind(format!("not-a-real-hash-{n}"))
        .bind(&asha)
        .bind(&busy_invitation.0)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }

    let queued = outbox_count(&app).await;
    renew_answered(&app, &never_issued(99), &good_dob).await;
    renew_answered(&app, &good_code, &wrong_date(&good_dob)).await;
    renew_answered(&app, &bare_code, &bare_dob).await;
    renew_answered(&app, &excluded_code, &excluded_dob).await;
    renew_answered(&app, &busy_code, &busy_dob).await;
    renew_answered(&app, &fresh_code, &fresh.1).await;
    assert_eq!(outbox_count(&app).await, queued, "nothing was sent");
    renew_answered(&app, &good_code, &good_dob).await;
    assert_eq!(outbox_count(&app).await, queued + 1, "one new code");
    assert_eq!(
        outcomes(&app).await,
        ["unknown_code", "mismatch", "no_contact", "excluded", "limit_reached", "not_expired", "sent"]
    );
    // The excluded record's request is in its own history, with the truth.
    let excluded_events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'invitation_renewal_requested' AND record_id = $1",
    )
    .bind(&excluded)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(excluded_events, 1);
}

async fn a_flood_from_one_address_is_stopped_and_sends_nothing(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let queued = outbox_count(&app).await;
    let flooder = browser();
    let mut statuses = Vec::new();
    for n in 0..14u64 {
        statuses.push(renew(&app, &flooder, &never_issued(n), "1970-01-01").await.status().as_u16());
    }
    assert_eq!(statuses[..10], [202; 10]);
    assert_eq!(statuses[10..], [429; 4]);
    let refused = renew(&app, &flooder, &never_issued(77), "1970-01-01").await;
    assert!(refused.headers().get("retry-after").is_some());
    assert_eq!(outbox_count(&app).await, queued);
    let throttled = outcomes(&app).await.iter().filter(|o| *o == "too_many_requests").count();
    assert_eq!(throttled, 5, "every request is audited, the refused ones too");
}

async fn wrong_dates_on_the_renewal_path_lock_the_code_for_step_one_too(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = record_with_email(&app, 0).await;
    let code = letter(&app, &record_id).await.code.unwrap();
    app.clock.advance(Duration::days(22));
    for _ in 0..5 {
        renew_answered(&app, &code, &wrong_date(&dob)).await;
    }
    // Locked now, on both paths: the right date of birth gets nothing more.
    assert_eq!(problem(start(&app, &browser(), &code, &dob).await).await["type"], "invitation-locked");
    renew_answered(&app, &code, &dob).await;
    assert_eq!(outcomes(&app).await.last().map(String::as_str), Some("code_locked"));
}

async fn badly_formed_requests_are_field_errors(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let answer = renew(&app, &browser(), "not a code", "31-02-1990").await;
    assert_eq!(answer.status(), 422);
    let body = problem(answer).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["code", "date_of_birth"]);
    let extra = post(
        &app,
        &browser(),
        "/api/v1/registration/renewal",
        json!({ "code": never_issued(1), "date_of_birth": "1970-01-01", "email": "x@example.com" }),
    )
    .await;
    assert_eq!(extra.status(), 422, "nothing else is taken: no address to send to");
}

crate::on_both_engines!(
    an_expired_code_is_renewed_to_the_email_on_the_record_and_the_new_code_registers,
    a_record_with_only_a_mobile_gets_its_new_code_by_text_saying_it_replaces_the_old,
    every_outcome_gets_the_same_answer_and_only_a_sent_one_sends,
    a_flood_from_one_address_is_stopped_and_sends_nothing,
    wrong_dates_on_the_renewal_path_lock_the_code_for_step_one_too,
    badly_formed_requests_are_field_errors,
);
