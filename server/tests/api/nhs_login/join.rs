//! NHS login from a team's join page (`/join/<slug>`): once the record is
//! claimed or made, a team that admits proven sign-ups takes it at once; a
//! team that reviews every sign-up gets it in its queue, where staff add
//! the person's own record to the team; below P9 the details wait in the
//! queue; a closed or unknown page joins nothing.

use portico_server::db::Engine;
use portico_types::api::{MySignUpsResponse, SignUpQueueResponse};
use reqwest::Client;
use serde_json::json;

use super::standin::{NhsLoginApp, P9_ONLY, Setup, browser, spawn};
use crate::invitations::{admin, post};

const NIA: &str = "9998000009";

/// Opens the Cardiology Clinic's join page with `admission`, and makes Dr
/// Asha Patel its admin, to decide its queue; the team's id.
async fn open_cardiology(it: &NhsLoginApp, admission: &str) -> String {
    let pool = &it.app.db.pool;
    let team: String =
        sqlx::query_scalar("SELECT id FROM teams WHERE slug = 'cardiology'").fetch_one(pool).await.unwrap();
    sqlx::query(
        "INSERT INTO team_join_pages (team_id, enabled, message, admission, updated_at) \
         VALUES ($1, 1, '', $2, '2026-11-27T00:00:00Z')",
    )
    .bind(&team)
    .bind(admission)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO team_roles (account_id, team_id, role) \
         SELECT id, $1, 'admin' FROM accounts WHERE email = 'asha.patel@demo.portico.example'",
    )
    .bind(&team)
    .execute(pool)
    .await
    .unwrap();
    team
}

/// The whole dance for `user`, from team `slug`'s join page: where it ends.
async fn join_as(it: &NhsLoginApp, browser: &Client, user: &str, slug: &str) -> String {
    let form = it.to_login_page(browser, &format!("from=join&team={slug}")).await;
    let callback = it.choose(browser, &form, user).await;
    it.back_at_portico(browser, &callback).await
}

/// The teams (by slug) the record with this NHS number belongs to.
async fn teams_of(it: &NhsLoginApp, nhs_number: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT t.slug FROM team_records tr JOIN teams t ON t.id = tr.team_id JOIN records r ON r.id = tr.record_id \
         WHERE r.nhs_number = $1 ORDER BY t.slug",
    )
    .bind(nhs_number)
    .fetch_all(&it.app.db.pool)
    .await
    .unwrap()
}

async fn sign_ups(it: &NhsLoginApp) -> Vec<(String, Option<String>, String, String)> {
    sqlx::query_as("SELECT source, identity_level, held_because, state FROM sign_ups ORDER BY created_at")
        .fetch_all(&it.app.db.pool)
        .await
        .unwrap()
}

async fn a_p9_identity_from_a_reviewing_team_has_its_record_and_waits_until_staff_add_it(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let team = open_cardiology(&it, "review_all").await;
    let nia = browser();
    assert_eq!(join_as(&it, &nia, "p9-new", "cardiology").await, "/nhs-login?outcome=team-waiting");
    // Her record is hers at once; the team has not taken it yet.
    assert_eq!(nia.get(it.app.url("/api/v1/me/record")).send().await.unwrap().status(), 200);
    assert!(teams_of(&it, NIA).await.is_empty());
    let waiting =
        [("nhs_login".to_owned(), Some("P9".to_owned()), "team_reviews_all".to_owned(), "waiting".to_owned())];
    assert_eq!(sign_ups(&it).await, waiting);

    // The team sees her own record first, and links it: the record joins the team.
    let asha = admin(&it.app).await;
    let queue: SignUpQueueResponse = asha
        .get(it.app.url(&format!("/api/v1/staff/teams/{team}/sign-ups")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sign_up = &queue.sign_ups[0];
    let theirs = &sign_up.matches[0];
    assert!(theirs.theirs && theirs.registered, "{:?}", sign_up.matches);
    assert_eq!(theirs.record.nhs_number.map(|n| n.as_digits()).as_deref(), Some(NIA));
    let path = format!("/api/v1/staff/sign-ups/{}/link", sign_up.id);
    let linked = post(&it.app, &asha, &path, json!({ "record_id": theirs.record.id })).await;
    assert_eq!(linked.status(), 200);
    assert_eq!(teams_of(&it, NIA).await, ["cardiology"]);
    assert_eq!(sign_ups(&it).await[0].3, "linked");
    let mine: MySignUpsResponse =
        nia.get(it.app.url("/api/v1/me/sign-ups")).send().await.unwrap().json().await.unwrap();
    assert_eq!(serde_json::to_value(mine.sign_ups[0].state).unwrap(), "linked");

    // Mona's record is the team's already: she lands on it, with nothing to review.
    assert_eq!(join_as(&it, &browser(), "p9-match", "cardiology").await, "/record");
    assert_eq!(sign_ups(&it).await.len(), 1);
}

async fn a_team_that_admits_proven_sign_ups_takes_a_p9_record_at_once(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    open_cardiology(&it, "admit_proven").await;
    assert_eq!(join_as(&it, &browser(), "p9-new", "cardiology").await, "/record");
    assert_eq!(teams_of(&it, NIA).await, ["cardiology"]);
    assert!(sign_ups(&it).await.is_empty());
    let actions = it.app.audit_actions().await;
    assert!(actions.contains(&"sign_up_admitted".to_owned()), "{actions:?}");
}

async fn below_p9_the_details_wait_in_the_queue_whatever_the_team_admits(engine: Engine) {
    let it = spawn(engine, Setup { accept_p5: true, provider_down: false }).await;
    open_cardiology(&it, "admit_proven").await;
    let pat = browser();
    // The record page tells them where their request stands.
    assert_eq!(join_as(&it, &pat, "p5", "cardiology").await, "/record");
    assert_eq!(pat.get(it.app.url("/api/v1/me/record")).send().await.unwrap().status(), 404);
    let waiting =
        [("nhs_login".to_owned(), Some("P5".to_owned()), "identity_not_proven".to_owned(), "waiting".to_owned())];
    assert_eq!(sign_ups(&it).await, waiting);
    // Signing in from the page again (another device) does not queue them twice.
    assert_eq!(join_as(&it, &browser(), "p5", "cardiology").await, "/record");
    assert_eq!(sign_ups(&it).await.len(), 1);
}

async fn a_closed_or_unknown_join_page_joins_nothing(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    // Cardiology's page was never opened; "nowhere" is no team.
    assert_eq!(join_as(&it, &browser(), "p9-new", "cardiology").await, "/record");
    assert_eq!(join_as(&it, &browser(), "p9-match", "nowhere%2F..").await, "/record");
    assert!(teams_of(&it, NIA).await.is_empty());
    assert!(sign_ups(&it).await.is_empty());
}

crate::on_both_engines!(
    a_p9_identity_from_a_reviewing_team_has_its_record_and_waits_until_staff_add_it,
    a_team_that_admits_proven_sign_ups_takes_a_p9_record_at_once,
    below_p9_the_details_wait_in_the_queue_whatever_the_team_admits,
    a_closed_or_unknown_join_page_joins_nothing,
);
