//! Reminder escalation: a campaign with a plan of reminder steps on other
//! channels; days pass, each step goes to those it should and skips, for a
//! reason kept per patient, those it should not; bad plans are refused field
//! by field; a step survives a worker that dies holding its chunk.

use std::sync::Arc;

use portico_server::campaigns::{chunk, escalation};
use portico_server::clock::{Clock as _, stored};
use portico_server::config::Settings;
use portico_server::db::Engine;
use portico_server::secrets::Keys;
use portico_server::state::AppState;
use portico_types::api::{CampaignView, PlanPreview, RecordReminders};
use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Options, TestApp, browser, patient_account, problem, spawn_app_configured};
use crate::invitations::admin;

const MORGAN: &str = "morgan.reid@demo.portico.example";

async fn team_id(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT id FROM teams WHERE slug = $1").bind(slug).fetch_one(&app.db.pool).await.unwrap()
}

/// `n` records only in the diabetes team, never invited, not registered, not
/// excluded, each given an email address and a mobile number: `(id, NHS number)`.
async fn fresh_records(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let found: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.id, r.nhs_number FROM records r JOIN team_records tr ON tr.record_id = r.id \
         JOIN teams t ON t.id = tr.team_id WHERE t.slug = 'diabetes' AND r.nhs_number IS NOT NULL \
         AND r.owner_account_id IS NULL AND (SELECT count(*) FROM team_records o WHERE o.record_id = r.id) = 1 \
         AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.record_id = r.id) \
         AND NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.record_id = r.id) ORDER BY r.id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(found.len() >= n, "the demo has {} such records", found.len());
    let chosen: Vec<(String, String)> = found.into_iter().take(n).collect();
    for (i, (id, _)) in chosen.iter().enumerate() {
        sqlx::query("UPDATE records SET email = $2, mobile = $3 WHERE id = $1")
            .bind(id)
            .bind(format!("escalation{i}@patients.portico.example"))
            .bind(format!("+4477009001{i:02}"))
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    chosen
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(&format!("/api/v1{path}"))).json(&body).send().await.unwrap()
}

async fn campaign(app: &TestApp, client: &Client, id: &str) -> CampaignView {
    let response = client.get(app.url(&format!("/api/v1/staff/campaigns/{id}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Polls the campaign until `done` says so (20 seconds at most).
async fn until(app: &TestApp, client: &Client, id: &str, done: impl Fn(&CampaignView) -> bool) -> CampaignView {
    for _ in 0..400 {
        let view = campaign(app, client, id).await;
        if done(&view) {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("campaign {id} did not get there: {:?}", campaign(app, client, id).await.plan);
}

fn step_finished(view: &CampaignView, step: usize) -> bool {
    view.plan.as_ref().and_then(|p| p.steps.get(step)).and_then(|s| s.state.as_deref()) == Some("finished")
}

async fn reminders(app: &TestApp, client: &Client, record_id: &str) -> RecordReminders {
    let response = client.get(app.url(&format!("/api/v1/staff/records/{record_id}/reminders"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn exclude(app: &TestApp, record_id: &str) {
    sqlx::query(
        "INSERT INTO exclusions (record_id, reason, note, set_by, set_at) \
         SELECT $1, 'safeguarding_concern', 'test', id, $2 FROM accounts WHERE email = $3",
    )
    .bind(record_id)
    .bind(stored(app.clock.now()))
    .bind(MORGAN)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// Email first, a text after 14 days, an email after 28, at most 2 messages each.
async fn start_planned(app: &TestApp, asha: &Client, listed: &[(String, String)]) -> String {
    let diabetes = team_id(app, "diabetes").await;
    let numbers: Vec<&str> = listed.iter().map(|(_, n)| n.as_str()).collect();
    let started = post(app, asha, &format!("/staff/teams/{diabetes}/campaigns"), json!({
        "name": "Escalating",
        "cohort": { "channel": "email", "registration": "not_invited", "nhs_numbers_csv": numbers.join("\n") },
        "plan": { "steps": [{ "channel": "sms", "after_days": 14 }, { "channel": "email", "after_days": 28 }], "max_messages": 2 }
    }))
    .await;
    assert_eq!(started.status(), 201);
    let started: CampaignView = started.json().await.unwrap();
    let plan = started.plan.as_ref().expect("the plan is on the campaign's page");
    assert_eq!(plan.max_messages, 2);
    let shape: Vec<(u32, &str, u32)> = plan.steps.iter().map(|s| (s.step, s.channel.as_str(), s.after_days)).collect();
    assert_eq!(shape, [(0, "email", 0), (1, "sms", 14), (2, "email", 28)]);
    assert_eq!(plan.steps[1].due_on, "2026-12-09", "14 days after 25 November");
    assert!(plan.steps[1].campaign_id.is_none(), "not started before it is due");
    started.campaign.id
}

async fn a_plan_escalates_across_channels_and_each_stop_rule_holds(engine: Engine) {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |s| s.campaign_chunk_size = 2).await;
    let asha = admin(&app).await;
    let people = fresh_records(&app, 5).await;
    let [registers, excluded, opts_out, plain, no_mobile] = [0, 1, 2, 3, 4].map(|i| people[i].0.clone());
    let id = start_planned(&app, &asha, &people).await;
    let first = until(&app, &asha, &id, |v| v.campaign.state == "finished").await;
    assert_eq!(first.plan.as_ref().unwrap().steps[0].counts.sent, 5);

    // Before the text goes: one registers, one is excluded, one asks for no
    // more reminders (at the desk), one loses their mobile number.
    let patient = patient_account(&app).await;
    sqlx::query("UPDATE records SET owner_account_id = $2 WHERE id = $1")
        .bind(&registers)
        .bind(&patient)
        .execute(&app.db.pool)
        .await
        .unwrap();
    exclude(&app, &excluded).await;
    let opted = asha
        .put(app.url(&format!("/api/v1/staff/records/{opts_out}/reminder-opt-out")))
        .json(&json!({ "opted_out": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(opted.status(), 200);
    let opted: RecordReminders = opted.json().await.unwrap();
    assert!(opted.opt_out.is_some() && opted.may_change_opt_out);
    sqlx::query("UPDATE records SET mobile = NULL WHERE id = $1").bind(&no_mobile).execute(&app.db.pool).await.unwrap();

    // Thirteen days on, nothing yet; fourteen, the text step.
    app.clock.advance(time::Duration::days(13));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let asha = admin(&app).await;
    assert!(campaign(&app, &asha, &id).await.plan.unwrap().steps[1].campaign_id.is_none());
    app.clock.advance(time::Duration::days(1));
    let asha = admin(&app).await;
    let after_text = until(&app, &asha, &id, |v| step_finished(v, 1)).await;
    let text = &after_text.plan.as_ref().unwrap().steps[1];
    assert_eq!(
        (text.counts.sent, text.counts.registered, text.counts.excluded, text.counts.opted_out, text.counts.no_contact),
        (1, 1, 1, 1, 1)
    );
    let step_campaign = text.campaign_id.clone().unwrap();
    let step_view = campaign(&app, &asha, &step_campaign).await;
    assert_eq!(step_view.campaign.kind, "reminder");
    assert_eq!(step_view.campaign.channel, "sms");
    assert_eq!(step_view.step_of.as_ref().map(|s| (s.campaign_id.as_str(), s.step)), Some((id.as_str(), 1)));
    let texted: Vec<(String, String)> =
        sqlx::query_as("SELECT record_id, channel FROM invitations WHERE campaign_id = $1")
            .bind(&step_campaign)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(texted, [(plain.clone(), "sms".to_owned())], "only the one no rule stopped gets a new code");
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE campaign_id = $1 AND channel = 'sms'")
        .bind(&step_campaign)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(outbox, 1);

    // Twenty-eight days: the email step. The plain patient has had two
    // messages (the cap); the one without a mobile had one, and gets it.
    app.clock.advance(time::Duration::days(14));
    let asha = admin(&app).await;
    let after_email = until(&app, &asha, &id, |v| step_finished(v, 2)).await;
    let email = &after_email.plan.as_ref().unwrap().steps[2].counts;
    assert_eq!((email.sent, email.cap, email.registered, email.excluded, email.opted_out), (1, 1, 1, 1, 1));

    // The record page's history: what each step did, and why.
    let history = reminders(&app, &asha, &plain).await.history;
    let told: Vec<(u32, &str, &str)> =
        history.iter().map(|h| (h.step, h.channel.as_str(), h.outcome.as_str())).collect();
    assert_eq!(told, [(2, "email", "cap"), (1, "sms", "sent"), (0, "email", "sent")]);
    assert!(history.iter().all(|h| h.campaign_id == id && h.steps_in_plan == 2 && h.campaign_name == "Escalating"));
    let told: Vec<String> = reminders(&app, &asha, &no_mobile).await.history.into_iter().map(|h| h.outcome).collect();
    assert_eq!(told, ["sent", "no_contact", "sent"]);
    assert_eq!(reminders(&app, &asha, &opts_out).await.history[0].outcome, "opted_out");
    assert_eq!(reminders(&app, &asha, &registers).await.history[0].outcome, "registered");
    // A receptionist may not know of the exclusion; a clinician (Asha) and a safeguarding lead may.
    let sam = browser();
    app.sign_in_as(&sam, "sam.okafor@demo.portico.example", DEMO_PASSWORD).await;
    let receptionist = reminders(&app, &sam, &excluded).await;
    assert_eq!(receptionist.history[0].outcome, "not_sent");
    assert!(receptionist.may_change_opt_out, "a receptionist records what the patient asks at the desk");
    assert_eq!(reminders(&app, &asha, &excluded).await.history[0].outcome, "excluded");
    let morgan = browser();
    app.sign_in_as(&morgan, MORGAN, DEMO_PASSWORD).await;
    let lead = reminders(&app, &morgan, &excluded).await;
    assert_eq!(lead.history[0].outcome, "excluded");
    assert!(!lead.may_change_opt_out, "a safeguarding lead does not issue invitations");

    // Once per plan, step and record.
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT step, count(*) FROM reminder_history WHERE campaign_id = $1 GROUP BY step ORDER BY step",
    )
    .bind(&id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows, [(0, 5), (1, 5), (2, 5)]);
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "reminder_step_started").count(), 2);
    assert!(actions.contains(&"reminder_opt_out_set".to_owned()));

    // Lifting the opt-out is audited too; a stranger to the record is told it does not exist.
    let lifted = asha
        .put(app.url(&format!("/api/v1/staff/records/{opts_out}/reminder-opt-out")))
        .json(&json!({ "opted_out": false }))
        .send()
        .await
        .unwrap();
    assert!(lifted.json::<RecordReminders>().await.unwrap().opt_out.is_none());
    assert!(app.audit_actions().await.contains(&"reminder_opt_out_lifted".to_owned()));
    let jordan = browser();
    app.sign_in_as(&jordan, "jordan.hughes@demo.portico.example", DEMO_PASSWORD).await;
    let theirs = jordan.get(app.url(&format!("/api/v1/staff/records/{plain}/reminders"))).send().await.unwrap();
    assert_eq!(theirs.status(), 404);
}

async fn bad_plans_are_refused_field_by_field_and_nothing_starts(engine: Engine) {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |_| {}).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let people = fresh_records(&app, 3).await;
    let numbers: Vec<&str> = people.iter().map(|(_, n)| n.as_str()).collect();
    let cohort = json!({ "channel": "email", "registration": "not_invited", "nhs_numbers_csv": numbers.join("\n") });
    let start = |plan: Value| {
        let (app, asha, diabetes, cohort) = (&app, &asha, &diabetes, cohort.clone());
        async move {
            let response = post(
                app,
                asha,
                &format!("/staff/teams/{diabetes}/campaigns"),
                json!({ "name": "Bad", "cohort": cohort, "plan": plan }),
            )
            .await;
            assert_eq!(response.status(), 422);
            let problem = problem(response).await;
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["field"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned()))
                .collect::<Vec<_>>()
        }
    };
    let zero =
        start(json!({ "steps": [{ "channel": "sms", "after_days": 0 }, { "channel": "letter", "after_days": -7 }] }))
            .await;
    let fields: Vec<&str> = zero.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["plan_step_1_after_days", "plan_step_2_after_days"]);
    let back_in_time =
        start(json!({ "steps": [{ "channel": "sms", "after_days": 28 }, { "channel": "email", "after_days": 14 }] }))
            .await;
    assert!(back_in_time[0].1.contains("must come after reminder 1"), "{back_in_time:?}");
    let repeated =
        start(json!({ "steps": [{ "channel": "sms", "after_days": 14 }, { "channel": "sms", "after_days": 14 }] }))
            .await;
    assert!(repeated[0].1.contains("repeats reminder 1"), "{repeated:?}");
    let six: Vec<Value> = (1..=6).map(|n| json!({ "channel": "sms", "after_days": n * 7 })).collect();
    assert_eq!(start(json!({ "steps": six })).await[0].0, "plan");
    assert_eq!(start(json!({ "steps": [] })).await[0].0, "plan");
    assert_eq!(
        start(json!({ "steps": [{ "channel": "sms", "after_days": 14 }], "max_messages": 1 })).await[0].0,
        "max_messages"
    );
    // The cohort's and the plan's problems come together.
    let both = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns/plan-preview"),
        json!({
            "cohort": { "channel": "fax", "registration": "not_invited" },
            "plan": { "steps": [{ "channel": "pigeon", "after_days": 14 }] }
        }),
    )
    .await;
    let both = problem(both).await;
    let fields: Vec<&str> = both["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["channel", "plan_step_1_channel"]);
    let campaigns: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(campaigns, 0);

    // The preview says which step's channel part of the cohort cannot get.
    sqlx::query("UPDATE records SET mobile = NULL WHERE id = $1")
        .bind(&people[0].0)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let preview = post(&app, &asha, &format!("/staff/teams/{diabetes}/campaigns/plan-preview"), json!({
        "cohort": cohort, "plan": { "steps": [{ "channel": "sms", "after_days": 14 }, { "channel": "email", "after_days": 28 }] }
    }))
    .await;
    assert_eq!(preview.status(), 200);
    let preview: PlanPreview = preview.json().await.unwrap();
    assert_eq!(preview.cohort.to_invite, 3);
    let lacking: Vec<(u32, &str, u64)> =
        preview.steps.iter().map(|s| (s.step, s.channel.as_str(), s.lacking_contact)).collect();
    assert_eq!(lacking, [(1, "sms", 1), (2, "email", 0)]);
}

/// Another instance on the same database, with the test's clock.
async fn another_instance(app: &TestApp, chunk_size: usize) -> AppState {
    let settings =
        Settings { campaign_chunk_size: chunk_size, campaign_backlog: 0, claim_lease_secs: 60, ..Settings::default() };
    let keys = Keys::load(&app.db, None, app.clock.now()).await.unwrap();
    AppState::new(app.db.clone(), settings, Arc::new(app.clock.clone()), keys)
}

async fn a_step_starts_once_and_a_worker_dying_mid_step_loses_and_doubles_nothing(engine: Engine) {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |s| {
        s.campaign_chunk_size = 1;
        s.claim_lease_secs = 60;
    })
    .await;
    let asha = admin(&app).await;
    let people = fresh_records(&app, 8).await;
    let id = start_planned(&app, &asha, &people).await;
    until(&app, &asha, &id, |v| v.campaign.state == "finished").await;
    let other = another_instance(&app, 1).await;
    app.clock.advance(time::Duration::days(14));
    // Both instances find the step due at once: one campaign starts.
    let (mine, theirs) = tokio::join!(escalation::start_due_steps(&other), escalation::start_due_steps(&other));
    assert!(mine.unwrap() + theirs.unwrap() <= 1);
    // This instance claims a chunk of the step and dies holding it.
    let mut tries = 0;
    let held = loop {
        tries += 1;
        assert!(tries < 500, "no chunk of the step to claim");
        match chunk::claim_next(&other).await.unwrap() {
            chunk::Next::Chunk(claimed) if claimed.campaign.plan != chunk::PlanRole::None => break claimed,
            chunk::Next::Chunk(_) => continue,
            chunk::Next::Idle => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    };
    let asha = admin(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let stuck = campaign(&app, &asha, &id).await;
    assert_eq!(stuck.plan.as_ref().unwrap().steps[1].state.as_deref(), Some("running"), "the held chunk is not done");
    // Its lease runs out; the server's worker does the chunk.
    app.clock.advance(time::Duration::seconds(61));
    let asha = admin(&app).await;
    let done = until(&app, &asha, &id, |v| step_finished(v, 1)).await;
    assert_eq!(done.plan.as_ref().unwrap().steps[1].counts.sent, 8);
    // The dead worker, were it to wake, writes nothing.
    assert!(chunk::process(&other, &held).await.unwrap().is_none());
    let step_campaign = done.plan.as_ref().unwrap().steps[1].campaign_id.clone().unwrap();
    let (invitations, records): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT record_id) FROM invitations WHERE campaign_id = $1")
            .bind(&step_campaign)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((invitations, records), (8, 8));
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT record_id) FROM reminder_history WHERE campaign_id = $1 AND step = 1",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!((rows, distinct), (8, 8));
    let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE campaign_id = $1")
        .bind(&step_campaign)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(messages, 8);
    let steps: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns WHERE plan_of = $1")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(steps, 1);
}

/// Cancelling the plan's campaign ends the plan: a step still sending is
/// cancelled with it (its waiting texts never go, their codes are revoked),
/// and no later step starts, though the first send had finished.
async fn cancelling_a_planned_campaign_ends_its_running_step_and_those_to_come(engine: Engine) {
    // One text a minute of the test's clock: the step stays running while its texts wait.
    let (app, notify) = crate::campaigns::app_with_paced_notify(engine, 1).await;
    let asha = admin(&app).await;
    let people = fresh_records(&app, 3).await;
    let id = start_planned(&app, &asha, &people).await;
    until(&app, &asha, &id, |v| v.campaign.state == "finished").await;
    app.clock.advance(time::Duration::days(14));
    let asha = admin(&app).await;
    let running = until(&app, &asha, &id, |v| {
        v.plan.as_ref().is_some_and(|p| p.steps[1].counts.sent == 3 && p.steps[1].state.as_deref() == Some("running"))
    })
    .await;
    let step = running.plan.unwrap().steps[1].campaign_id.clone().unwrap();
    crate::helpers::eventually(|| async { (crate::campaigns::texts_sent(&notify).len() == 1).then_some(()) }).await;

    let cancelled = post(&app, &asha, &format!("/staff/campaigns/{id}/cancel"), json!({})).await;
    assert!(cancelled.status().is_success(), "a finished campaign whose plan has steps to come can be cancelled");
    let view = campaign(&app, &asha, &id).await;
    assert_eq!(view.campaign.state, "cancelled");
    let steps: Vec<Option<&str>> = view.plan.as_ref().unwrap().steps.iter().map(|s| s.state.as_deref()).collect();
    assert_eq!(steps, [Some("cancelled"), Some("cancelled"), None]);
    let (given_up, revoked): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM outbox WHERE campaign_id = $1 AND gave_up_at IS NOT NULL), \
         (SELECT count(*) FROM invitations WHERE campaign_id = $1 AND state = 'revoked')",
    )
    .bind(&step)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!((given_up, revoked), (2, 2), "the two texts still waiting never go");

    // Days pass: neither the waiting texts nor the plan's last step go.
    app.clock.advance(time::Duration::days(14));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(crate::campaigns::texts_sent(&notify).len(), 1);
    let started: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns WHERE plan_of = $1")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(started, 1);
    let asha = admin(&app).await;
    let again = post(&app, &asha, &format!("/staff/campaigns/{id}/cancel"), json!({})).await;
    assert_eq!(again.status(), 409, "once is enough");
}

crate::on_both_engines!(
    cancelling_a_planned_campaign_ends_its_running_step_and_those_to_come,
    a_plan_escalates_across_channels_and_each_stop_rule_holds,
    bad_plans_are_refused_field_by_field_and_nothing_starts,
    a_step_starts_once_and_a_worker_dying_mid_step_loses_and_doubles_nothing,
);
