//! A patient's own record: reachable for its owner only, a timeline of
//! entries, and never the safeguarding flag.

use portico_server::db::Engine;
use portico_types::api::MyRecordResponse;
use serde_json::json;

use crate::fhir::{NHS, feed_key, post_fhir, uk_patient};
use crate::helpers::{DEMO_PASSWORD, browser, patient_account, spawn_app};

async fn the_owner_sees_their_timeline_and_nobody_else_does(engine: Engine) {
    let app = spawn_app(engine).await;
    let (key, _) = feed_key(&app).await;
    assert_eq!(
        post_fhir(&app, &key, "/Patient", &uk_patient("p", "9991000003", "Pat", "Ient", "1975-06-01")).await.0,
        201
    );
    for (id, day) in [("r1", "2026-11-01"), ("r2", "2026-11-20")] {
        let result = json!({ "resourceType": "Observation", "id": id, "subject": { "identifier": { "system": NHS, "value": "9991000003" } },
            "code": { "text": "Cholesterol" }, "effectiveDateTime": day, "valueQuantity": { "value": 4.2, "unit": "mmol/L" } });
        assert_eq!(post_fhir(&app, &key, "/Observation", &result).await.0, 201);
    }
    let owner = patient_account(&app).await;
    // Registration (a later issue) links account and record; here the test does it.
    sqlx::query("UPDATE records SET owner_account_id = (SELECT id FROM accounts WHERE email = $1) WHERE nhs_number = '9991000003'")
        .bind(&owner)
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO exclusions (record_id, reason, note, set_by, set_at) \
         SELECT id, 'other', 'secret note', owner_account_id, '2026-11-25T09:00:00.000000Z' FROM records WHERE nhs_number = '9991000003'",
    )
    .execute(&app.db.pool)
        .await
        .unwrap();

    let patient = browser();
    assert_eq!(patient.get(app.url("/api/v1/me/record")).send().await.unwrap().status(), 401);
    app.sign_in_as(&patient, &owner, DEMO_PASSWORD).await;
    let response = patient.get(app.url("/api/v1/me/record")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains("secret note") && !text.contains("exclusion"), "{text}");
    let mine: MyRecordResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(mine.given_name, "Pat");
    let days: Vec<&str> = mine.entries.iter().map(|e| &e.occurred_at[..10]).collect();
    assert_eq!(days, ["2026-11-20", "2026-11-01"]);

    // A professional without a record of their own has none to see here.
    let staff = browser();
    app.sign_in_as(&staff, crate::helpers::SAM, DEMO_PASSWORD).await;
    assert_eq!(staff.get(app.url("/api/v1/me/record")).send().await.unwrap().status(), 404);
}

crate::on_both_engines!(the_owner_sees_their_timeline_and_nobody_else_does);
