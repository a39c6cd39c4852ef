//! A record's history on the staff side: each version, who or what made it in
//! plain words, and which details it changed; and the name of whoever set
//! an exclusion.

use portico_server::db::Engine;
use portico_server::records::details::PatientDetails;
use portico_server::records::store::{ChangedBy, upsert_patient};
use portico_types::api::{RecordDetailResponse, RecordHistoryResponse};
use portico_types::{DateOfBirth, NhsNumber, Postcode};
use serde_json::json;
use time::macros::datetime;

use crate::fhir::{feed_key, post_fhir, uk_patient};
use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, TestApp, browser, problem, spawn_app};

const MORGAN: &str = "morgan.reid@demo.portico.example";

async fn history_as(app: &TestApp, who: &str, record_id: &str) -> RecordHistoryResponse {
    let client = browser();
    app.sign_in_as(&client, who, DEMO_PASSWORD).await;
    let response = client.get(app.url(&format!("/api/v1/staff/records/{record_id}/history"))).send().await.unwrap();
    assert_eq!(response.status(), 200, "{who}");
    response.json().await.unwrap()
}

async fn record_id_of(app: &TestApp, nhs: &str) -> String {
    sqlx::query_scalar("SELECT id FROM records WHERE nhs_number = $1").bind(nhs).fetch_one(&app.db.pool).await.unwrap()
}

async fn a_feed_update_shows_who_sent_it_and_what_changed(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let mut patient = uk_patient("p1", "9991000003", "Gwen", "Hart", "1985-01-01");
    assert_eq!(post_fhir(&app, &key, "/Patient", &patient).await.0, 201);
    patient["meta"]["lastUpdated"] = json!("2026-11-21T10:00:00Z");
    patient["name"][0]["family"] = json!("Hart-Jones");
    patient["address"][0]["postalCode"] = json!("LS2 7UE");
    app.clock.advance(time::Duration::hours(1));
    assert_eq!(post_fhir(&app, &key, "/Patient", &patient).await.0, 200);

    // A receptionist of the team reads it: history is part of the record.
    let history = history_as(&app, SAM, &record_id_of(&app, "9991000003").await).await;
    assert_eq!(history.total, 2);
    let [newest, first] = history.versions.as_slice() else { panic!("two versions: {history:?}") };
    assert_eq!((newest.version, first.version), (2, 1));
    assert_eq!(newest.changed_by, "FHIR feed (Mirth test)");
    assert_eq!(newest.source, "fhir");
    assert_eq!(newest.changed_fields, ["family_name", "postcode"]);
    assert_eq!(newest.changed_at, "2026-11-25T10:00:00.000000Z");
    assert!(first.changed_fields.is_empty(), "the first version is the record's creation");
    assert_eq!(first.changed_at, "2026-11-25T09:00:00.000000Z");
}

async fn uploads_and_hl7_messages_are_named_in_plain_words(engine: Engine) {
    let app = spawn_app(engine).await;
    let team_id: String =
        sqlx::query_scalar("SELECT id FROM teams WHERE slug = 'diabetes'").fetch_one(&app.db.pool).await.unwrap();
    let asha: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(ASHA)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let mut details = PatientDetails {
        nhs_number: Some(NhsNumber::parse("9991000011").unwrap()),
        given_name: "Ida".into(),
        family_name: "Moss".into(),
        date_of_birth: DateOfBirth::from_stored("1990-05-05").unwrap(),
        email: None,
        mobile: None,
        address_lines: vec![],
        postcode: None,
        gp_ods_code: None,
    };
    let sources = [ChangedBy("hl7:LAB-SYSTEM".into()), ChangedBy(format!("csv:{asha}"))];
    for (i, by) in sources.iter().enumerate() {
        details.postcode = Some(Postcode::parse(["LS1 5AB", "LS6 2QT"][i]).unwrap());
        let mut tx = app.db.begin_write().await.unwrap();
        upsert_patient(&mut tx, engine, &team_id, &details, None, by, datetime!(2026-11-25 09:00 UTC)).await.unwrap();
        tx.commit().await.unwrap();
    }
    let history = history_as(&app, ASHA, &record_id_of(&app, "9991000011").await).await;
    let words: Vec<(&str, &str)> =
        history.versions.iter().map(|v| (v.source.as_str(), v.changed_by.as_str())).collect();
    assert_eq!(words, [("csv", "CSV upload by Dr Asha Patel"), ("hl7", "HL7 from LAB-SYSTEM")]);
    assert_eq!(history.versions[0].changed_fields, ["postcode"]);
}

async fn the_demo_patient_has_a_history_to_show(engine: Engine) {
    let app = spawn_app(engine).await;
    let owned: String = sqlx::query_scalar(
        "SELECT r.id FROM records r JOIN accounts a ON a.id = r.owner_account_id WHERE a.email = $1",
    )
    .bind(portico_server::demo::DEMO_PATIENT_EMAIL)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let history = history_as(&app, SAM, &owned).await;
    let lines: Vec<(i64, &str, Vec<String>)> =
        history.versions.iter().map(|v| (v.version, v.changed_by.as_str(), v.changed_fields.clone())).collect();
    let changed: Vec<String> = ["address_lines", "postcode", "gp_ods_code"].map(str::to_owned).to_vec();
    assert_eq!(lines, [(2, "CSV upload by Dr Asha Patel", changed), (1, "HL7 from DEMO-PAS", vec![])]);
    app.signed_in(SAM).await;
    let detail: RecordDetailResponse = app.get(&format!("/api/v1/staff/records/{owned}")).await.json().await.unwrap();
    assert_eq!(detail.record.version, 2);
    assert_eq!(detail.record.postcode.unwrap().as_str(), "LS1 4DY");
    assert_eq!(detail.entries.len(), 3, "the upload left the entries alone");
}

async fn a_long_history_comes_newest_first_and_capped(engine: Engine) {
    let app = spawn_app(engine).await;
    let team_id: String =
        sqlx::query_scalar("SELECT id FROM teams WHERE slug = 'diabetes'").fetch_one(&app.db.pool).await.unwrap();
    let mut details = PatientDetails {
        nhs_number: Some(NhsNumber::parse("9991000038").unwrap()),
        given_name: "Rae".into(),
        family_name: "Cole".into(),
        date_of_birth: DateOfBirth::from_stored("1970-02-02").unwrap(),
        email: None,
        mobile: None,
        address_lines: vec![],
        postcode: None,
        gp_ods_code: None,
    };
    let mut tx = app.db.begin_write().await.unwrap();
    for n in 0..55 {
        details.address_lines = vec![format!("{n} Long Lane")];
        upsert_patient(
            &mut tx,
            engine,
            &team_id,
            &details,
            None,
            &ChangedBy("hl7:PAS".into()),
            datetime!(2026-11-25 09:00 UTC),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let history = history_as(&app, SAM, &record_id_of(&app, "9991000038").await).await;
    assert_eq!((history.total, history.versions.len()), (55, 50));
    assert_eq!((history.versions[0].version, history.versions[49].version), (55, 6));
    assert_eq!(history.versions[49].changed_fields, ["address_lines"], "the oldest shown is compared too");
}

async fn history_is_only_for_staff_of_the_record_s_teams(engine: Engine) {
    let app = spawn_app(engine).await;
    let respiratory_only: String = sqlx::query_scalar(
        "SELECT tr.record_id FROM team_records tr JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'respiratory' \
         AND NOT EXISTS (SELECT 1 FROM team_records o JOIN teams ot ON ot.id = o.team_id \
         WHERE o.record_id = tr.record_id AND ot.slug = 'diabetes') ORDER BY tr.record_id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let path = format!("/api/v1/staff/records/{respiratory_only}/history");
    assert_eq!(app.get(&path).await.status(), 401);
    app.signed_in(ASHA).await; // diabetes only
    let theirs = app.get(&path).await;
    assert_eq!(theirs.status(), 404, "another team's record looks like a missing one");
    let missing = app.get("/api/v1/staff/records/no-such-record/history").await;
    assert_eq!(problem(theirs).await, problem(missing).await);
    let patient = crate::helpers::patient_account(&app).await;
    let client = browser();
    app.sign_in_as(&client, &patient, DEMO_PASSWORD).await;
    assert_eq!(client.get(app.url(&path)).send().await.unwrap().status(), 403);
}

async fn the_flag_names_who_set_it(engine: Engine) {
    let app = spawn_app(engine).await;
    let record_id: String = sqlx::query_scalar("SELECT id FROM records WHERE owner_account_id IS NOT NULL")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let morgan = browser();
    app.sign_in_as(&morgan, MORGAN, DEMO_PASSWORD).await;
    let set = morgan
        .put(app.url(&format!("/api/v1/staff/records/{record_id}/exclusion")))
        .json(&json!({ "reason": "clinical_decision", "note": "Discussed at MDT" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let answer: portico_types::api::ExclusionView = set.json().await.unwrap();
    assert_eq!(answer.set_by_name, "Morgan Reid");
    let seen: RecordDetailResponse =
        morgan.get(app.url(&format!("/api/v1/staff/records/{record_id}"))).send().await.unwrap().json().await.unwrap();
    let flag = seen.exclusion.unwrap();
    assert_eq!((flag.set_by_name.as_str(), flag.set_at.as_str()), ("Morgan Reid", "2026-11-25T09:00:00.000000Z"));
}

crate::on_both_engines!(
    a_feed_update_shows_who_sent_it_and_what_changed,
    uploads_and_hl7_messages_are_named_in_plain_words,
    the_demo_patient_has_a_history_to_show,
    a_long_history_comes_newest_first_and_capped,
    history_is_only_for_staff_of_the_record_s_teams,
    the_flag_names_who_set_it,
);
