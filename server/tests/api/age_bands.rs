//! Age bands for children's records (issue 11): the organisation's bands,
//! refused field by field when they do not make sense; a parent warned three
//! months before each, once however many jobs run; access narrowed on the
//! birthday (a sensitive entry no longer shown), then reviewed, then ended;
//! a professional's extension with its reason; and the young person invited
//! at the organisation's own age.

use portico_server::carers::coming_of_age::{self, Outcome};
use portico_server::db::Engine;
use portico_types::api::{AccessLevel, CarerInvitationView, OpenedRecordResponse, RecordCarersResponse};
use reqwest::Client;
use serde_json::{Value, json};
use time::Duration;

use crate::carers::{child_record, parent, register_carer, signed_in, state_of};
use crate::helpers::{ASHA, TestApp, problem, spawn_app};
use crate::invitations::{GOOD_PASSWORD, post};

const PARENT: &str = "pat.parent@carers.portico.example";
const SETTINGS: &str = "/api/v1/staff/organisation/carer-settings";

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

fn bands(bands: &[(u8, &str)], invite_age: u8) -> Value {
    let bands: Vec<Value> = bands.iter().map(|(age, b)| json!({ "age": age, "access_becomes": b })).collect();
    json!({ "bands": bands, "invite_age": invite_age })
}

/// A sensitive entry on the child's record, and an ordinary one.
async fn entries(app: &TestApp, record_id: &str) {
    for (id, title, sensitive) in [("c-plain", "Clinic letter", 0_i64), ("c-sensitive", "Counselling note", 1)] {
        sqlx::query(
            "INSERT INTO entries (id, record_id, kind, source_system, source_id, title, body, occurred_at, sensitive, \
             content_hash, created_at, updated_at) VALUES ($1, $2, 'letter', 'test', $1, $3, NULL, \
             '2026-11-01T09:00:00.000000Z', $4, 'h', '2026-11-01T09:00:00.000000Z', '2026-11-01T09:00:00.000000Z')",
        )
        .bind(id)
        .bind(record_id)
        .bind(title)
        .bind(sensitive)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
}

/// The demo's own parent (Olivia, of Leo) set aside, so that the years the
/// tests let pass count only their own links.
async fn without_demo_links(app: &TestApp) {
    sqlx::query("UPDATE carer_links SET ended_at = '2026-11-25T00:00:00.000000Z', ended_how = 'end_date'")
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn seen_by(app: &TestApp, client: &Client, record_id: &str) -> Option<OpenedRecordResponse> {
    let response = client.get(app.url(&format!("/api/v1/me/records/{record_id}"))).send().await.unwrap();
    (response.status() == 200).then_some(()).map(|()| response)?.json().await.ok()
}

async fn outbox_keys(app: &TestApp, prefix: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE $1 ORDER BY idempotency_key")
        .bind(format!("{prefix}%"))
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

async fn carers_of(app: &TestApp, staff: &Client, record_id: &str) -> RecordCarersResponse {
    let url = app.url(&format!("/api/v1/staff/records/{record_id}/carers"));
    staff.get(url).send().await.unwrap().json().await.unwrap()
}

async fn age_bands_are_refused_field_by_field(engine: Engine) {
    let app = spawn_app(engine).await;
    let asha = signed_in(&app, ASHA).await;
    let put = |body: Value| asha.put(app.url(SETTINGS)).json(&body).send();
    for (body, expected) in [
        (bands(&[], 16), vec!["bands"]),
        (bands(&[(13, "not_private"), (13, "end")], 16), vec!["bands[1].age"]),
        (bands(&[(16, "review"), (14, "end")], 16), vec!["bands[1].age"]),
        (bands(&[(13, "not_private"), (15, "everything"), (18, "end")], 16), vec!["bands[1].access_becomes"]),
        (bands(&[(13, "not_private"), (15, "not_private"), (18, "end")], 16), vec!["bands[1].access_becomes"]),
        (bands(&[(13, "not_private"), (16, "review")], 16), vec!["bands[1].access_becomes"]),
        (bands(&[(13, "end"), (16, "review")], 16), vec!["bands[1].access_becomes"]),
        (bands(&[(10, "not_private"), (18, "end")], 11), vec!["bands[0].age", "invite_age"]),
    ] {
        let response = put(body.clone()).await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), expected, "{body}");
    }
    let shown: Value = asha.get(app.url(SETTINGS)).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown, bands(&[(16, "end")], 16), "the default, unchanged");
    let good = bands(&[(13, "not_private"), (16, "review"), (18, "end")], 17);
    assert_eq!(put(good.clone()).await.unwrap().status(), 200);
    let shown: Value = asha.get(app.url(SETTINGS)).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown, good);
    assert!(app.audit_actions().await.contains(&"carer_settings_changed".to_owned()));
}

async fn age_bands_warn_narrow_extend_review_and_end(engine: Engine) {
    let app = spawn_app(engine).await;
    // The test's today is 25 November 2026, 09:00: the child is 12, and 13 on
    // 10 April 2027, 16 on 10 April 2030, 18 on 10 April 2032.
    without_demo_links(&app).await;
    let child = child_record(&app, 3, "2014-04-10").await;
    entries(&app, &child).await;
    let asha = signed_in(&app, ASHA).await;
    let set = bands(&[(13, "not_private"), (16, "review"), (18, "end")], 16);
    assert_eq!(asha.put(app.url(SETTINGS)).json(&set).send().await.unwrap().status(), 200);
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(PARENT)).await;
    assert_eq!(response.status(), 201);
    let dad = register_carer(&app, PARENT, "Pat Parent").await;
    let opened = seen_by(&app, &dad, &child).await.unwrap();
    assert_eq!(opened.entries.len(), 2, "everything while the child is 12");
    let listed = carers_of(&app, &asha, &child).await;
    let link = &listed.carers[0];
    assert_eq!((link.next_change.as_deref(), link.next_change_age), (Some("not_private"), Some(13)));
    assert_eq!(link.review_at.as_deref(), Some("2027-04-10T00:00:00.000000Z"));
    let link_id = link.id.clone();

    let state = state_of(&app);
    assert_eq!(coming_of_age::run_once(&state).await.unwrap(), Outcome::default(), "nothing yet");

    // Three months before the 13th birthday: one warning, however many jobs run.
    app.clock.advance(Duration::days(46));
    let (a, b) = tokio::join!(coming_of_age::run_once(&state), coming_of_age::run_once(&state));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.warned + b.warned, 1, "{a:?} {b:?}");
    assert_eq!(coming_of_age::run_once(&state).await.unwrap(), Outcome::default());
    assert_eq!(outbox_keys(&app, "carer-band-warning:").await, [format!("carer-band-warning:{link_id}:13")]);
    let (subject, body): (String, String) =
        sqlx::query_as("SELECT subject, body_text FROM outbox WHERE idempotency_key LIKE 'carer-band-warning:%'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(subject.starts_with("What you see of") && body.contains("10 April 2027"), "{subject}\n{body}");
    assert!(body.contains("sensitive"), "{body}");

    // The birthday: two jobs narrow it once; the parent no longer sees the sensitive entry.
    app.clock.advance(Duration::days(90) + Duration::hours(15) + Duration::minutes(1));
    let (a, b) = tokio::join!(coming_of_age::run_once(&state), coming_of_age::run_once(&state));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.narrowed + b.narrowed, 1, "{a:?} {b:?}");
    assert_eq!(a.invited + b.invited, 0, "13 is not the invitation age");
    let dad = signed_in_parent(&app).await;
    let opened = seen_by(&app, &dad, &child).await.unwrap();
    assert_eq!(opened.carer.unwrap().access_level, AccessLevel::NotPrivate);
    let titles: Vec<&str> = opened.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Clinic letter"]);
    assert!(app.audit_actions().await.contains(&"carer_link_narrowed".to_owned()));

    // A professional keeps it as it is past 16, until 1 June 2030, with a reason.
    let asha = signed_in(&app, ASHA).await;
    let extend = format!("/api/v1/staff/records/{child}/carers/{link_id}/extend");
    let response = post(&app, &asha, &extend, json!({ "until": "", "reason": " " })).await;
    assert_eq!(fields(&problem(response).await), ["until", "reason"]);
    let response = post(&app, &asha, &extend, json!({ "until": "2030-03-01", "reason": "Exams" })).await;
    let body = problem(response).await;
    assert_eq!(fields(&body), ["until"]);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("10 April 2030"), "{body}");
    let response = post(&app, &asha, &extend, json!({ "until": "2032-04-11", "reason": "Exams" })).await;
    assert!(problem(response).await["errors"][0]["message"].as_str().unwrap().contains("18th birthday"));
    let reason = "Their mother supports them through treatment until the summer; agreed with the young person";
    let response = post(&app, &asha, &extend, json!({ "until": "2030-06-01", "reason": reason })).await;
    assert_eq!(response.status(), 204);
    let link = &carers_of(&app, &asha, &child).await.carers[0];
    assert_eq!(link.extended_until.as_deref(), Some("2030-06-01T00:00:00.000000Z"));
    assert_eq!(link.extension_reason.as_deref(), Some(reason));
    assert_eq!(link.review_at.as_deref(), Some("2030-06-01T00:00:00.000000Z"));
    assert_eq!(outbox_keys(&app, "carer-band-extended:").await.len(), 1, "the parent told");
    assert!(app.audit_actions().await.contains(&"carer_link_extended".to_owned()));
    // A receptionist may not; nor may anyone extend a link that is not a parent's.
    let sam = signed_in(&app, crate::helpers::SAM).await;
    assert_eq!(post(&app, &sam, &extend, json!({ "until": "2030-07-01", "reason": "x" })).await.status(), 403);

    // The 16th birthday: the band waits for the extension; the young person is invited.
    app.clock.advance(Duration::days(365 * 3 + 1));
    let done = coming_of_age::run_once(&state).await.unwrap();
    assert_eq!((done.marked_for_review, done.narrowed, done.ended, done.invited), (0, 0, 0, 1), "{done:?}");
    // The extension's day: the review the band asked for.
    app.clock.advance(Duration::days(52));
    let done = coming_of_age::run_once(&state).await.unwrap();
    assert_eq!(done.marked_for_review, 1, "{done:?}");
    let asha = signed_in(&app, ASHA).await;
    let link = &carers_of(&app, &asha, &child).await.carers[0];
    assert!(link.review_due_since.is_some() && link.extended_until.is_none());
    assert_eq!((link.next_change.as_deref(), link.next_change_age), (Some("end"), Some(18)));
    // Three months before 18, the warning; on the birthday, the end.
    app.clock.advance(Duration::days(592));
    assert_eq!(coming_of_age::run_once(&state).await.unwrap(), Outcome { warned: 1, ..Default::default() });
    app.clock.advance(Duration::days(100));
    let done = coming_of_age::run_once(&state).await.unwrap();
    assert_eq!(done.ended, 1, "{done:?}");
    let dad = signed_in_parent(&app).await;
    assert!(seen_by(&app, &dad, &child).await.is_none());
    let warnings = outbox_keys(&app, "carer-band-warning:").await;
    assert_eq!(warnings.len(), 3, "13, 16 and 18: {warnings:?}");
}

async fn signed_in_parent(app: &TestApp) -> Client {
    let client = crate::helpers::browser();
    assert_eq!(app.sign_in_as(&client, PARENT, GOOD_PASSWORD).await.status(), 200);
    client
}

async fn age_bands_already_past_narrow_a_new_parent(engine: Engine) {
    let app = spawn_app(engine).await;
    without_demo_links(&app).await;
    let child = child_record(&app, 3, "2012-01-20").await;
    entries(&app, &child).await;
    let asha = signed_in(&app, ASHA).await;
    let set = bands(&[(13, "not_private"), (18, "end")], 16);
    assert_eq!(asha.put(app.url(SETTINGS)).json(&set).send().await.unwrap().status(), 200);
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{child}/carers"), parent(PARENT)).await;
    let invitation: CarerInvitationView = response.json().await.unwrap();
    assert_eq!(invitation.access_level, AccessLevel::NotPrivate, "14: past the band at 13");
    let dad = register_carer(&app, PARENT, "Pat Parent").await;
    let opened = seen_by(&app, &dad, &child).await.unwrap();
    assert_eq!(opened.entries.len(), 1);
    let link = &carers_of(&app, &asha, &child).await.carers[0];
    assert_eq!((link.next_change.as_deref(), link.next_change_age), (Some("end"), Some(18)));
    // Past the end band, no parent is added.
    let set = bands(&[(13, "end")], 13);
    assert_eq!(asha.put(app.url(SETTINGS)).json(&set).send().await.unwrap().status(), 200);
    let other = child_record(&app, 4, "2012-01-20").await;
    let response = post(&app, &asha, &format!("/api/v1/staff/records/{other}/carers"), parent(PARENT)).await;
    assert_eq!(problem(response).await["type"], "child-already-of-age");
    // The settings change moved the open link to the new end, already past: the job ends it.
    let done = coming_of_age::run_once(&state_of(&app)).await.unwrap();
    assert_eq!((done.ended, done.invited), (1, 1), "{done:?}");
}

crate::on_both_engines!(
    age_bands_are_refused_field_by_field,
    age_bands_warn_narrow_extend_review_and_end,
    age_bands_already_past_narrow_a_new_parent,
);
