//! Brute force across instances: two Porticos on one database (as behind a
//! load balancer) share every throttle's count, so guesses spread over both
//! meet the one limit, per target and per address (ASVS V2.2.1, V11.1.4).

use portico_server::db::Engine;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, SAM, TestApp, browser, problem, spawn_app};
use crate::invitations::{app_with_mail, letter, start, unregistered_record, wrong_date};

/// `count` requests at once, the even ones to `a` and the odd ones to `b`,
/// each from a fresh client: `body(i)` is request `i`'s JSON, posted to `path`.
async fn spread(
    a: &TestApp,
    b: &TestApp,
    count: usize,
    path: &str,
    body: impl Fn(usize) -> serde_json::Value,
) -> Vec<reqwest::Response> {
    let requests = (0..count).map(|i| {
        let url = if i % 2 == 0 { a.url(path) } else { b.url(path) };
        let request = browser().post(url).json(&body(i));
        async move { request.send().await.unwrap() }
    });
    futures_util::future::join_all(requests).await
}

async fn password_guesses_spread_over_two_instances_meet_one_limit(engine: Engine) {
    let app = spawn_app(engine).await;
    let other = app.sibling().await;
    let answers =
        spread(&app, &other, 20, "/api/v1/session", |i| json!({ "email": SAM, "password": format!("guess-{i}") }))
            .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked + statuses.iter().filter(|s| **s == 429).count(), 20, "{statuses:?}");
    assert!(checked <= 5, "five passwords may be checked over both instances, got {checked}: {statuses:?}");
    // Locked on both: even the right password waits.
    for instance in [&app, &other] {
        let locked = instance.sign_in_as(&browser(), SAM, DEMO_PASSWORD).await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

async fn date_of_birth_guesses_spread_over_two_instances_lock_the_code(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let other = app.sibling().await;
    let (record_id, dob, _) = unregistered_record(&app, 2).await;
    let code = letter(&app, &record_id).await.code.unwrap();
    let wrong = wrong_date(&dob);
    let answers =
        spread(&app, &other, 12, "/api/v1/registration", |_| json!({ "code": code, "date_of_birth": wrong })).await;
    let mut kinds = Vec::new();
    for answer in answers {
        kinds.push(problem(answer).await["type"].as_str().unwrap_or_default().to_owned());
    }
    let mismatches = kinds.iter().filter(|k| *k == "registration-mismatch").count();
    assert!(mismatches <= 4, "four wrong dates are answered, the fifth locks: {kinds:?}");
    assert!(kinds.iter().all(|k| k == "registration-mismatch" || k == "invitation-locked"), "{kinds:?}");
    // Locked on both, for the right date of birth too.
    for instance in [&app, &other] {
        let still = problem(start(instance, &browser(), &code, &dob).await).await;
        assert_eq!(still["type"], "invitation-locked");
    }
    let failed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'invitation_failed_attempt'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(failed <= 5, "at most five wrong dates were checked, {failed} audited");
}

async fn one_address_trying_many_codes_is_stopped_across_instances(engine: Engine) {
    let app = spawn_app(engine).await;
    let other = app.sibling().await;
    let mut statuses = Vec::new();
    // Thirty tries an hour from one address, whichever instance answers.
    for i in 0..31u64 {
        let instance = if i % 2 == 0 { &app } else { &other };
        let code = portico_types::InvitationCode::from_random_bits(1_000_000 + i).grouped();
        let answer = start(instance, &browser(), &code, "1970-01-01").await;
        let status = answer.status().as_u16();
        statuses.push((status, problem(answer).await["type"].as_str().unwrap_or_default().to_owned()));
    }
    assert!(statuses[..30].iter().all(|(_, kind)| kind == "registration-mismatch"), "{statuses:?}");
    assert_eq!(statuses[30].0, 429, "{statuses:?}");
}

crate::on_both_engines!(
    password_guesses_spread_over_two_instances_meet_one_limit,
    date_of_birth_guesses_spread_over_two_instances_lock_the_code,
    one_address_trying_many_codes_is_stopped_across_instances,
);
