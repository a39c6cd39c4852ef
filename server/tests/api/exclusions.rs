//! Safeguarding exclusions: set and lifted by a safeguarding lead, audited,
//! shown only to staff who may see them, and left out of the invitable records.

use portico_server::db::Engine;
use portico_server::records::exclusions::records_invitable_by_team;
use portico_types::api::RecordDetailResponse;
use serde_json::json;

use crate::fhir::{feed_key, post_fhir, uk_patient};
use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, TestApp, browser, spawn_app};

const MORGAN: &str = "morgan.reid@demo.portico.example";

async fn a_record_in_both_teams(app: &TestApp) -> (String, String) {
    // Sam is in both teams; find a record the Diabetes Clinic holds.
    let sam = browser();
    app.sign_in_as(&sam, SAM, DEMO_PASSWORD).await;
    let teams: portico_types::api::TeamsResponse =
        sam.get(app.url("/api/v1/staff/teams")).send().await.unwrap().json().await.unwrap();
    let diabetes = teams.teams.into_iter().find(|t| t.slug == "diabetes").unwrap();
    let page: portico_types::api::RecordSearchResponse = sam
        .get(app.url(&format!("/api/v1/staff/teams/{}/records", diabetes.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (page.records[0].id.clone(), diabetes.id)
}

async fn detail(app: &TestApp, who: &str, record_id: &str) -> RecordDetailResponse {
    let client = browser();
    app.sign_in_as(&client, who, DEMO_PASSWORD).await;
    let response = client.get(app.url(&format!("/api/v1/staff/records/{record_id}"))).send().await.unwrap();
    assert_eq!(response.status(), 200, "{who}");
    response.json().await.unwrap()
}

async fn a_safeguarding_lead_sets_and_lifts_an_exclusion(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, team_id) = a_record_in_both_teams(&app).await;
    assert!(records_invitable_by_team(&app.db, &team_id).await.unwrap().contains(&record_id));

    let morgan = browser();
    app.sign_in_as(&morgan, MORGAN, DEMO_PASSWORD).await;
    let url = app.url(&format!("/api/v1/staff/records/{record_id}/exclusion"));
    let set = morgan
        .put(&url)
        .json(&json!({ "reason": "safeguarding_concern", "note": "Concern raised at clinic" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);

    // Left out of the invitable records; the flag shows to the lead and clinicians only.
    assert!(!records_invitable_by_team(&app.db, &team_id).await.unwrap().contains(&record_id));
    let seen = detail(&app, MORGAN, &record_id).await;
    assert_eq!(seen.exclusion.as_ref().unwrap().reason, "safeguarding_concern");
    assert!(seen.may_manage_exclusion);
    assert_eq!(detail(&app, ASHA, &record_id).await.exclusion.unwrap().note, "Concern raised at clinic");
    let receptionist = detail(&app, SAM, &record_id).await;
    assert!(receptionist.exclusion.is_none() && !receptionist.may_manage_exclusion);

    let lift =
        morgan.post(format!("{url}/lift")).json(&json!({ "note": "Reviewed with social care" })).send().await.unwrap();
    assert_eq!(lift.status(), 204);
    assert!(records_invitable_by_team(&app.db, &team_id).await.unwrap().contains(&record_id));
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"exclusion_set".into()) && actions.contains(&"exclusion_lifted".into()));
}

async fn only_a_safeguarding_lead_may_set_one_and_only_with_a_reason(engine: Engine) {
    let app = spawn_app(engine).await;
    let (record_id, _) = a_record_in_both_teams(&app).await;
    let url = app.url(&format!("/api/v1/staff/records/{record_id}/exclusion"));
    let asha = browser();
    app.sign_in_as(&asha, ASHA, DEMO_PASSWORD).await;
    let body = json!({ "reason": "court_order", "note": "x" });
    assert_eq!(asha.put(&url).json(&body).send().await.unwrap().status(), 403);
    let morgan = browser();
    app.sign_in_as(&morgan, MORGAN, DEMO_PASSWORD).await;
    let bad = morgan.put(&url).json(&json!({ "reason": "because", "note": " " })).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    let problem: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let missing = morgan.post(format!("{url}/lift")).json(&json!({ "note": "n" })).send().await.unwrap();
    assert_eq!(missing.status(), 404, "nothing to lift");
    let elsewhere =
        morgan.put(app.url("/api/v1/staff/records/not-a-record/exclusion")).json(&body).send().await.unwrap();
    assert_eq!(elsewhere.status(), 404);
}

async fn an_excluded_record_keeps_receiving_feed_data(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, team_id) = feed_key(&app).await;
    let (status, _) =
        post_fhir(&app, &key, "/Patient", &uk_patient("p", "9991000003", "Gwen", "Hart", "1985-01-01")).await;
    assert_eq!(status, 201);
    let record_id: String = sqlx::query_scalar("SELECT id FROM records WHERE nhs_number = '9991000003'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let morgan = browser();
    app.sign_in_as(&morgan, MORGAN, DEMO_PASSWORD).await;
    let set = morgan
        .put(app.url(&format!("/api/v1/staff/records/{record_id}/exclusion")))
        .json(&json!({ "reason": "court_order", "note": "Order of 1 Nov" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let result = json!({ "resourceType": "Observation", "id": "r1", "subject": { "identifier": { "system": crate::fhir::NHS, "value": "9991000003" } },
        "code": { "text": "Blood glucose" }, "effectiveDateTime": "2026-11-24T08:00:00Z", "valueQuantity": { "value": 6.1, "unit": "mmol/L" } });
    assert_eq!(post_fhir(&app, &key, "/Observation", &result).await.0, 201);
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE record_id = $1")
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(entries, 1);
    assert!(!records_invitable_by_team(&app.db, &team_id).await.unwrap().contains(&record_id));
}

crate::on_both_engines!(
    a_safeguarding_lead_sets_and_lifts_an_exclusion,
    only_a_safeguarding_lead_may_set_one_and_only_with_a_reason,
    an_excluded_record_keeps_receiving_feed_data,
);
