//! Carers: a patient's adult carer, a professional's parent/guardian of a
//! child, the access check on every request, and coming of age. Every
//! refusal changes nothing.

use std::sync::Arc;

use portico_server::carers::coming_of_age;
use portico_server::clock::Clock as _;
use portico_server::config::Settings;
use portico_server::db::Engine;
use portico_server::secrets::Keys;
use portico_server::state::AppState;
use portico_types::api::{
    AccessHistoryResponse, AccessLevel, CarerKind, MyCarersResponse, MyRecordsResponse, OpenedRecordResponse,
    RecordCarersResponse, RecordNotificationsResponse,
};
use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{
    ASHA, DEMO_PASSWORD, TestApp, browser, other_organisation_professional, patient_account, problem, spawn_app,
};
use crate::invitations::{GOOD_PASSWORD, post, unregistered_record};

const CARER: &str = "chris.carer@carers.portico.example";
const MORGAN: &str = "morgan.reid@demo.portico.example";

/// Pat Ient's own record (a Diabetes Clinic record made theirs), with an
/// ordinary entry, one a professional labelled sensitive and one Pat will
/// mark private; Pat signed in. (record id, Pat's client)
async fn patient_with_record(app: &TestApp) -> (String, Client) {
    let email = patient_account(app).await;
    let (record_id, ..) = unregistered_record(app, 0).await;
    sqlx::query("UPDATE records SET owner_account_id = $1 WHERE id = $2")
        .bind(&email)
        .bind(&record_id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    for (id, title, sensitive) in [
        ("e-plain", "Clinic letter", 0_i64),
        ("e-sensitive", "Counselling note", 1),
        ("e-private", "Sexual health result", 0),
    ] {
        sqlx::query(
            "INSERT INTO entries (id, record_id, kind, source_system, source_id, title, body, occurred_at, sensitive, \
             content_hash, created_at, updated_at) VALUES ($1, $2, 'letter', 'test', $1, $3, NULL, \
             '2026-11-01T09:00:00.000000Z', $4, 'h', '2026-11-01T09:00:00.000000Z', '2026-11-01T09:00:00.000000Z')",
        )
        .bind(id)
        .bind(&record_id)
        .bind(title)
        .bind(sensitive)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    let pat = browser();
    assert_eq!(app.sign_in_as(&pat, &email, DEMO_PASSWORD).await.status(), 200);
    (record_id, pat)
}

/// The token in the newest carer email to `to`.
pub async fn token_sent_to(app: &TestApp, to: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE to_address = $1 AND idempotency_key LIKE 'carer-invitation:%' \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let at = body.find("token=").expect("a link with a token") + "token=".len();
    body[at..at + 64].to_owned()
}

/// Registers a new carer account with the invitation sent to `email`; returns it signed in.
pub async fn register_carer(app: &TestApp, email: &str, name: &str) -> Client {
    let token = token_sent_to(app, email).await;
    let carer = browser();
    let body = json!({ "token": token, "display_name": name, "password": GOOD_PASSWORD, "accept_terms": true });
    let response = post(app, &carer, "/api/v1/carer-invitations/register", body).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    carer
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

pub async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_in_as(&client, email, DEMO_PASSWORD).await.status(), 200);
    client
}

async fn carer_patient_journey(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, pat) = patient_with_record(&app).await;
    let response = pat
        .put(app.url("/api/v1/me/record/entries/e-private/private"))
        .json(&json!({ "private": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    let invite = json!({ "email": CARER, "access_level": "not_private" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let email: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = $1")
        .bind(CARER)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(!email.contains("Counselling") && !email.contains("Sexual"), "no clinical detail: {email}");
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    // The patient is told their invitation was accepted, as their settings say.
    let accepted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE subject = 'Your invitation on Portico has been accepted'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(accepted, 1, "the patient is told");
    let granted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND subject = $2")
        .bind(CARER)
        .bind("You can now see a health record as a carer")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(granted, 1, "the carer has it in writing");

    let mine: MyRecordsResponse = carer.get(app.url("/api/v1/me/records")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.records.len(), 1);
    let held = &mine.records[0];
    assert_eq!((held.record_id.as_str(), held.own), (record_id.as_str(), false));
    let access = held.carer.as_ref().unwrap();
    assert_eq!((access.kind, access.access_level), (CarerKind::AdultCarerConsent, AccessLevel::NotPrivate));

    let response = carer.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let opened: OpenedRecordResponse = response.json().await.unwrap();
    let titles: Vec<&str> = opened.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Clinic letter"], "private and sensitive entries are hidden");
    // The patient sees everything in their own record, through the same endpoint.
    let own: OpenedRecordResponse =
        pat.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(own.entries.len(), 3);
    assert!(own.carer.is_none());

    let carers: MyCarersResponse =
        pat.get(app.url("/api/v1/me/record/carers")).send().await.unwrap().json().await.unwrap();
    assert_eq!(carers.carers.len(), 1);
    assert_eq!(carers.carers[0].carer_email, CARER);
    let link_id = carers.carers[0].id.clone();
    let history: AccessHistoryResponse =
        pat.get(app.url("/api/v1/me/record/access-history")).send().await.unwrap().json().await.unwrap();
    let mut actions: Vec<(&str, Option<&str>)> =
        history.events.iter().map(|e| (e.action.as_str(), e.by.as_deref())).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            ("carer_invited", Some("Pat Ient")),
            ("carer_link_granted", Some("Chris Carer")),
            ("carer_record_viewed", Some("Chris Carer"))
        ]
    );

    // Ended by the patient: the carer's open session loses it on the next request.
    let response = pat.delete(app.url(&format!("/api/v1/me/record/carers/{link_id}"))).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let response = carer.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap();
    assert_eq!(problem(response).await["status"], 404);
    let mine: MyRecordsResponse = carer.get(app.url("/api/v1/me/records")).send().await.unwrap().json().await.unwrap();
    assert!(mine.records.is_empty());
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND idempotency_key LIKE 'carer-access:%' \
         AND subject = 'Your carer access on Portico has ended'",
    )
    .bind(CARER)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(told, 1, "the carer is told");
    // Ending it again finds nothing.
    let response = pat.delete(app.url(&format!("/api/v1/me/record/carers/{link_id}"))).send().await.unwrap();
    assert_eq!(response.status(), 404);

    // Invited again, the carer accepts signed in, then gives the access up themselves.
    let invite = json!({ "email": CARER, "access_level": "everything" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let token = token_sent_to(&app, CARER).await;
    assert_eq!(post(&app, &carer, "/api/v1/carer-invitations/accept", json!({ "token": token })).await.status(), 200);
    let leave = format!("/api/v1/me/records/{record_id}/leave");
    assert_eq!(post(&app, &carer, &leave, json!({})).await.status(), 204);
    assert_eq!(carer.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap().status(), 404);
    // The patient cannot "leave" their own record.
    assert_eq!(post(&app, &pat, &leave, json!({})).await.status(), 404);
}

async fn carer_link_past_its_end_date_stops_in_the_same_session(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, pat) = patient_with_record(&app).await;
    // Access until the start of 26 November; the test's today is 25 November, 09:00.
    let invite = json!({ "email": CARER, "access_level": "everything", "ends_on": "2026-11-26" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    // The carer accepts ten minutes before the end, and is still looking when it comes.
    app.clock.advance(time::Duration::hours(14) + time::Duration::minutes(50));
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    let path = format!("/api/v1/me/records/{record_id}");
    let opened: OpenedRecordResponse = carer.get(app.url(&path)).send().await.unwrap().json().await.unwrap();
    assert_eq!(opened.entries.len(), 3, "everything");
    app.clock.advance(time::Duration::minutes(11));
    assert_eq!(carer.get(app.url("/api/v1/session")).send().await.unwrap().status(), 200, "the session lives on");
    let response = carer.get(app.url(&path)).send().await.unwrap();
    assert_eq!(problem(response).await["type"], "not-found");
    // The invitation was used once: the link in the email does nothing now.
    let token = token_sent_to(&app, CARER).await;
    let response = post(&app, &carer, "/api/v1/carer-invitations/accept", json!({ "token": token })).await;
    assert_eq!(problem(response).await["type"], "carer-invitation-not-valid");
}

async fn carer_inviting_themselves_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let (_, pat) = patient_with_record(&app).await;
    let before = app.audit_actions().await.len();
    let invite = json!({ "email": "Pat.Ient@patients.portico.example", "access_level": "everything" });
    let response = post(&app, &pat, "/api/v1/me/record/carers", invite).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["type"], "carer-is-yourself");
    assert_eq!(count(&app, "carer_invitations").await, 0);
    assert_eq!(app.audit_actions().await.len(), before, "nothing written");
    // Bad fields are listed together.
    let response = post(
        &app,
        &pat,
        "/api/v1/me/record/carers",
        json!({ "email": "nope", "access_level": "all", "ends_on": "soon" }),
    )
    .await;
    let body = problem(response).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "access_level", "ends_on"]);
    // An end date already past is refused, and ten invitations a day is the most.
    let past = json!({ "email": CARER, "access_level": "everything", "ends_on": "2026-11-01" });
    assert_eq!(
        problem(post(&app, &pat, "/api/v1/me/record/carers", past).await).await["errors"][0]["field"],
        "ends_on"
    );
    for n in 0..10 {
        let invite = json!({ "email": format!("carer{n}@carers.portico.example"), "access_level": "everything" });
        assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    }
    let invite = json!({ "email": "one.more@carers.portico.example", "access_level": "everything" });
    let response = post(&app, &pat, "/api/v1/me/record/carers", invite).await;
    assert_eq!(problem(response).await["type"], "too-many-carer-invitations");
    assert_eq!(count(&app, "carer_invitations").await, 10);
}

async fn carer_cannot_invite_to_a_record_they_hold_only_as_a_carer(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, pat) = patient_with_record(&app).await;
    let invite = json!({ "email": CARER, "access_level": "everything" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    let invitations = count(&app, "carer_invitations").await;

    let another = json!({ "email": "friend@carers.portico.example", "access_level": "everything" });
    let response = post(&app, &carer, &format!("/api/v1/me/records/{record_id}/carers"), another.clone()).await;
    assert_eq!(response.status(), 403);
    assert_eq!(problem(response).await["type"], "carer-cannot-invite");
    let response = post(&app, &carer, "/api/v1/me/record/carers", another).await;
    assert_eq!(problem(response).await["type"], "no-own-record");
    assert_eq!(count(&app, "carer_invitations").await, invitations, "nothing written");
}

/// A Diabetes Clinic record made a child's: born `born`, with an email of its own.
pub async fn child_record(app: &TestApp, nth: i64, born: &str) -> String {
    let (record_id, ..) = unregistered_record(app, nth).await;
    sqlx::query("UPDATE records SET date_of_birth = $2, email = 'young.person@patients.portico.example' WHERE id = $1")
        .bind(&record_id)
        .bind(born)
        .execute(&app.db.pool)
        .await
        .unwrap();
    record_id
}

pub fn parent(email: &str) -> Value {
    json!({ "kind": "parent_guardian", "email": email, "relationship": "mother",
            "legal_basis": "parental_responsibility", "access_level": "everything" })
}

async fn carer_link_to_a_child_by_another_organisation_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let child = child_record(&app, 3, "2015-04-01").await;
    let casey = signed_in(&app, &other_organisation_professional(&app).await).await;
    let response = post(&app, &casey, &format!("/api/v1/staff/records/{child}/carers"), parent(CARER)).await;
    assert_eq!(response.status(), 404);
    assert_eq!(problem(response).await["type"], "not-found");
    assert_eq!(count(&app, "carer_invitations").await, 0);
    // A receptionist of the child's own team may not either.
    let sam = signed_in(&app, crate::helpers::SAM).await;
    let response = post(&app, &sam, &format!("/api/v1/staff/records/{child}/carers"), parent(CARER)).await;
    assert_eq!(response.status(), 403);
    assert_eq!(count(&app, "carer_invitations").await, 0);
}

async fn carer_parent_refused_when_the_child_is_already_of_age(engine: Engine) {
    let app = spawn_app(engine).await;
    // Sixteen on 1 November 2026; the test's today is 25 November 2026.
    let young_person = child_record(&app, 3, "2010-11-01").await;
    let asha = signed_in(&app, ASHA).await;
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{young_person}/carers"), parent(CARER)).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["type"], "child-already-of-age");
    assert_eq!(count(&app, "carer_invitations").await, 0);
    // "Other" needs its description; the relationship is required.
    let child = child_record(&app, 4, "2015-04-01").await;
    let mut body = parent(CARER);
    body["legal_basis"] = json!("other");
    body["relationship"] = json!(" ");
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), body).await;
    let body = problem(response).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["relationship", "legal_basis"]);
    assert_eq!(count(&app, "carer_invitations").await, 0);
    // A note, and an adult's relationship, no longer than any other text.
    let mut body = parent(CARER);
    body["legal_basis"] = json!("other");
    body["legal_note"] = json!("n".repeat(2001));
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), body).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "legal_note");
    let (adult, ..) = unregistered_record(&app, 2).await;
    let body = json!({ "kind": "adult_lacks_capacity", "email": CARER, "relationship": "r".repeat(2001),
                       "legal_basis": "court_deputy", "access_level": "everything" });
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{adult}/carers"), body).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "relationship");
    assert_eq!(count(&app, "carer_invitations").await, 0);
}

pub fn state_of(app: &TestApp) -> AppState {
    let settings = Settings { public_base_url: app.url("/").parse().unwrap(), ..Settings::default() };
    AppState::new(app.db.clone(), settings, Arc::new(app.clock.clone()), Keys::for_tests())
}

async fn carer_links_come_of_age_once_with_two_jobs_at_once(engine: Engine) {
    let app = spawn_app(engine).await;
    // Sixteen on 5 December 2026; the test's today is 25 November 2026, 09:00.
    let child = child_record(&app, 3, "2010-12-05").await;
    // To ten minutes before the birthday, so the parents' sessions are still open at it.
    app.clock.advance(time::Duration::days(9) + time::Duration::hours(14) + time::Duration::minutes(50));
    let asha = signed_in(&app, ASHA).await;
    let second_parent = "sam.parent@carers.portico.example";
    for email in [CARER, second_parent] {
        let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(email)).await;
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
    }
    let mother = register_carer(&app, CARER, "Chris Carer").await;
    register_carer(&app, second_parent, "Sam Parent").await;
    let path = format!("/api/v1/me/records/{child}");
    assert_eq!(mother.get(app.url(&path)).send().await.unwrap().status(), 200);

    let state = state_of(&app);
    let early = coming_of_age::run_once(&state).await.unwrap();
    let warned = coming_of_age::Outcome { warned: 2, ..Default::default() };
    assert_eq!(early, warned, "before the birthday, each parent warned that it comes");
    app.clock.advance(time::Duration::minutes(11));
    let (a, b) = tokio::join!(coming_of_age::run_once(&state), coming_of_age::run_once(&state));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.ended + b.ended, 2, "each parent's link ended once: {a:?} {b:?}");
    assert_eq!(a.invited + b.invited, 1, "the young person invited once: {a:?} {b:?}");
    assert_eq!(coming_of_age::run_once(&state).await.unwrap(), coming_of_age::Outcome::default());

    let ended: Vec<String> = sqlx::query_scalar("SELECT ended_how FROM carer_links WHERE record_id = $1")
        .bind(&child)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(ended, ["came_of_age", "came_of_age"]);
    let invitations: Vec<(String, String)> =
        sqlx::query_as("SELECT channel, sent_to FROM invitations WHERE record_id = $1")
            .bind(&child)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(invitations, [("email".to_owned(), "young.person@patients.portico.example".to_owned())]);
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM coming_of_age WHERE record_id = $1")
        .bind(&child)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(outcome, "invited");
    // The parent's open session no longer opens the record.
    assert_eq!(mother.get(app.url(&path)).send().await.unwrap().status(), 404);
}

async fn carer_invitations_follow_exclusion_unless_a_safeguarding_lead_overrides(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, pat) = patient_with_record(&app).await;
    sqlx::query("INSERT INTO exclusions (record_id, reason, note, set_by, set_at) SELECT $1, 'other', 'n', id, '2026-11-25T09:00:00.000000Z' FROM accounts WHERE email = $2")
        .bind(&record_id).bind(MORGAN).execute(&app.db.pool).await.unwrap();
    let invite = json!({ "email": CARER, "access_level": "everything" });
    let response = post(&app, &pat, "/api/v1/me/record/carers", invite).await;
    assert_eq!(problem(response).await["type"], "record-excluded");
    assert_eq!(count(&app, "carer_invitations").await, 0);
    // Asha (a clinician, not a safeguarding lead) cannot override.
    let asha = signed_in(&app, ASHA).await;
    let overriding = json!({ "email": CARER, "access_level": "everything", "reason": "Reviewed with the patient" });
    let response =
        post(&app, &asha, &format!("/api/v1/staff/records/{record_id}/carers/override"), overriding.clone()).await;
    assert_eq!(problem(response).await["type"], "not-safeguarding-lead");
    let morgan = signed_in(&app, MORGAN).await;
    let response = post(&app, &morgan, &format!("/api/v1/staff/records/{record_id}/carers/override"), overriding).await;
    assert_eq!(response.status(), 201);
    assert!(app.audit_actions().await.contains(&"carer_exclusion_overridden".to_owned()));
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    assert_eq!(carer.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap().status(), 200);
    // A safeguarding lead can end any link, with a reason.
    let carers: MyCarersResponse =
        pat.get(app.url("/api/v1/me/record/carers")).send().await.unwrap().json().await.unwrap();
    let link_id = &carers.carers[0].id;
    let end = format!("/api/v1/staff/records/{record_id}/carers/{link_id}/end");
    let response = post(&app, &asha, &end, json!({ "reason": "asked" })).await;
    assert_eq!(problem(response).await["type"], "patients-carer");
    let response = post(&app, &morgan, &end, json!({ "reason": "" })).await;
    assert_eq!(response.status(), 422);
    let response = post(&app, &morgan, &end, json!({ "reason": "Safeguarding concern raised" })).await;
    assert_eq!(response.status(), 204);
    assert_eq!(carer.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap().status(), 404);
}

/// A safeguarding exclusion set after a carer link exists suspends it, in the
/// open session too; lifting the exclusion lets it work again.
async fn carer_link_is_suspended_while_its_record_is_excluded(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, pat) = patient_with_record(&app).await;
    let invite = json!({ "email": CARER, "access_level": "everything" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    let opened = app.url(&format!("/api/v1/me/records/{record_id}"));
    assert_eq!(carer.get(&opened).send().await.unwrap().status(), 200);

    let morgan = signed_in(&app, MORGAN).await;
    let exclusion = app.url(&format!("/api/v1/staff/records/{record_id}/exclusion"));
    let set = json!({ "reason": "safeguarding_concern", "note": "Concern about a family member" });
    assert_eq!(morgan.put(&exclusion).json(&set).send().await.unwrap().status(), 200);
    assert_eq!(carer.get(&opened).send().await.unwrap().status(), 404, "suspended at once");
    let mine: MyRecordsResponse = carer.get(app.url("/api/v1/me/records")).send().await.unwrap().json().await.unwrap();
    assert!(mine.records.is_empty(), "not offered while suspended: {mine:?}");
    // The patient keeps their own record, and still sees who holds a link.
    assert_eq!(pat.get(&opened).send().await.unwrap().status(), 200);

    let lift = json!({ "note": "Reviewed with social care" });
    assert_eq!(morgan.post(format!("{exclusion}/lift")).json(&lift).send().await.unwrap().status(), 204);
    assert_eq!(carer.get(&opened).send().await.unwrap().status(), 200, "works again once lifted");
}

/// The patient changes what a carer they invited sees: the carer sees the
/// private entry at once, is told that their access changed, and the change
/// is in the patient's access history. An end date in the past, an unknown
/// link and a professional's link are refused, changing nothing.
async fn carer_access_changed_by_the_patient_applies_at_once(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, pat) = patient_with_record(&app).await;
    let private = pat.put(app.url("/api/v1/me/record/entries/e-private/private")).json(&json!({ "private": true }));
    assert_eq!(private.send().await.unwrap().status(), 204);
    let invite = json!({ "email": CARER, "access_level": "not_private" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    let opened = app.url(&format!("/api/v1/me/records/{record_id}"));
    let seen: OpenedRecordResponse = carer.get(&opened).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen.entries.len(), 1, "only the plain entry");
    let carers: MyCarersResponse =
        pat.get(app.url("/api/v1/me/record/carers")).send().await.unwrap().json().await.unwrap();
    let link = app.url(&format!("/api/v1/me/record/carers/{}", carers.carers[0].id));

    let past = json!({ "access_level": "everything", "ends_on": "2020-01-01" });
    assert_eq!(problem(pat.put(&link).json(&past).send().await.unwrap()).await["errors"][0]["field"], "ends_on");
    let bad = json!({ "access_level": "all", "ends_on": "someday" });
    let refused = problem(pat.put(&link).json(&bad).send().await.unwrap()).await;
    assert_eq!(refused["errors"].as_array().unwrap().len(), 2, "{refused}");
    let unknown = app.url("/api/v1/me/record/carers/no-such-link");
    let change = json!({ "access_level": "everything", "ends_on": "2099-03-31" });
    assert_eq!(pat.put(&unknown).json(&change).send().await.unwrap().status(), 404);
    let seen: OpenedRecordResponse = carer.get(&opened).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen.entries.len(), 1, "nothing changed by the refusals");

    assert_eq!(pat.put(&link).json(&change).send().await.unwrap().status(), 204);
    let seen: OpenedRecordResponse = carer.get(&opened).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen.entries.len(), 3, "everything, at once");
    let access = seen.carer.unwrap();
    assert_eq!(
        (access.access_level, access.ends_at.as_deref()),
        (AccessLevel::Everything, Some("2099-03-31T00:00:00.000000Z"))
    );
    let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND subject = $2")
        .bind(CARER)
        .bind("Your carer access on Portico has changed")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(told, 1);
    let history: AccessHistoryResponse =
        pat.get(app.url("/api/v1/me/record/access-history")).send().await.unwrap().json().await.unwrap();
    assert!(history.events.iter().any(|e| e.action == "carer_link_changed"), "{history:?}");
}

/// Coming of age without an email address: the young person is invited by
/// text message to their mobile; with neither, nothing is issued (a job's
/// letter would never be printed) and the outcome says `no_contact`.
async fn carer_coming_of_age_invites_by_text_or_records_no_contact(engine: Engine) {
    let app = spawn_app(engine).await;
    let by_text = child_record(&app, 3, "2010-12-05").await;
    let unreachable = child_record(&app, 4, "2010-12-05").await;
    sqlx::query("UPDATE records SET email = NULL, mobile = '07700 900123' WHERE id = $1")
        .bind(&by_text)
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE records SET email = NULL, mobile = NULL WHERE id = $1")
        .bind(&unreachable)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let asha = signed_in(&app, ASHA).await;
    for (child, email) in [(&by_text, CARER), (&unreachable, "sam.parent@carers.portico.example")] {
        let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(email)).await;
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        register_carer(&app, email, "A Parent").await;
    }
    app.clock.advance(time::Duration::days(11));
    let done = coming_of_age::run_once(&state_of(&app)).await.unwrap();
    assert_eq!((done.ended, done.invited), (2, 1), "{done:?}");
    let outcomes: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.record_id, c.outcome, i.channel FROM coming_of_age c \
         LEFT JOIN invitations i ON i.id = c.invitation_id ORDER BY c.record_id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let of = |id: &str| outcomes.iter().find(|(r, ..)| r == id).map(|(_, o, c)| (o.clone(), c.clone()));
    assert_eq!(of(&by_text), Some(("invited".to_owned(), Some("sms".to_owned()))));
    assert_eq!(of(&unreachable), Some(("no_contact".to_owned(), None)));
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE record_id = $1")
        .bind(&unreachable)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(issued, 0, "no letter whose code nobody would print");
}

async fn carer_invitation_is_bound_to_its_address_and_used_once(engine: Engine) {
    let app = spawn_app(engine).await;
    let (_, pat) = patient_with_record(&app).await;
    // The demo's own links (Olivia's), before this test makes any.
    let demo_links = count(&app, "carer_links").await;
    let invite = json!({ "email": ASHA, "access_level": "everything" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let token = token_sent_to(&app, ASHA).await;
    // Looking it up (as the page does, or a mail scanner) uses nothing.
    for _ in 0..2 {
        let response = post(&app, &browser(), "/api/v1/carer-invitations/lookup", json!({ "token": token })).await;
        let shown: Value = response.json().await.unwrap();
        assert_eq!((shown["email"].as_str(), shown["has_account"].as_bool()), (Some(ASHA), Some(true)));
    }
    let response = post(&app, &browser(), "/api/v1/carer-invitations/lookup", json!({ "token": "0".repeat(64) })).await;
    assert_eq!(problem(response).await["type"], "carer-invitation-not-valid");
    // Another signed-in account cannot use it.
    let sam = signed_in(&app, crate::helpers::SAM).await;
    let response = post(&app, &sam, "/api/v1/carer-invitations/accept", json!({ "token": token })).await;
    assert_eq!(problem(response).await["type"], "carer-invitation-other-address");
    // Registering a second account for an address that has one is refused.
    let body = json!({ "token": token, "display_name": "A", "password": GOOD_PASSWORD, "accept_terms": true });
    let response = post(&app, &browser(), "/api/v1/carer-invitations/register", body).await;
    assert_eq!(problem(response).await["type"], "email-has-account");
    assert_eq!(count(&app, "carer_links").await, demo_links);
    // Asha, signed in, accepts; twice at once, one wins.
    let asha = signed_in(&app, ASHA).await;
    let (a, b) = tokio::join!(
        post(&app, &asha, "/api/v1/carer-invitations/accept", json!({ "token": token })),
        post(&app, &asha, "/api/v1/carer-invitations/accept", json!({ "token": token })),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 410]);
    assert_eq!(count(&app, "carer_links").await, demo_links + 1);
}

async fn carer_links_for_review_stay_open_until_a_professional_ends_them(engine: Engine) {
    let app = spawn_app(engine).await;
    // The bands an organisation that reviewed at 16 has after migration 0018.
    sqlx::query("DELETE FROM carer_age_bands").execute(&app.db.pool).await.unwrap();
    sqlx::query(
        "INSERT INTO carer_age_bands (organisation_id, age, access_becomes) \
         SELECT id, 16, 'review' FROM organisations UNION ALL SELECT id, 18, 'end' FROM organisations",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let child = child_record(&app, 3, "2010-12-05").await;
    app.clock.advance(time::Duration::days(9) + time::Duration::hours(14) + time::Duration::minutes(50));
    let asha = signed_in(&app, ASHA).await;
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(CARER)).await;
    assert_eq!(response.status(), 201);
    let mother = register_carer(&app, CARER, "Chris Carer").await;
    app.clock.advance(time::Duration::minutes(11));
    let done = coming_of_age::run_once(&state_of(&app)).await.unwrap();
    assert_eq!(done, coming_of_age::Outcome { marked_for_review: 1, invited: 1, ..Default::default() });
    let path = format!("/api/v1/me/records/{child}");
    assert_eq!(mother.get(app.url(&path)).send().await.unwrap().status(), 200, "open until reviewed");
    let listed: RecordCarersResponse =
        asha.get(app.url(&format!("/api/v1/staff/records/{child}/carers"))).send().await.unwrap().json().await.unwrap();
    assert!(listed.carers[0].review_due_since.is_some());
    assert_eq!(listed.carers[0].legal_basis.as_deref(), Some("parental_responsibility"));
    let end = format!("/api/v1/staff/records/{child}/carers/{}/end", listed.carers[0].id);
    let response = post(&app, &asha, &end, json!({ "reason": "  " })).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "reason");
    let response =
        post(&app, &asha, &end, json!({ "reason": "The young person asked, and is competent to decide" })).await;
    assert_eq!(response.status(), 204);
    assert_eq!(mother.get(app.url(&path)).send().await.unwrap().status(), 404);
    let (how, reason): (String, String) =
        sqlx::query_as("SELECT ended_how, end_reason FROM carer_links WHERE record_id = $1")
            .bind(&child)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((how.as_str(), reason.as_str()), ("professional", "The young person asked, and is competent to decide"));
}

async fn carer_for_an_adult_who_lacks_capacity_with_a_legal_basis(engine: Engine) {
    let app = spawn_app(engine).await;
    let (adult, ..) = unregistered_record(&app, 2).await;
    let asha = signed_in(&app, ASHA).await;
    let path = format!("/api/v1/staff/records/{adult}/carers");
    let mut body = json!({ "kind": "adult_lacks_capacity", "email": CARER, "legal_basis": "parental_responsibility",
                           "access_level": "not_private" });
    let response = post(&app, &asha, &path, body.clone()).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "legal_basis");
    body["legal_basis"] = json!("court_deputy");
    assert_eq!(post(&app, &asha, &path, body).await.status(), 201);
    let carer = register_carer(&app, CARER, "Chris Carer").await;
    let opened: OpenedRecordResponse =
        carer.get(app.url(&format!("/api/v1/me/records/{adult}"))).send().await.unwrap().json().await.unwrap();
    let access = opened.carer.unwrap();
    assert_eq!((access.kind, access.access_level), (CarerKind::AdultLacksCapacity, AccessLevel::NotPrivate));
    let actions = app.audit_actions().await;
    for action in ["carer_invited", "carer_link_granted", "carer_record_viewed"] {
        assert!(actions.contains(&action.to_owned()), "{action} audited");
    }
}

async fn carer_invitation_withdrawn_by_the_patient_no_longer_works(engine: Engine) {
    let app = spawn_app(engine).await;
    let (_, pat) = patient_with_record(&app).await;
    let invite = json!({ "email": CARER, "access_level": "everything" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    let carers: MyCarersResponse =
        pat.get(app.url("/api/v1/me/record/carers")).send().await.unwrap().json().await.unwrap();
    assert_eq!(carers.invitations.len(), 1);
    let withdraw = format!("/api/v1/me/record/carers/invitations/{}", carers.invitations[0].id);
    assert_eq!(pat.delete(app.url(&withdraw)).send().await.unwrap().status(), 204);
    let token = token_sent_to(&app, CARER).await;
    let body = json!({ "token": token, "display_name": "Chris", "password": GOOD_PASSWORD, "accept_terms": true });
    let response = post(&app, &browser(), "/api/v1/carer-invitations/register", body).await;
    assert_eq!(problem(response).await["type"], "carer-invitation-not-valid");
    // An invitation left for a week expires.
    let invite = json!({ "email": "late@carers.portico.example", "access_level": "everything" });
    assert_eq!(post(&app, &pat, "/api/v1/me/record/carers", invite).await.status(), 201);
    app.clock.advance(time::Duration::days(7));
    let expired = portico_server::carers::invite::expire_due(&app.db, app.clock.now()).await.unwrap();
    assert_eq!(expired, 1);
    let token = token_sent_to(&app, "late@carers.portico.example").await;
    let response = post(&app, &browser(), "/api/v1/carer-invitations/lookup", json!({ "token": token })).await;
    assert_eq!(problem(response).await["type"], "carer-invitation-not-valid");
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE email = $1")
        .bind(CARER)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(accounts, 0, "no account half-made");
}

async fn carer_settings_of_an_organisation_move_the_review_day(engine: Engine) {
    let app = spawn_app(engine).await;
    let child = child_record(&app, 3, "2010-12-05").await;
    let asha = signed_in(&app, ASHA).await;
    assert_eq!(post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(CARER)).await.status(), 201);
    register_carer(&app, CARER, "Chris Carer").await;
    let listed = format!("/api/v1/staff/records/{child}/carers");
    let carers: RecordCarersResponse = asha.get(app.url(&listed)).send().await.unwrap().json().await.unwrap();
    assert_eq!(carers.carers[0].review_at.as_deref(), Some("2026-12-05T00:00:00.000000Z"));

    let settings = "/api/v1/staff/organisation/carer-settings";
    assert_eq!(carers.carers[0].next_change.as_deref(), Some("end"));
    let shown: Value = asha.get(app.url(settings)).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown, json!({ "bands": [{ "age": 16, "access_becomes": "end" }], "invite_age": 16 }));
    let sam = signed_in(&app, crate::helpers::SAM).await;
    let change = json!({ "bands": [{ "age": 17, "access_becomes": "review" }, { "age": 18, "access_becomes": "end" }],
                         "invite_age": 16 });
    assert_eq!(sam.put(app.url(settings)).json(&change).send().await.unwrap().status(), 403);
    let bad = json!({ "bands": [{ "age": 11, "access_becomes": "never" }], "invite_age": 19 });
    let response = asha.put(app.url(settings)).json(&bad).send().await.unwrap();
    let body = problem(response).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["bands[0].age", "bands[0].access_becomes", "invite_age"]);
    assert_eq!(asha.put(app.url(settings)).json(&change).send().await.unwrap().status(), 200);
    let carers: RecordCarersResponse = asha.get(app.url(&listed)).send().await.unwrap().json().await.unwrap();
    assert_eq!(carers.carers[0].review_at.as_deref(), Some("2027-12-05T00:00:00.000000Z"));
    assert_eq!(carers.carers[0].next_change.as_deref(), Some("review"));
}

/// A professional's invitation to a parent is among the record's emails
/// sent, with the address it went to, as staff see them.
async fn carer_invitation_is_among_the_record_s_emails_sent(engine: Engine) {
    let app = spawn_app(engine).await;
    let child = child_record(&app, 3, "2015-04-01").await;
    let asha = signed_in(&app, ASHA).await;
    assert_eq!(post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(CARER)).await.status(), 201);
    let url = app.url(&format!("/api/v1/staff/records/{child}/notifications"));
    let seen: RecordNotificationsResponse = asha.get(&url).send().await.unwrap().json().await.unwrap();
    let sent: Vec<(&str, &str)> = seen.notifications.iter().map(|n| (n.kind.as_str(), n.to.as_str())).collect();
    assert_eq!(sent, [("carer_invitation", CARER)]);
}

crate::on_both_engines!(
    carer_patient_journey,
    carer_link_past_its_end_date_stops_in_the_same_session,
    carer_inviting_themselves_is_refused,
    carer_cannot_invite_to_a_record_they_hold_only_as_a_carer,
    carer_link_to_a_child_by_another_organisation_is_refused,
    carer_parent_refused_when_the_child_is_already_of_age,
    carer_links_come_of_age_once_with_two_jobs_at_once,
    carer_coming_of_age_invites_by_text_or_records_no_contact,
    carer_invitations_follow_exclusion_unless_a_safeguarding_lead_overrides,
    carer_link_is_suspended_while_its_record_is_excluded,
    carer_access_changed_by_the_patient_applies_at_once,
    carer_invitation_is_bound_to_its_address_and_used_once,
    carer_links_for_review_stay_open_until_a_professional_ends_them,
    carer_for_an_adult_who_lacks_capacity_with_a_legal_basis,
    carer_invitation_withdrawn_by_the_patient_no_longer_works,
    carer_settings_of_an_organisation_move_the_review_day,
    carer_invitation_is_among_the_record_s_emails_sent,
);
