//! The FHIR feed: UK Core-shaped patients, Bundles (transaction and batch),
//! entries, idempotency and history, and the published R4 examples.

use portico_server::db::Engine;
use serde_json::{Value, json};

use crate::helpers::{ASHA, TestApp, browser, spawn_app};

pub const NHS: &str = "https://fhir.nhs.uk/Id/nhs-number";

/// Asha (admin of the Diabetes Clinic) creates a feed key for her team.
pub async fn feed_key(app: &TestApp) -> (String, String) {
    let client = browser();
    app.sign_in_as(&client, ASHA, crate::helpers::DEMO_PASSWORD).await;
    let teams: portico_types::api::TeamsResponse =
        client.get(app.url("/api/v1/staff/teams")).send().await.unwrap().json().await.unwrap();
    let team = teams.teams.into_iter().find(|t| t.slug == "diabetes").unwrap();
    let response = client
        .post(app.url(&format!("/api/v1/staff/teams/{}/feed-keys", team.id)))
        .json(&json!({ "name": "Mirth test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let key: portico_types::api::FeedKeyView = response.json().await.unwrap();
    (key.key.unwrap(), team.id)
}

pub async fn post_fhir(app: &TestApp, key: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/feeds/fhir{path}")))
        .bearer_auth(key)
        .header("content-type", "application/fhir+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/fhir+json", "status {status}");
    (status, response.json().await.unwrap())
}

/// A UK Core-shaped Patient.
pub fn uk_patient(id: &str, nhs: &str, given: &str, family: &str, dob: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "id": id,
        "meta": { "lastUpdated": "2026-11-20T10:00:00Z" },
        "identifier": [{ "system": NHS, "value": nhs }],
        "name": [{ "use": "official", "family": family, "given": [given] }],
        "birthDate": dob,
        "telecom": [
            { "system": "email", "value": format!("{}@patients.example", given.to_lowercase()) },
            { "system": "phone", "value": "07700 900123", "use": "mobile" }
        ],
        "address": [{ "use": "home", "line": ["1 Park Row"], "city": "Leeds", "postalCode": "LS1 5AB" }],
        "generalPractitioner": [{ "identifier": { "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B86001" } }]
    })
}

async fn versions(app: &TestApp, nhs: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.nhs_number = $1",
    )
    .bind(nhs)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn a_patient_is_created_then_updated_with_history_and_repeats_change_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let patient = uk_patient("p1", "9991000003", "Alys", "Hughes", "1980-02-29");
    let (status, outcome) = post_fhir(&app, &key, "/Patient", &patient).await;
    assert_eq!(status, 201, "{outcome}");
    assert_eq!(outcome["resourceType"], "OperationOutcome");

    let (status, _) = post_fhir(&app, &key, "/Patient", &patient).await;
    assert_eq!(status, 200, "the same message again");
    assert_eq!(versions(&app, "9991000003").await, 1, "a repeat adds no version");

    let mut newer = patient.clone();
    newer["meta"]["lastUpdated"] = json!("2026-11-21T10:00:00Z");
    newer["name"][0]["family"] = json!("Hughes-Pryce");
    assert_eq!(post_fhir(&app, &key, "/Patient", &newer).await.0, 200);
    assert_eq!(versions(&app, "9991000003").await, 2);

    // An older message arriving late does not undo the newer one.
    let mut older = patient.clone();
    older["meta"]["lastUpdated"] = json!("2026-11-19T10:00:00Z");
    older["name"][0]["family"] = json!("Old-Name");
    assert_eq!(post_fhir(&app, &key, "/Patient", &older).await.0, 200);
    let family: String = sqlx::query_scalar("SELECT family_name FROM records WHERE nhs_number = '9991000003'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(family, "Hughes-Pryce");
    let changed_by: Vec<String> = sqlx::query_scalar(
        "SELECT v.changed_by FROM record_versions v JOIN records r ON r.id = v.record_id \
         WHERE r.nhs_number = '9991000003' ORDER BY v.version",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(changed_by.iter().all(|c| c.starts_with("fhir:")), "{changed_by:?}");
}

async fn a_transaction_with_one_bad_patient_writes_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            { "fullUrl": "urn:uuid:a", "resource": uk_patient("a", "9991000003", "Bea", "Ames", "1970-01-01") },
            { "fullUrl": "urn:uuid:b", "resource": uk_patient("b", "9991000011", "Cai", "Bell", "1971-02-30") },
            { "fullUrl": "urn:uuid:c", "resource": uk_patient("c", "1234567890", "Dee", "Cole", "1972-03-03") },
        ]
    });
    let (status, outcome) = post_fhir(&app, &key, "", &bundle).await;
    assert_eq!(status, 400);
    let issues = outcome["issue"].as_array().unwrap();
    let where_: Vec<&str> = issues.iter().map(|i| i["expression"][0].as_str().unwrap()).collect();
    assert!(where_.contains(&"Bundle.entry[1].resource.Patient.birthDate"), "{outcome}");
    assert!(where_.contains(&"Bundle.entry[2].resource.Patient.identifier[0].value"), "{outcome}");
    let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE nhs_number LIKE '99910%'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(records, 0, "nothing is half-written");
}

async fn a_batch_writes_the_good_entries_and_reports_the_bad(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, team_id) = feed_key(&app).await;
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            { "fullUrl": "urn:uuid:a", "resource": uk_patient("a", "9991000003", "Bea", "Ames", "1970-01-01") },
            { "resource": uk_patient("b", "9991000011", "Cai", "Bell", "2099-01-01") },
            { "resource": { "resourceType": "Observation", "id": "hba1c-1", "subject": { "reference": "urn:uuid:a" },
                "code": { "text": "HbA1c" }, "effectiveDateTime": "2026-11-01T09:30:00Z",
                "valueQuantity": { "value": 48, "unit": "mmol/mol" } } },
            { "resource": { "resourceType": "DocumentReference", "id": "letter-1",
                "subject": { "identifier": { "system": NHS, "value": "9991000003" } },
                "type": { "text": "Clinic letter" }, "date": "2026-11-02T12:00:00Z", "description": "Diabetes review" } },
            { "resource": { "resourceType": "Appointment", "id": "appt-1", "status": "booked", "start": "2026-12-01T10:00:00Z",
                "serviceType": [{ "text": "Diabetes clinic" }],
                "participant": [{ "actor": { "reference": "urn:uuid:a" } }] } },
            { "resource": { "resourceType": "Observation", "id": "orphan", "subject": { "identifier": { "system": NHS, "value": "9434765919" } },
                "code": { "text": "Potassium" }, "effectiveDateTime": "2026-11-01" } },
            { "resource": { "resourceType": "Medication", "id": "m1" } },
        ]
    });
    let (status, response) = post_fhir(&app, &key, "", &bundle).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["type"], "batch-response");
    let statuses: Vec<&str> =
        response["entry"].as_array().unwrap().iter().map(|e| e["response"]["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "201 Created",
            "400 Bad Request",
            "201 Created",
            "201 Created",
            "201 Created",
            "404 Not Found",
            "400 Bad Request"
        ]
    );

    // The entries are on the record, newest first, for staff to see.
    let staff = browser();
    app.sign_in_as(&staff, ASHA, crate::helpers::DEMO_PASSWORD).await;
    let record_id =
        response["entry"][0]["response"]["location"].as_str().unwrap().trim_start_matches("Patient/").to_owned();
    let detail: portico_types::api::RecordDetailResponse =
        staff.get(app.url(&format!("/api/v1/staff/records/{record_id}"))).send().await.unwrap().json().await.unwrap();
    let titles: Vec<&str> = detail.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Diabetes clinic", "Clinic letter", "HbA1c"]);
    assert_eq!(detail.entries[2].body.as_deref(), Some("48 mmol/mol"));
    assert_eq!(detail.record.postcode.unwrap().as_str(), "LS1 5AB");
    assert_eq!(detail.record.mobile.unwrap().e164(), "+447700900123");
    assert_eq!(detail.teams.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), [team_id.as_str()]);

    // Sending the batch again changes nothing.
    let (_, again) = post_fhir(&app, &key, "", &bundle).await;
    let statuses: Vec<&str> =
        again["entry"].as_array().unwrap().iter().map(|e| e["response"]["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        ["200 OK", "400 Bad Request", "200 OK", "200 OK", "200 OK", "404 Not Found", "400 Bad Request"]
    );
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE record_id = $1")
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(entries, 3);
}

async fn a_patient_without_an_nhs_number_is_matched_by_name_birth_date_and_postcode(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let mut patient = uk_patient("x", "", "Eli", "Ford", "1990-05-05");
    patient["identifier"] = json!([]);
    assert_eq!(post_fhir(&app, &key, "/Patient", &patient).await.0, 201);
    assert_eq!(post_fhir(&app, &key, "/Patient", &patient).await.0, 200, "matched, not duplicated");
    // Later the NHS number arrives: the same record gains it.
    let with_number = uk_patient("x", "9991000003", "Eli", "Ford", "1990-05-05");
    assert_eq!(post_fhir(&app, &key, "/Patient", &with_number).await.0, 200);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE search_name = 'eli ford'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    // A different postcode is a different person as far as the rule goes.
    let mut elsewhere = patient.clone();
    elsewhere["address"][0]["postalCode"] = json!("M1 1AE");
    assert_eq!(post_fhir(&app, &key, "/Patient", &elsewhere).await.0, 201);
}

async fn feed_requests_are_refused_without_a_live_key(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, team_id) = feed_key(&app).await;
    let patient = uk_patient("p", "9991000003", "Fay", "Gill", "1980-01-01");
    assert_eq!(post_fhir(&app, "", "/Patient", &patient).await.0, 401);
    assert_eq!(post_fhir(&app, "portico_fk_0000", "/Patient", &patient).await.0, 401);
    // Revoked by the team admin: refused at once.
    let staff = browser();
    app.sign_in_as(&staff, ASHA, crate::helpers::DEMO_PASSWORD).await;
    let keys: portico_types::api::FeedKeysResponse = staff
        .get(app.url(&format!("/api/v1/staff/teams/{team_id}/feed-keys")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(keys.keys[0].key.is_none(), "a key is shown only once");
    let revoked = staff
        .delete(app.url(&format!("/api/v1/staff/teams/{team_id}/feed-keys/{}", keys.keys[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let (status, outcome) = post_fhir(&app, &key, "/Patient", &patient).await;
    assert_eq!(status, 401);
    assert_eq!(outcome["issue"][0]["code"], "login");
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"feed_key_created".into()) && actions.contains(&"feed_key_revoked".into()));
}

async fn only_a_team_admin_manages_feed_keys(engine: Engine) {
    let app = spawn_app(engine).await;
    let (_, team_id) = feed_key(&app).await;
    let sam = browser();
    app.sign_in_as(&sam, crate::helpers::SAM, crate::helpers::DEMO_PASSWORD).await;
    let response = sam
        .post(app.url(&format!("/api/v1/staff/teams/{team_id}/feed-keys")))
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

async fn malformed_feed_input_gets_a_clear_outcome(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let client = reqwest::Client::new();
    let send = |body: String, content_type: &'static str| {
        client
            .post(app.url("/api/v1/feeds/fhir"))
            .bearer_auth(&key)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_eq!(send("{not json".into(), "application/fhir+json").await.unwrap().status(), 400);
    assert_eq!(send("{}".into(), "text/plain").await.unwrap().status(), 415);
    assert_eq!(
        send(json!({"resourceType": "Bundle", "type": "collection"}).to_string(), "application/fhir+json")
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        send(json!({"resourceType": "Patient"}).to_string(), "application/fhir+json").await.unwrap().status(),
        400
    );
    let huge = format!("{{\"resourceType\":\"Bundle\",\"pad\":\"{}\"}}", "x".repeat(33 * 1024 * 1024));
    assert_eq!(send(huge, "application/fhir+json").await.unwrap().status(), 413);
}

async fn every_published_r4_example_gets_an_answer_and_never_a_server_error(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir/node_modules/hl7.fhir.r4.examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} is missing: run scripts/setup --test", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            ["Patient-", "DocumentReference-", "Observation-", "Appointment-"].iter().any(|k| name.starts_with(k))
                && name.ends_with(".json")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 80, "found {} examples", files.len());
    let mut created = Vec::new();
    for file in &files {
        let resource: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let kind = resource["resourceType"].as_str().unwrap().to_owned();
        let (status, outcome) = post_fhir(&app, &key, &format!("/{kind}"), &resource).await;
        assert!(matches!(status, 200 | 201 | 400 | 404), "{}: {status} {outcome}", file.display());
        assert_eq!(outcome["resourceType"], "OperationOutcome", "{}", file.display());
        if status == 201 {
            created.push(resource);
        }
    }
    // The published patients with a full name and birth date (and no non-UK
    // "mobile") become records; sent again, they change nothing.
    assert!(created.len() >= 5, "created {}", created.len());
    for resource in &created {
        let kind = resource["resourceType"].as_str().unwrap();
        assert_eq!(post_fhir(&app, &key, &format!("/{kind}"), resource).await.0, 200, "{resource}");
    }
}

crate::on_both_engines!(
    a_patient_is_created_then_updated_with_history_and_repeats_change_nothing,
    a_transaction_with_one_bad_patient_writes_nothing,
    a_batch_writes_the_good_entries_and_reports_the_bad,
    a_patient_without_an_nhs_number_is_matched_by_name_birth_date_and_postcode,
    feed_requests_are_refused_without_a_live_key,
    only_a_team_admin_manages_feed_keys,
    malformed_feed_input_gets_a_clear_outcome,
    every_published_r4_example_gets_an_answer_and_never_a_server_error,
);
