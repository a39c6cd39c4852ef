//! Invitations held until the record has something to see: a cohort leaves
//! out, or holds, records with no entry yet; a held invitation goes out by
//! itself once an entry arrives (by the FHIR feed, or any other way); the
//! team's setting is the default, and only its admins change it.

use portico_server::clock::{Clock as _, stored};
use portico_server::db::Engine;
use portico_types::api::{CampaignView, CohortPreview, InvitationSettings};
use reqwest::Client;
use serde_json::{Value, json};

use crate::campaigns::{app_with_paced_notify, campaign, exclude, only_in, post, team_id, texts_sent, until};
use crate::fhir::{NHS, feed_key, post_fhir};
use crate::helpers::{DEMO_PASSWORD, Options, SAM, TestApp, browser, eventually, spawn_app_configured};
use crate::invitations::admin;

const JORDAN: &str = "jordan.hughes@demo.portico.example";

/// Records only in the diabetes team that have `column` (e.g. `mobile`), as (id, NHS number).
async fn with(app: &TestApp, column: &str, how_many: usize) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (id, nhs) in only_in(app, "diabetes").await {
        let value: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {column} FROM records WHERE id = $1 AND owner_account_id IS NULL"
        )))
        .bind(&id)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .flatten();
        if value.is_some() && found.len() < how_many {
            found.push((id, nhs));
        }
    }
    assert_eq!(found.len(), how_many, "the demo has enough records with {column}");
    found
}

/// An entry on record `record_id`, as the records store has it from any feed.
async fn entry(app: &TestApp, record_id: &str) {
    let at = stored(app.clock.now());
    sqlx::query(
        "INSERT INTO entries (id, record_id, kind, source_system, source_id, title, occurred_at, content_hash, \
         created_at, updated_at) VALUES ($1, $2, 'result', 'lab', $1, 'HbA1c', $3, 'x', $3, $3)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(record_id)
    .bind(&at)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn entries_of(app: &TestApp, record_id: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entries WHERE record_id = $1")
        .bind(record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn invitations_of(app: &TestApp, record_id: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT issued_at, expires_at FROM invitations WHERE record_id = $1 ORDER BY issued_at")
        .bind(record_id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

fn cohort(channel: &str, listed: &[(String, String)], without_entries: Option<&str>) -> Value {
    let mut cohort = json!({ "channel": channel, "registration": "not_invited",
        "nhs_numbers_csv": listed.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("\n") });
    if let Some(choice) = without_entries {
        cohort["records_without_entries"] = json!(choice);
    }
    cohort
}

async fn preview(app: &TestApp, client: &Client, team: &str, cohort: &Value) -> CohortPreview {
    let answer = post(app, client, &format!("/staff/teams/{team}/campaigns/preview"), cohort.clone()).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn started(app: &TestApp, client: &Client, team: &str, cohort: Value) -> String {
    let answer =
        post(app, client, &format!("/staff/teams/{team}/campaigns"), json!({ "name": "Held", "cohort": cohort })).await;
    assert_eq!(answer.status(), 201);
    answer.json::<CampaignView>().await.unwrap().campaign.id
}

async fn a_cohort_leaves_out_or_counts_records_without_entries(engine: Engine) {
    let (app, _notify) = app_with_paced_notify(engine, 0).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let listed = with(&app, "mobile", 5).await;
    for (id, _) in &listed[..2] {
        if entries_of(&app, id).await == 0 {
            entry(&app, id).await;
        }
    }
    for (id, _) in &listed[2..] {
        assert_eq!(entries_of(&app, id).await, 0, "the demo's other records have no entries");
    }
    let invite = preview(&app, &asha, &diabetes, &cohort("sms", &listed, Some("invite"))).await;
    assert_eq!((invite.matching, invite.to_invite, invite.without_entries), (5, 5, 3));
    let held = preview(&app, &asha, &diabetes, &cohort("sms", &listed, Some("hold"))).await;
    assert_eq!((held.matching, held.to_invite, held.without_entries), (5, 2, 3));
    assert_eq!(held.records_without_entries, "hold");
    let left_out = preview(&app, &asha, &diabetes, &cohort("sms", &listed, Some("leave_out"))).await;
    assert_eq!((left_out.matching, left_out.to_invite, left_out.without_entries), (2, 2, 3));

    let id = started(&app, &asha, &diabetes, cohort("sms", &listed, Some("leave_out"))).await;
    let done = until(&app, &asha, &id, |v| v.campaign.state == "finished").await;
    assert_eq!((done.campaign.progress.total, done.campaign.progress.issued), (2, 2));
    assert_eq!(done.campaign.progress.held, 0);
    assert!(done.cohort.iter().any(|line| line.contains("at least one entry")), "{:?}", done.cohort);
    for (id, _) in &listed[2..] {
        assert!(invitations_of(&app, id).await.is_empty(), "left out: never invited");
    }
    let bad =
        post(&app, &asha, &format!("/staff/teams/{diabetes}/campaigns/preview"), cohort("sms", &listed, Some("later")))
            .await;
    assert_eq!(crate::helpers::problem(bad).await["errors"][0]["field"], "records_without_entries");
}

async fn a_held_invitation_goes_out_once_an_entry_arrives_and_not_to_one_excluded_meanwhile(engine: Engine) {
    let (app, notify) = app_with_paced_notify(engine, 0).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let listed = with(&app, "mobile", 5).await;
    entry(&app, &listed[0].0).await;
    let id = started(&app, &asha, &diabetes, cohort("sms", &listed, Some("hold"))).await;
    let view = until(&app, &asha, &id, |v| v.campaign.progress.processed == 5).await;
    let progress = &view.campaign.progress;
    assert_eq!((progress.total, progress.issued, progress.held, progress.released), (5, 1, 4, 0));
    eventually(|| async { (texts_sent(&notify).len() == 1).then_some(()) }).await;
    for (record, _) in &listed[1..] {
        assert!(invitations_of(&app, record).await.is_empty(), "held: no invitation yet");
    }
    let first = invitations_of(&app, &listed[0].0).await;

    // Three days on: one held record is excluded, then entries arrive for
    // it and two others (by the FHIR feed and straight into the store).
    app.clock.advance(time::Duration::days(3));
    let asha = admin(&app).await;
    exclude(&app, &listed[3].0).await;
    let (key, _) = feed_key(&app).await;
    let results: Vec<Value> = [&listed[1], &listed[3]]
        .iter()
        .enumerate()
        .map(|(i, (_, nhs))| {
            json!({ "resource": { "resourceType": "Observation", "id": format!("hba1c-held-{i}"),
                "subject": { "identifier": { "system": NHS, "value": nhs } }, "code": { "text": "HbA1c" },
                "effectiveDateTime": "2026-11-27T09:30:00Z", "valueQuantity": { "value": 48, "unit": "mmol/mol" } } })
        })
        .collect();
    let (status, answer) =
        post_fhir(&app, &key, "", &json!({ "resourceType": "Bundle", "type": "batch", "entry": results })).await;
    assert_eq!(status, 200, "{answer}");
    entry(&app, &listed[2].0).await;

    let view = until(&app, &asha, &id, |v| v.campaign.progress.held == 1).await;
    let progress = &view.campaign.progress;
    assert_eq!((progress.issued, progress.released, progress.skipped_excluded), (3, 2, 1));
    eventually(|| async { (texts_sent(&notify).len() == 3).then_some(()) }).await;
    assert!(invitations_of(&app, &listed[3].0).await.is_empty(), "excluded meanwhile: dropped");
    assert!(invitations_of(&app, &listed[4].0).await.is_empty(), "still nothing to see: still held");
    let released = invitations_of(&app, &listed[1].0).await;
    assert_eq!(released.len(), 1);
    assert!(released[0].1 > first[0].1, "the code's life counts from its release");
    let outcomes: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT record_id, outcome FROM campaign_held WHERE campaign_id = $1 ORDER BY record_id")
            .bind(&id)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(outcomes.iter().filter(|(_, o)| o.as_deref() == Some("invited")).count(), 2);
    assert_eq!(outcomes.iter().filter(|(_, o)| o.as_deref() == Some("excluded")).count(), 1);
    assert_eq!(outcomes.iter().filter(|(_, o)| o.is_none()).count(), 1);
}

async fn a_released_letter_gets_a_batch_of_its_own(engine: Engine) {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |s| s.campaign_chunk_size = 2).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let listed = with(&app, "postcode", 3).await;
    let id = started(&app, &asha, &diabetes, cohort("letter", &listed, Some("hold"))).await;
    let view = until(&app, &asha, &id, |v| v.campaign.progress.processed == 3).await;
    assert!(view.batches.is_empty(), "all held: no letters yet");
    entry(&app, &listed[1].0).await;
    let view = until(&app, &asha, &id, |v| v.campaign.progress.released == 1).await;
    assert_eq!(view.batches.len(), 1);
    assert_eq!((view.batches[0].seq, view.batches[0].letters), (3, 1), "after the two chunks' numbers");
    let manifest = asha.get(app.url(&format!("/api/v1{}", view.batches[0].manifest_path))).send().await.unwrap();
    let text = manifest.text().await.unwrap();
    assert!(text.lines().nth(1).unwrap().starts_with("3,1,"), "{text}");
    entry(&app, &listed[2].0).await;
    let view = until(&app, &asha, &id, |v| v.campaign.progress.released == 2).await;
    let seqs: Vec<u64> = view.batches.iter().map(|b| b.seq).collect();
    assert_eq!(seqs, [3, 4]);
}

async fn a_cancelled_campaign_s_holds_never_release(engine: Engine) {
    let (app, notify) = app_with_paced_notify(engine, 0).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let listed = with(&app, "mobile", 3).await;
    let id = started(&app, &asha, &diabetes, cohort("sms", &listed, Some("hold"))).await;
    until(&app, &asha, &id, |v| v.campaign.progress.held == 3).await;
    let cancelled = post(&app, &asha, &format!("/staff/campaigns/{id}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), 200);
    for (record, _) in &listed {
        entry(&app, record).await;
    }
    // Two passes of the worker (it looks every second).
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    for (record, _) in &listed {
        assert!(invitations_of(&app, record).await.is_empty(), "cancelled: never invited");
    }
    assert!(texts_sent(&notify).is_empty());
    let view = campaign(&app, &asha, &id).await;
    assert_eq!((view.campaign.progress.held, view.campaign.progress.released), (0, 0));
    let cancelled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM campaign_held WHERE campaign_id = $1 AND outcome = 'cancelled'")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(cancelled, 3);
}

async fn the_team_setting_is_the_default_and_only_its_admins_change_it(engine: Engine) {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |_| {}).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let path = app.url(&format!("/api/v1/staff/teams/{diabetes}/invitation-settings"));
    let read: InvitationSettings = asha.get(&path).send().await.unwrap().json().await.unwrap();
    assert!(!read.hold_until_entries, "off until a team turns it on");
    let listed = with(&app, "mobile", 3).await;
    let unasked = cohort("sms", &listed, None);
    assert_eq!(preview(&app, &asha, &diabetes, &unasked).await.records_without_entries, "invite");

    let changed = asha.put(&path).json(&json!({ "hold_until_entries": true })).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert!(changed.json::<InvitationSettings>().await.unwrap().hold_until_entries);
    assert!(app.audit_actions().await.contains(&"invitation_settings_changed".to_owned()));
    let counted = preview(&app, &asha, &diabetes, &unasked).await;
    assert_eq!((counted.records_without_entries.as_str(), counted.to_invite, counted.without_entries), ("hold", 0, 3));
    let asked = preview(&app, &asha, &diabetes, &cohort("sms", &listed, Some("invite"))).await;
    assert_eq!((asked.records_without_entries.as_str(), asked.to_invite), ("invite", 3), "a campaign may choose");
    // Everyone would be held: the campaign still starts, and holds them.
    let id = started(&app, &asha, &diabetes, unasked).await;
    until(&app, &asha, &id, |v| v.campaign.progress.held == 3).await;

    // A receptionist of the team may not; another team's admin is told there is no such team.
    let sam = browser();
    app.sign_in_as(&sam, SAM, DEMO_PASSWORD).await;
    assert_eq!(sam.get(&path).send().await.unwrap().status(), 403);
    assert_eq!(sam.put(&path).json(&json!({ "hold_until_entries": false })).send().await.unwrap().status(), 403);
    let jordan = browser();
    app.sign_in_as(&jordan, JORDAN, DEMO_PASSWORD).await;
    assert_eq!(jordan.get(&path).send().await.unwrap().status(), 404);
    assert_eq!(jordan.put(&path).json(&json!({ "hold_until_entries": false })).send().await.unwrap().status(), 404);
    let unknown = asha.put(&path).json(&json!({ "hold_until_entries": "yes" })).send().await.unwrap();
    assert_eq!(unknown.status(), 422);
    let read: InvitationSettings = asha.get(&path).send().await.unwrap().json().await.unwrap();
    assert!(read.hold_until_entries, "refused changes changed nothing");
}

/// With a reminder plan, a record released from its hold joins the plan's
/// first send, so the plan's later steps remind it as any other.
async fn a_released_record_joins_its_campaign_s_reminder_plan(engine: Engine) {
    let (app, notify) = app_with_paced_notify(engine, 0).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let listed = with(&app, "mobile", 2).await;
    entry(&app, &listed[0].0).await;
    let answer = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns"),
        json!({ "name": "Held, with reminders", "cohort": cohort("sms", &listed, Some("hold")),
            "plan": { "steps": [{ "channel": "sms", "after_days": 14 }], "max_messages": 3 } }),
    )
    .await;
    assert_eq!(answer.status(), 201);
    let id = answer.json::<CampaignView>().await.unwrap().campaign.id;
    until(&app, &asha, &id, |v| v.campaign.progress.processed == 2 && v.campaign.progress.held == 1).await;
    entry(&app, &listed[1].0).await;
    until(&app, &asha, &id, |v| v.campaign.progress.released == 1).await;
    let first_send: Vec<(String, String)> = sqlx::query_as(
        "SELECT record_id, outcome FROM reminder_history WHERE campaign_id = $1 AND step = 0 ORDER BY record_id",
    )
    .bind(&id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let mut expected: Vec<(String, String)> = listed.iter().map(|(r, _)| (r.clone(), "sent".to_owned())).collect();
    expected.sort();
    assert_eq!(first_send, expected, "the released record is in the plan's first send");

    app.clock.advance(time::Duration::days(14));
    let asha = admin(&app).await;
    let done = until(&app, &asha, &id, |v| {
        v.plan.as_ref().and_then(|p| p.steps.get(1)).is_some_and(|s| s.state.as_deref() == Some("finished"))
    })
    .await;
    assert_eq!(done.plan.unwrap().steps[1].counts.sent, 2, "both reminded");
    eventually(|| async { (texts_sent(&notify).len() == 4).then_some(()) }).await;
}

crate::on_both_engines!(
    a_released_record_joins_its_campaign_s_reminder_plan,
    a_cohort_leaves_out_or_counts_records_without_entries,
    a_held_invitation_goes_out_once_an_entry_arrives_and_not_to_one_excluded_meanwhile,
    a_released_letter_gets_a_batch_of_its_own,
    a_cancelled_campaign_s_holds_never_release,
    the_team_setting_is_the_default_and_only_its_admins_change_it,
);
