//! Self-registration over the API, with a real SMTP server catching the
//! mail: a patient asks to join the Diabetes Clinic on its join page, proves
//! their email, sets a password and waits; staff link, create or decline.
//! And every way it can go wrong: bad fields, a filled honeypot, a wrong or
//! reused proof of work, a flood, a second decision, the wrong staff.

use portico_server::db::Engine;
use portico_types::api::{JoinPageView, MySignUpsResponse, RegistrationView, SignUpQueueResponse};
use portico_types::proof_of_work::solve;
use reqwest::{Client, Response};
use serde_json::{Value, json};

use crate::helpers::{
    ASHA, DEMO_PASSWORD, Options, SAM, TestApp, browser, other_organisation_professional, patient_account, problem,
    spawn_app_configured,
};
use crate::invitations::{GOOD_PASSWORD, admin, post};
use crate::mail_catcher::{MailCatcher, six_digits};

const MORGAN: &str = "morgan.reid@demo.portico.example";
const JORDAN: &str = "jordan.hughes@demo.portico.example";
/// Cheap for the tests; the setting's default is what production asks.
const TEST_BITS: u32 = 8;

/// A server with mail caught, a cheap proof of work, and the given limits per address and per email.
async fn app(engine: Engine, per_address: i64, per_email: i64) -> (TestApp, MailCatcher) {
    let mail = MailCatcher::start().await;
    let url = mail.smtp_url();
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, move |s| {
        s.smtp_url = Some(url);
        s.join_proof_of_work_bits = TEST_BITS;
        s.join_sign_ups_per_address = per_address;
        s.join_sign_ups_per_email = per_email;
    })
    .await;
    (app, mail)
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// What a join changes: registrations begun, emails queued, sign-ups held.
async fn made(app: &TestApp) -> (i64, i64, i64) {
    (count(app, "registrations").await, count(app, "outbox").await, count(app, "sign_ups").await)
}

/// A Diabetes Clinic record nobody has registered: id, given, family, date of birth, NHS number.
async fn diabetes_record(app: &TestApp, nth: i64) -> (String, String, String, String, String) {
    sqlx::query_as(
        "SELECT r.id, r.given_name, r.family_name, r.date_of_birth, r.nhs_number FROM records r \
         JOIN team_records tr ON tr.record_id = r.id JOIN teams t ON t.id = tr.team_id \
         WHERE t.slug = 'diabetes' AND r.owner_account_id IS NULL AND r.nhs_number IS NOT NULL \
         ORDER BY r.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn team_id(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT id FROM teams WHERE slug = $1").bind(slug).fetch_one(&app.db.pool).await.unwrap()
}

/// The join page's challenge, solved.
async fn solved(app: &TestApp, client: &Client) -> (String, String) {
    let page = client.get(app.url("/api/v1/join/diabetes")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page: JoinPageView = page.json().await.unwrap();
    assert_eq!(page.bits, TEST_BITS);
    let nonce = solve(&page.challenge, page.bits).to_string();
    (page.challenge, nonce)
}

/// A join form for `email` with these details, its proof of work solved.
async fn form(app: &TestApp, client: &Client, details: (&str, &str, &str, &str), email: &str) -> Value {
    let (given, family, dob, nhs) = details;
    let (challenge, nonce) = solved(app, client).await;
    json!({
        "given_name": given, "family_name": family, "date_of_birth": dob, "nhs_number": nhs,
        "email": email, "mobile": "07700 900982", "leave_blank": "", "challenge": challenge, "nonce": nonce,
    })
}

async fn join(app: &TestApp, client: &Client, body: &Value) -> Response {
    post(app, client, "/api/v1/join/diabetes", body.clone()).await
}

/// The whole patient side: the form, the emailed code, the password. Signed in on `patient` after.
async fn sign_up(app: &TestApp, mail: &MailCatcher, patient: &Client, details: (&str, &str, &str, &str), email: &str) {
    let body = form(app, patient, details, email).await;
    let joined = join(app, patient, &body).await;
    assert_eq!(joined.status(), 201);
    let view: RegistrationView = joined.json().await.unwrap();
    assert_eq!(serde_json::to_value(view.step).unwrap(), "confirm_email");
    assert_eq!(view.given_name, details.0);
    let confirm = mail.wait_for(email, "Confirm your email address").await;
    let digits = six_digits(&confirm.body).expect("a six-digit code");
    let confirmed = post(app, patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    assert_eq!(confirmed.status(), 200);
    let done =
        post(app, patient, "/api/v1/registration/complete", json!({ "password": GOOD_PASSWORD, "accept_terms": true }))
            .await;
    assert_eq!(done.status(), 201);
}

async fn my_sign_ups(app: &TestApp, patient: &Client) -> MySignUpsResponse {
    let response = patient.get(app.url("/api/v1/me/sign-ups")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn queue(app: &TestApp, staff: &Client, team_id: &str) -> SignUpQueueResponse {
    let response = staff.get(app.url(&format!("/api/v1/staff/teams/{team_id}/sign-ups"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn decide(app: &TestApp, staff: &Client, sign_up_id: &str, action: &str, body: Value) -> Response {
    post(app, staff, &format!("/api/v1/staff/sign-ups/{sign_up_id}/{action}"), body).await
}

async fn a_patient_joins_waits_and_is_linked_to_their_record(engine: Engine) {
    let (app, mail) = app(engine, 10, 3).await;
    let (record_id, given, family, dob, nhs) = diabetes_record(&app, 0).await;
    let patient = browser();
    let email = "joiner@example.com";
    sign_up(&app, &mail, &patient, (&given, &family, &dob, &nhs), email).await;
    mail.wait_for(email, "You have asked to join").await;

    // Signed in, with no record yet: the request waits.
    assert_eq!(patient.get(app.url("/api/v1/me/record")).send().await.unwrap().status(), 404);
    let mine = my_sign_ups(&app, &patient).await;
    assert_eq!(mine.sign_ups.len(), 1);
    assert_eq!(serde_json::to_value(mine.sign_ups[0].state).unwrap(), "waiting");
    assert_eq!(mine.sign_ups[0].team_name, "Diabetes Clinic");

    // The admin sees it with its match by NHS number, and links it.
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let waiting = queue(&app, &asha, &diabetes).await;
    assert_eq!(waiting.sign_ups.len(), 1);
    let sign_up = &waiting.sign_ups[0];
    assert_eq!(sign_up.held_because, "team_reviews_all");
    assert_eq!((sign_up.source.as_str(), sign_up.identity_level.as_deref()), ("password", None));
    assert_eq!(sign_up.mobile.as_deref(), Some("+447700900982"));
    let found = &sign_up.matches[0];
    assert_eq!(found.record.id, record_id);
    assert!(found.by_nhs_number && !found.excluded && !found.registered);
    let linked = decide(&app, &asha, &sign_up.id, "link", json!({ "record_id": record_id })).await;
    assert_eq!(linked.status(), 200);

    // The patient sees their record, is told by email, and the queue is empty.
    let record = patient.get(app.url("/api/v1/me/record")).send().await.unwrap();
    assert_eq!(record.status(), 200);
    let record: Value = record.json().await.unwrap();
    assert_eq!(record["family_name"], family.as_str());
    mail.wait_for(email, "Your health record is ready").await;
    assert!(queue(&app, &asha, &diabetes).await.sign_ups.is_empty());
    assert_eq!(serde_json::to_value(my_sign_ups(&app, &patient).await.sign_ups[0].state).unwrap(), "linked");

    // Deciding again is a conflict, whatever the decision.
    let again = decide(&app, &asha, &sign_up.id, "decline", json!({ "reason": "Not ours" })).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["type"], "sign-up-decided");
    let actions = app.audit_actions().await;
    for action in [
        "registration_email_sent",
        "registration_email_confirmed",
        "account_registered",
        "sign_up_held",
        "sign_up_linked",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
    assert_eq!(count(&app, "sign_ups").await, 1);
}

async fn a_new_record_is_made_or_the_sign_up_declined_in_plain_words(engine: Engine) {
    let (app, mail) = app(engine, 10, 3).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;

    // Nobody in the team has these details: a new record, owned by the new account.
    let newcomer = browser();
    sign_up(&app, &mail, &newcomer, ("Nia", "Okonjo-Price", "1990-05-17", ""), "nia@example.com").await;
    let waiting = queue(&app, &asha, &diabetes).await;
    let nia = waiting.sign_ups.iter().find(|s| s.given_name == "Nia").unwrap();
    assert!(nia.matches.is_empty());
    let made = decide(&app, &asha, &nia.id, "new-record", json!({})).await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    let record_id = made["record_id"].as_str().unwrap().to_owned();
    let in_team: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_records WHERE team_id = $1 AND record_id = $2")
        .bind(&diabetes)
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(in_team, 1);
    let mine: Value = newcomer.get(app.url("/api/v1/me/record")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["given_name"], "Nia");

    // Declined: the reason is the team's words, by email and on signing in.
    let other = browser();
    sign_up(&app, &mail, &other, ("Tom", "Baker", "1972-01-20", ""), "tom@example.com").await;
    let tom = queue(&app, &asha, &diabetes).await.sign_ups.into_iter().find(|s| s.given_name == "Tom").unwrap();
    let empty = decide(&app, &asha, &tom.id, "decline", json!({ "reason": "   " })).await;
    assert_eq!(problem(empty).await["errors"][0]["field"], "reason");
    let reason = "You are not under our care. Ask your GP practice to refer you.";
    let declined = decide(&app, &asha, &tom.id, "decline", json!({ "reason": reason })).await;
    assert_eq!(declined.status(), 200);
    let told = mail.wait_for("tom@example.com", "Your request to join").await;
    assert!(told.body.contains(reason), "{}", told.body);
    let mine = my_sign_ups(&app, &other).await;
    assert_eq!(serde_json::to_value(mine.sign_ups[0].state).unwrap(), "declined");
    assert_eq!(mine.sign_ups[0].decline_reason.as_deref(), Some(reason));
    let twice = decide(&app, &asha, &tom.id, "new-record", json!({})).await;
    assert_eq!(twice.status(), 409);
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|a| a == "sign_up_record_created"));
    assert!(actions.iter().any(|a| a == "sign_up_declined"));
}

async fn only_the_teams_admins_and_clinicians_decide(engine: Engine) {
    let (app, mail) = app(engine, 10, 3).await;
    let diabetes = team_id(&app, "diabetes").await;
    let patient = browser();
    sign_up(&app, &mail, &patient, ("Ravi", "Sharma", "1985-09-09", ""), "ravi@example.com").await;
    let sign_up_id: String = sqlx::query_scalar("SELECT id FROM sign_ups").fetch_one(&app.db.pool).await.unwrap();

    // A receptionist and a safeguarding lead of the team: 403. No role in it: 404.
    for (who, status) in [(SAM, 403), (MORGAN, 403), (JORDAN, 404)] {
        let staff = browser();
        app.sign_in_as(&staff, who, DEMO_PASSWORD).await;
        let seen = staff.get(app.url(&format!("/api/v1/staff/teams/{diabetes}/sign-ups"))).send().await.unwrap();
        assert_eq!(seen.status(), status, "{who} sees the queue");
        let declined = decide(&app, &staff, &sign_up_id, "decline", json!({ "reason": "No" })).await;
        assert_eq!(declined.status(), status, "{who} declines");
    }
    let casey = browser();
    app.sign_in_as(&casey, &other_organisation_professional(&app).await, DEMO_PASSWORD).await;
    assert_eq!(decide(&app, &casey, &sign_up_id, "new-record", json!({})).await.status(), 404);
    let someone = browser();
    app.sign_in_as(&someone, &patient_account(&app).await, DEMO_PASSWORD).await;
    assert_eq!(decide(&app, &someone, &sign_up_id, "new-record", json!({})).await.status(), 403);
    // The patient cannot decide their own either.
    assert_eq!(decide(&app, &patient, &sign_up_id, "new-record", json!({})).await.status(), 403);
    let unknown = decide(&app, &admin(&app).await, "no-such-sign-up", "new-record", json!({})).await;
    assert_eq!(unknown.status(), 404);
    // A record of another team cannot be linked.
    let respiratory_record: String = sqlx::query_scalar(
        "SELECT tr.record_id FROM team_records tr JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'respiratory' \
         AND tr.record_id NOT IN (SELECT record_id FROM team_records WHERE team_id = $1) LIMIT 1",
    )
    .bind(&diabetes)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let elsewhere =
        decide(&app, &admin(&app).await, &sign_up_id, "link", json!({ "record_id": respiratory_record })).await;
    assert_eq!(problem(elsewhere).await["errors"][0]["field"], "record_id");
    assert_eq!(count(&app, "sign_ups WHERE state = 'waiting'").await, 1);
}

async fn a_sign_up_matching_an_excluded_record_is_held_and_cannot_be_linked(engine: Engine) {
    let (app, mail) = app(engine, 10, 3).await;
    let (record_id, given, family, dob, nhs) = diabetes_record(&app, 1).await;
    let morgan = browser();
    app.sign_in_as(&morgan, MORGAN, DEMO_PASSWORD).await;
    let excluded = morgan
        .put(app.url(&format!("/api/v1/staff/records/{record_id}/exclusion")))
        .json(&json!({ "reason": "court_order", "note": "No online access" }))
        .send()
        .await
        .unwrap();
    assert_eq!(excluded.status(), 200);

    // The patient is told what anyone is told: they wait. Staff see why.
    let patient = browser();
    sign_up(&app, &mail, &patient, (&given, &family, &dob, &nhs), "held@example.com").await;
    let asha = admin(&app).await;
    let sign_up = queue(&app, &asha, &team_id(&app, "diabetes").await).await.sign_ups.remove(0);
    assert_eq!(sign_up.held_because, "excluded_record");
    assert!(sign_up.matches[0].excluded);
    let linked = decide(&app, &asha, &sign_up.id, "link", json!({ "record_id": record_id })).await;
    assert_eq!(linked.status(), 409);
    assert_eq!(problem(linked).await["type"], "record-excluded");
    // Nor is a second record made beside the excluded one.
    let made = decide(&app, &asha, &sign_up.id, "new-record", json!({})).await;
    assert_eq!(problem(made).await["type"], "record-excluded");
    let owner: Option<String> = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE id = $1")
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(owner, None);
    assert_eq!(serde_json::to_value(my_sign_ups(&app, &patient).await.sign_ups[0].state).unwrap(), "waiting");
}

async fn two_decisions_at_once_have_exactly_one_winner(engine: Engine) {
    let (app, mail) = app(engine, 10, 3).await;
    let (record_id, given, family, dob, nhs) = diabetes_record(&app, 2).await;
    let patient = browser();
    sign_up(&app, &mail, &patient, (&given, &family, &dob, &nhs), "race@example.com").await;
    let sign_up_id: String = sqlx::query_scalar("SELECT id FROM sign_ups").fetch_one(&app.db.pool).await.unwrap();
    let (one, other) = (admin(&app).await, admin(&app).await);
    let (linked, declined) = tokio::join!(
        decide(&app, &one, &sign_up_id, "link", json!({ "record_id": record_id })),
        decide(&app, &other, &sign_up_id, "decline", json!({ "reason": "Duplicate request" })),
    );
    let mut statuses = [linked.status().as_u16(), declined.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let decided: Vec<String> = sqlx::query_scalar("SELECT state FROM sign_ups").fetch_all(&app.db.pool).await.unwrap();
    assert_eq!(decided.len(), 1);
    let owner: Option<String> = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE id = $1")
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    // The record is owned exactly when the link won.
    assert_eq!(owner.is_some(), decided[0] == "linked");
}

async fn bad_input_is_refused_and_changes_nothing(engine: Engine) {
    let (app, _mail) = app(engine, 50, 10).await;
    let client = browser();
    let before = made(&app).await;
    let good = form(&app, &client, ("Ada", "Lovelace", "1985-03-07", ""), "ada@example.com").await;
    let with = |changes: Value| {
        let mut body = good.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };

    // Every bad field at once, named.
    let bad = with(json!({
        "given_name": "", "family_name": "<b>", "date_of_birth": "2999-01-01", "nhs_number": "943 476 5918",
        "email": "ada at example", "mobile": "12345",
    }));
    let refused = problem(join(&app, &client, &bad).await).await;
    let fields: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["given_name", "family_name", "date_of_birth", "nhs_number", "email", "mobile"]);

    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("email");
    let missing = join(&app, &client, &missing).await;
    assert_eq!(missing.status(), 422);
    assert_eq!(problem(missing).await["type"], "wrong-shape");
    let extra = join(&app, &client, &with(json!({ "admin": true }))).await;
    assert_eq!(problem(extra).await["type"], "wrong-shape");
    let not_json = client
        .post(app.url("/api/v1/join/diabetes"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);

    // A filled honeypot, a nonce that solves nothing, a forged or another team's challenge.
    let bot = problem(join(&app, &client, &with(json!({ "leave_blank": "http://spam.example" }))).await).await;
    assert_eq!(bot["type"], "form-looks-automated");
    let challenge = good["challenge"].as_str().unwrap();
    let wrong = (0u64..).find(|n| portico_types::proof_of_work::leading_zero_bits(challenge, *n) < TEST_BITS).unwrap();
    let unsolved = problem(join(&app, &client, &with(json!({ "nonce": wrong.to_string() }))).await).await;
    assert_eq!(unsolved["type"], "proof-of-work-failed");
    let forged = challenge.replacen(&format!(".{TEST_BITS}."), ".1.", 1);
    let forged = problem(join(&app, &client, &with(json!({ "challenge": forged, "nonce": "0" }))).await).await;
    assert_eq!(forged["type"], "proof-of-work-failed");
    assert_eq!(made(&app).await, before, "nothing made by bad input");

    // The good form goes through once; its solved challenge does not work twice.
    assert_eq!(join(&app, &client, &good).await.status(), 201);
    let replay = problem(join(&app, &browser(), &good).await).await;
    assert_eq!(replay["type"], "form-expired");
    assert_eq!(made(&app).await.0, before.0 + 1);

    // A closed page and an unknown one are not found, on the API and as pages.
    for slug in ["respiratory", "no-such-team"] {
        let api = client.get(app.url(&format!("/api/v1/join/{slug}"))).send().await.unwrap();
        assert_eq!(api.status(), 404);
        let sent = client.post(app.url(&format!("/api/v1/join/{slug}"))).json(&good).send().await.unwrap();
        assert_eq!(sent.status(), 404);
        let page = client.get(app.url(&format!("/join/{slug}"))).send().await.unwrap();
        assert_eq!(page.status(), 404);
        assert!(page.text().await.unwrap().contains("join shell"));
    }
    assert_eq!(client.get(app.url("/join/diabetes")).send().await.unwrap().status(), 200);
}

async fn a_flood_from_one_address_gets_429_and_nothing_half_made(engine: Engine) {
    let (app, _mail) = app(engine, 3, 10).await;
    let client = browser();
    for n in 0..3 {
        let body = form(&app, &client, ("Flo", "Od", "1980-01-01", ""), &format!("flood{n}@example.com")).await;
        assert_eq!(join(&app, &client, &body).await.status(), 201, "form {n}");
    }
    let before = made(&app).await;
    let body = form(&app, &client, ("Flo", "Od", "1980-01-01", ""), "flood9@example.com").await;
    let flooded = join(&app, &client, &body).await;
    assert_eq!(flooded.status(), 429);
    assert!(flooded.headers().get("retry-after").is_some());
    let flooded = problem(flooded).await;
    assert_eq!(flooded["type"], "too-many-attempts");
    assert!(flooded["detail"].as_str().unwrap().contains("wait"), "{flooded}");
    // Bad forms count too: the wall holds whatever is sent.
    let junk = join(&app, &client, &json!({ "given_name": "" })).await;
    assert_eq!(junk.status(), 422, "a malformed body is refused before it is counted");
    let invalid = form(&app, &client, ("", "", "", ""), "x").await;
    assert_eq!(join(&app, &client, &invalid).await.status(), 429);
    assert_eq!(made(&app).await, before, "nothing half made");
}

async fn one_email_address_is_limited_across_addresses(engine: Engine) {
    let (app, _mail) = app(engine, 50, 2).await;
    for n in 0..2 {
        let client = browser();
        let body = form(&app, &client, ("Em", "Ail", "1980-01-01", ""), "same@example.com").await;
        assert_eq!(join(&app, &client, &body).await.status(), 201, "form {n}");
    }
    let client = browser();
    let body = form(&app, &client, ("Em", "Ail", "1980-01-01", ""), "Same@Example.com").await;
    assert_eq!(join(&app, &client, &body).await.status(), 429);
}

async fn a_team_admin_opens_and_words_their_join_page(engine: Engine) {
    let (app, _mail) = app(engine, 10, 3).await;
    let respiratory = team_id(&app, "respiratory").await;
    let url = app.url(&format!("/api/v1/staff/teams/{respiratory}/join-page"));
    let jordan = browser();
    app.sign_in_as(&jordan, JORDAN, DEMO_PASSWORD).await;
    let closed: Value = jordan.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(closed, json!({ "enabled": false, "message": "", "admission": "review_all" }));
    let bad = jordan
        .put(&url)
        .json(&json!({ "enabled": true, "message": "Hi", "admission": "everyone" }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad).await["errors"][0]["field"], "admission");
    let body =
        json!({ "enabled": true, "message": "Ask to join the respiratory clinic.", "admission": "admit_proven" });
    let saved = jordan.put(&url).json(&body).send().await.unwrap();
    assert_eq!(saved.status(), 200);
    let page: JoinPageView =
        browser().get(app.url("/api/v1/join/respiratory")).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (page.team_name.as_str(), page.message.as_str()),
        ("Respiratory Clinic", "Ask to join the respiratory clinic.")
    );
    // Sam works at the desk there, and Asha is not in the team: neither changes it.
    for (who, status) in [(SAM, 403), (ASHA, 404)] {
        let staff = browser();
        app.sign_in_as(&staff, who, DEMO_PASSWORD).await;
        assert_eq!(staff.put(&url).json(&body).send().await.unwrap().status(), status, "{who}");
    }
    assert!(app.audit_actions().await.iter().any(|a| a == "join_page_changed"));
}

crate::on_both_engines!(
    a_patient_joins_waits_and_is_linked_to_their_record,
    a_new_record_is_made_or_the_sign_up_declined_in_plain_words,
    only_the_teams_admins_and_clinicians_decide,
    a_sign_up_matching_an_excluded_record_is_held_and_cannot_be_linked,
    two_decisions_at_once_have_exactly_one_winner,
    bad_input_is_refused_and_changes_nothing,
    a_flood_from_one_address_gets_429_and_nothing_half_made,
    one_email_address_is_limited_across_addresses,
    a_team_admin_opens_and_words_their_join_page,
);
