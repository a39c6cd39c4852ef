//! Campaigns: a team admin invites a whole cohort by letter, text message or
//! email; the worker does it in the background; what goes wrong.

use portico_notify::standin::NotifyStandIn;
use portico_server::clock::{Clock as _, stored};
use portico_server::db::Engine;
use portico_types::api::{CampaignView, CohortPreview};
use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{
    DEMO_PASSWORD, Options, SAM, TestApp, browser, eventually, problem, spawn_app, spawn_app_configured,
};
use crate::invitations::{admin, start};

const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const CALLBACK_TOKEN: &str = "receipts-token-for-tests-0123456789";
const JORDAN: &str = "jordan.hughes@demo.portico.example";

pub(crate) async fn team_id(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT id FROM teams WHERE slug = $1").bind(slug).fetch_one(&app.db.pool).await.unwrap()
}

/// NHS numbers of records only in `slug`'s team (not shared with the other), in record id order.
pub(crate) async fn only_in(app: &TestApp, slug: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT r.id, r.nhs_number FROM records r JOIN team_records tr ON tr.record_id = r.id \
         JOIN teams t ON t.id = tr.team_id WHERE t.slug = $1 AND r.nhs_number IS NOT NULL \
         AND (SELECT count(*) FROM team_records o WHERE o.record_id = r.id) = 1 ORDER BY r.id",
    )
    .bind(slug)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

pub(crate) async fn exclude(app: &TestApp, record_id: &str) {
    sqlx::query(
        "INSERT INTO exclusions (record_id, reason, note, set_by, set_at) \
         SELECT $1, 'safeguarding_concern', 'test', id, $2 FROM accounts WHERE email = 'morgan.reid@demo.portico.example'",
    )
    .bind(record_id)
    .bind(stored(app.clock.now()))
    .execute(&app.db.pool)
    .await
    .unwrap();
}

pub(crate) async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(&format!("/api/v1{path}"))).json(&body).send().await.unwrap()
}

pub(crate) async fn campaign(app: &TestApp, client: &Client, id: &str) -> CampaignView {
    let response = client.get(app.url(&format!("/api/v1/staff/campaigns/{id}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Polls the campaign page until `done` says so (10 seconds at most).
pub(crate) async fn until(
    app: &TestApp,
    client: &Client,
    id: &str,
    done: impl Fn(&CampaignView) -> bool,
) -> CampaignView {
    for _ in 0..200 {
        let view = campaign(app, client, id).await;
        if done(&view) {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("campaign {id} did not get there: {:?}", campaign(app, client, id).await.campaign.progress);
}

async fn a_letter_campaign_over_a_listed_cohort_makes_batches_whose_codes_register(engine: Engine) {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |s| s.campaign_chunk_size = 3).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let ours = only_in(&app, "diabetes").await;
    let theirs = only_in(&app, "respiratory").await;
    let listed: Vec<&(String, String)> = ours.iter().take(8).collect();
    exclude(&app, &listed[0].0).await;
    let csv = format!(
        "NHS number,name\n{}\n{},someone else\n",
        listed.iter().map(|(_, n)| format!("{n},x")).collect::<Vec<_>>().join("\n"),
        theirs[0].1
    );
    let cohort = json!({ "channel": "letter", "registration": "not_invited", "nhs_numbers_csv": csv });
    let preview = post(&app, &asha, &format!("/staff/teams/{diabetes}/campaigns/preview"), cohort.clone()).await;
    assert_eq!(preview.status(), 200);
    let preview: CohortPreview = preview.json().await.unwrap();
    let with_address: u64 = {
        let ids: Vec<&str> = listed.iter().skip(1).map(|(id, _)| id.as_str()).collect();
        let mut n = 0;
        for id in ids {
            let postcode: Option<String> = sqlx::query_scalar("SELECT postcode FROM records WHERE id = $1")
                .bind(id)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
            n += u64::from(postcode.is_some());
        }
        n
    };
    assert_eq!(preview.listed, Some(9));
    assert_eq!(preview.matching, 8);
    assert_eq!(preview.excluded, 1);
    assert_eq!(preview.lacking_contact, 7 - with_address);
    assert_eq!(preview.to_invite, with_address);
    let not_in_team = preview.not_in_team.unwrap();
    assert_eq!((not_in_team.count, not_in_team.rows), (1, vec![10]), "the other team's record, on row 10");

    let started = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns"),
        json!({ "name": "Letters", "cohort": cohort }),
    )
    .await;
    assert_eq!(started.status(), 201);
    let started: CampaignView = started.json().await.unwrap();
    let id = started.campaign.id.clone();
    let done = until(&app, &asha, &id, |v| v.campaign.state == "finished").await;
    let progress = &done.campaign.progress;
    assert_eq!(progress.total, 8);
    assert_eq!(progress.processed, 8);
    assert_eq!(progress.issued, with_address);
    assert_eq!(progress.skipped_excluded, 1, "the excluded record is never invited");
    assert_eq!(progress.skipped_no_contact, 7 - with_address);
    assert_eq!(progress.sent, with_address, "every letter is in a batch");
    assert_eq!(done.batches.len(), 3, "chunks of 3 records: one batch each");
    let excluded_invitations: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations WHERE record_id = $1")
        .bind(&listed[0].0)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(excluded_invitations, 0);

    // The batches: PDFs for the printer, manifests for the print house.
    let mut rows = Vec::new();
    for batch in &done.batches {
        let pdf = asha.get(app.url(&format!("/api/v1{}", batch.pdf_path))).send().await.unwrap();
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert_eq!(pdf.headers()["cache-control"], "no-store");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        let manifest = asha.get(app.url(&format!("/api/v1{}", batch.manifest_path))).send().await.unwrap();
        assert_eq!(manifest.status(), 200);
        let text = manifest.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[11], "code");
        let batch_rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(batch_rows.len() as u64, batch.letters);
        rows.extend(batch_rows);
    }
    let after = campaign(&app, &asha, &id).await;
    assert!(after.batches.iter().all(|b| b.downloaded_at.is_some()), "downloading a PDF is recorded");
    // Page order is record order: the first letter's code registers its record.
    let invited: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.id, r.date_of_birth FROM invitations i JOIN records r ON r.id = i.record_id \
         WHERE i.campaign_id = $1 ORDER BY r.id",
    )
    .bind(&id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(invited.len() as u64, with_address);
    assert_eq!(start(&app, &browser(), &rows[0][11], &invited[0].1).await.status(), 201);
    assert!(app.audit_actions().await.contains(&"campaign_finished".to_owned()));

    // Another team's admin cannot see it; a receptionist cannot run one.
    let jordan = browser();
    app.sign_in_as(&jordan, JORDAN, DEMO_PASSWORD).await;
    let theirs = jordan.get(app.url(&format!("/api/v1/staff/campaigns/{id}"))).send().await.unwrap();
    assert_eq!(theirs.status(), 404);
    let sam = browser();
    app.sign_in_as(&sam, SAM, DEMO_PASSWORD).await;
    let refused = post(
        &app,
        &sam,
        &format!("/staff/teams/{diabetes}/campaigns/preview"),
        json!({
        "channel": "letter", "registration": "not_invited" }),
    )
    .await;
    assert_eq!(refused.status(), 403);
    // A finished campaign cannot be paused.
    let paused = post(&app, &asha, &format!("/staff/campaigns/{id}/pause"), json!({})).await;
    assert_eq!(problem(paused).await["type"], "campaign-state");
}

async fn bad_cohorts_are_refused_with_every_reason_and_nothing_starts(engine: Engine) {
    let app = spawn_app(engine).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let preview_path = format!("/staff/teams/{diabetes}/campaigns/preview");
    let bad_numbers = post(&app, &asha, &preview_path, json!({
        "channel": "sms", "registration": "not_registered", "nhs_numbers_csv": "nhs_number\n9990000018\n1234567890\nabc\n"
    }))
    .await;
    let bad_numbers = problem(bad_numbers).await;
    let message = bad_numbers["errors"][0]["message"].as_str().unwrap();
    assert_eq!(bad_numbers["errors"][0]["field"], "nhs_numbers_csv");
    assert!(message.contains("rows 3, 4"), "{message}");

    let nonsense = post(
        &app,
        &asha,
        &preview_path,
        json!({
            "channel": "fax", "registration": "reminder", "invited_days_ago": 0, "min_age": 300
        }),
    )
    .await;
    let fields: Vec<String> = problem(nonsense).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["channel", "invited_days_ago", "max_reminders", "min_age"]);

    let unknown_field =
        post(&app, &asha, &preview_path, json!({ "channel": "sms", "registration": "x", "everyone": true })).await;
    assert_eq!(unknown_field.status(), 422);

    // Only another team's records listed: an empty cohort starts nothing.
    let theirs = only_in(&app, "respiratory").await;
    let empty = post(&app, &asha, &format!("/staff/teams/{diabetes}/campaigns"), json!({
        "name": "Nobody", "cohort": { "channel": "email", "registration": "not_invited", "nhs_numbers_csv": theirs[0].1 }
    }))
    .await;
    assert_eq!(problem(empty).await["type"], "empty-cohort");
    let no_name = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns"),
        json!({
            "name": " ", "cohort": { "channel": "email", "registration": "not_invited" }
        }),
    )
    .await;
    assert_eq!(problem(no_name).await["errors"][0]["field"], "name");
    let campaigns: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(campaigns, 0);
}

/// A server whose texts go to a Notify stand-in (3 a minute at most, receipts
/// with a token), and the stand-in.
pub(crate) async fn app_with_paced_notify(engine: Engine, per_minute: u32) -> (TestApp, NotifyStandIn) {
    let notify = NotifyStandIn::start().await.unwrap();
    let (base, key) = (notify.base_url(), notify.api_key());
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, move |s| {
        s.notify_base_url = base.parse().unwrap();
        s.notify_api_key = Some(key);
        s.notify_sms_invitation_template_id = Some(TEMPLATE_ID.into());
        s.notify_messages_per_minute = per_minute;
        s.notify_callback_token = Some(CALLBACK_TOKEN.into());
        s.campaign_chunk_size = 4;
    })
    .await;
    (app, notify)
}

pub(crate) fn texts_sent(notify: &NotifyStandIn) -> Vec<portico_notify::standin::RecordedRequest> {
    notify.requests().unwrap().into_iter().filter(|r| r.path == "/v2/notifications/sms" && r.status == 201).collect()
}

async fn start_sms_campaign(app: &TestApp, asha: &Client, how_many: usize) -> String {
    let diabetes = team_id(app, "diabetes").await;
    let listed: Vec<String> = only_in(app, "diabetes").await.into_iter().map(|(_, n)| n).collect();
    let mut with_mobile = Vec::new();
    for number in listed {
        let mobile: Option<String> = sqlx::query_scalar("SELECT mobile FROM records WHERE nhs_number = $1")
            .bind(&number)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if mobile.is_some() && with_mobile.len() < how_many {
            with_mobile.push(number);
        }
    }
    let started = post(app, asha, &format!("/staff/teams/{diabetes}/campaigns"), json!({
        "name": "Texts", "cohort": { "channel": "sms", "registration": "not_invited", "nhs_numbers_csv": with_mobile.join("\n") }
    }))
    .await;
    assert_eq!(started.status(), 201);
    started.json::<CampaignView>().await.unwrap().campaign.id
}

async fn an_sms_campaign_is_paced_to_notifys_limit_records_receipts_and_pauses(engine: Engine) {
    let (app, notify) = app_with_paced_notify(engine, 3).await;
    let asha = admin(&app).await;
    let id = start_sms_campaign(&app, &asha, 8).await;
    until(&app, &asha, &id, |v| v.campaign.progress.issued == 8).await;
    eventually(|| async { (texts_sent(&notify).len() == 3).then_some(()) }).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(texts_sent(&notify).len(), 3, "no more than 3 in a minute");
    let view = campaign(&app, &asha, &id).await;
    assert_eq!(
        (view.campaign.progress.sent, view.campaign.progress.waiting, view.campaign.progress.per_minute),
        (3, 5, 3)
    );

    // Paused: the waiting texts stay put, even once the minute has passed.
    assert_eq!(post(&app, &asha, &format!("/staff/campaigns/{id}/pause"), json!({})).await.status(), 200);
    app.clock.advance(time::Duration::seconds(61));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(texts_sent(&notify).len(), 3, "a paused campaign's texts wait");
    assert_eq!(post(&app, &asha, &format!("/staff/campaigns/{id}/resume"), json!({})).await.status(), 200);
    eventually(|| async { (texts_sent(&notify).len() == 6).then_some(()) }).await;
    app.clock.advance(time::Duration::seconds(61));
    eventually(|| async { (texts_sent(&notify).len() == 8).then_some(()) }).await;
    let mut references: Vec<String> =
        texts_sent(&notify).iter().map(|r| r.body["reference"].as_str().unwrap().to_owned()).collect();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 8, "each invitation texted once");
    assert!(texts_sent(&notify).iter().all(|r| r.jwt_valid));

    // Notify's delivery receipts.
    let sent: Vec<(String, String)> = eventually(|| async {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT provider_id, idempotency_key FROM outbox WHERE campaign_id = $1 AND provider_id IS NOT NULL ORDER BY id",
        )
        .bind(&id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        (rows.len() == 8).then_some(rows)
    })
    .await;
    let receipt = |(notify_id, reference): &(String, String), status: &str| {
        json!({ "id": notify_id, "reference": reference, "to": "+447700900001", "status": status,
                "created_at": "2026-11-25T09:00:00.000000Z", "completed_at": "2026-11-25T09:00:05.000000Z",
                "sent_at": "2026-11-25T09:00:01.000000Z", "notification_type": "sms" })
    };
    let receipts = reqwest::Client::new();
    let url = app.url("/api/v1/notify/delivery-receipts");
    let wrong =
        receipts.post(&url).bearer_auth("not-the-token").json(&receipt(&sent[0], "delivered")).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    for (i, row) in sent.iter().enumerate() {
        let status = if i == 0 { "permanent-failure" } else { "delivered" };
        let answer = receipts.post(&url).bearer_auth(CALLBACK_TOKEN).json(&receipt(row, status)).send().await.unwrap();
        assert_eq!(answer.status(), 204);
    }
    let unknown = receipts
        .post(&url)
        .bearer_auth(CALLBACK_TOKEN)
        .json(&receipt(&("not-ours".into(), "nor-this".into()), "delivered"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 204, "accepted, so Notify does not retry it");
    let view = campaign(&app, &asha, &id).await;
    assert_eq!((view.campaign.progress.delivered, view.campaign.progress.failed), (7, 1));
    assert!(view.failures[0].reason.contains("does not exist"), "{:?}", view.failures);
}

async fn notify_answering_429_500_or_slowly_delays_texts_but_doubles_none(engine: Engine) {
    let (app, notify) = app_with_paced_notify(engine, 0).await;
    notify.fail_next(429, "RateLimitError", 1).await.unwrap();
    notify.fail_next(429, "TooManyRequestsError", 1).await.unwrap();
    notify.fail_next(500, "Exception", 1).await.unwrap();
    let asha = admin(&app).await;
    let id = start_sms_campaign(&app, &asha, 5).await;
    until(&app, &asha, &id, |v| v.campaign.progress.issued == 5).await;
    // The three failures wait (a minute, an hour, a backoff); time moves on.
    for _ in 0..50 {
        if texts_sent(&notify).len() == 5 {
            break;
        }
        // Time jumps only when no text is in flight, as a real clock never
        // outruns a send (Notify's timeout is far shorter than a claim's lease).
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        until_nothing_in_flight(&app).await;
        app.clock.advance(time::Duration::minutes(61));
    }
    assert_eq!(texts_sent(&notify).len(), 5, "{:?}", notify.requests().unwrap());
    let all = notify.requests().unwrap();
    let failures = all.iter().filter(|r| r.path == "/v2/notifications/sms" && r.status != 201).count();
    assert_eq!(failures, 3);
    let mut references: Vec<String> =
        texts_sent(&notify).iter().map(|r| r.body["reference"].as_str().unwrap().to_owned()).collect();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 5, "each text delivered once");
    let asha = admin(&app).await; // the hours that passed ended the old session
    let view = until(&app, &asha, &id, |v| v.campaign.state == "finished").await;
    assert_eq!((view.campaign.progress.sent, view.campaign.progress.failed), (5, 0));
}

/// Waits until no message is being sent and none is due now.
async fn until_nothing_in_flight(app: &TestApp) {
    let now = stored(app.clock.now());
    eventually(|| async {
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL \
             AND (claimed_until IS NOT NULL OR next_attempt_at <= $1)",
        )
        .bind(&now)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let unissued: i64 = sqlx::query_scalar("SELECT count(*) FROM campaign_chunks WHERE done_at IS NULL")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        (busy == 0 && unissued == 0).then_some(())
    })
    .await;
}

async fn a_reminder_goes_to_those_invited_long_ago_up_to_the_cap(engine: Engine) {
    let app = spawn_app(engine).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let ours = only_in(&app, "diabetes").await;
    let listed: Vec<&str> = ours.iter().take(4).map(|(_, n)| n.as_str()).collect();
    let first = post(&app, &asha, &format!("/staff/teams/{diabetes}/campaigns"), json!({
        "name": "Emails", "cohort": { "channel": "email", "registration": "not_invited", "nhs_numbers_csv": listed.join("\n") }
    }))
    .await;
    let first: CampaignView = first.json().await.unwrap();
    let first = until(&app, &asha, &first.campaign.id, |v| v.campaign.state == "finished").await;
    let invited = first.campaign.progress.issued;
    assert!(invited > 0);

    let reminder = json!({ "channel": "email", "registration": "reminder", "invited_days_ago": 14, "max_reminders": 1,
                           "nhs_numbers_csv": listed.join("\n") });
    let preview_path = format!("/staff/teams/{diabetes}/campaigns/preview");
    let too_soon: CohortPreview = post(&app, &asha, &preview_path, reminder.clone()).await.json().await.unwrap();
    assert_eq!(too_soon.matching, 0, "invited today: no reminder yet");
    app.clock.advance(time::Duration::days(15));
    let asha = admin(&app).await; // a new session: the old one timed out
    let due: CohortPreview = post(&app, &asha, &preview_path, reminder.clone()).await.json().await.unwrap();
    assert_eq!(due.to_invite, invited);
    let started = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns"),
        json!({ "name": "Reminder", "cohort": reminder }),
    )
    .await;
    let started: CampaignView = started.json().await.unwrap();
    assert_eq!(started.campaign.kind, "reminder");
    let done = until(&app, &asha, &started.campaign.id, |v| v.campaign.state == "finished").await;
    assert_eq!((done.campaign.progress.processed, done.campaign.progress.total), (invited, invited));
    // Fifteen days on, the cap of one reminder holds.
    app.clock.advance(time::Duration::days(15));
    let asha = admin(&app).await;
    let capped: CohortPreview = post(
        &app,
        &asha,
        &preview_path,
        json!({
        "channel": "email", "registration": "reminder", "invited_days_ago": 14, "max_reminders": 1,
        "nhs_numbers_csv": listed.join("\n") }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!((capped.reminder_cap_reached, capped.to_invite), (invited, 0));
}

async fn a_cancelled_campaign_gives_up_its_unsent_messages_and_revokes_their_codes(engine: Engine) {
    let (app, _notify) = app_with_paced_notify(engine, 1).await;
    let asha = admin(&app).await;
    let id = start_sms_campaign(&app, &asha, 4).await;
    until(&app, &asha, &id, |v| v.campaign.progress.issued == 4 && v.campaign.progress.sent == 1).await;
    let cancelled = post(&app, &asha, &format!("/staff/campaigns/{id}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), 200);
    let view: CampaignView = cancelled.json().await.unwrap();
    assert_eq!(view.campaign.state, "cancelled");
    assert_eq!((view.campaign.progress.waiting, view.campaign.progress.failed), (0, 3));
    let revoked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM invitations WHERE campaign_id = $1 AND state = 'revoked'")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(revoked, 3);
}

crate::on_both_engines!(
    a_letter_campaign_over_a_listed_cohort_makes_batches_whose_codes_register,
    bad_cohorts_are_refused_with_every_reason_and_nothing_starts,
    an_sms_campaign_is_paced_to_notifys_limit_records_receipts_and_pauses,
    notify_answering_429_500_or_slowly_delays_texts_but_doubles_none,
    a_reminder_goes_to_those_invited_long_ago_up_to_the_cap,
    a_cancelled_campaign_gives_up_its_unsent_messages_and_revokes_their_codes,
);
