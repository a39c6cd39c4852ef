//! Signing in: the journey, the same answer for missing accounts, throttles.

use portico_server::db::Engine;
use portico_types::api::Role;
use time::Duration;

use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, browser, problem, spawn_app};

async fn a_professional_signs_in_and_sees_their_teams(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.signed_in(SAM).await;
    assert_eq!(session.account.display_name, "Sam Okafor");
    let staff = session.staff.expect("Sam is staff");
    assert_eq!(staff.organisation.ods_code.as_str(), "X26DEMO");
    assert_eq!(staff.teams.len(), 2);
    assert!(staff.teams.iter().all(|t| t.roles == vec![Role::Receptionist]));
    assert_eq!(session.idle_timeout_secs, 1800);

    let teams = app.teams().await.teams;
    assert_eq!(teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Diabetes Clinic", "Respiratory Clinic"]);
    assert!(teams.iter().all(|t| t.record_count > 0));
    assert_eq!(app.audit_actions().await, ["sign_in", "second_factor_verified"]);
}

async fn wrong_password_and_missing_account_get_the_same_answer(engine: Engine) {
    let app = spawn_app(engine).await;
    let wrong_password = app.sign_in(SAM, "not-the-password").await;
    let missing_account = app.sign_in("nobody@demo.portico.example", "not-the-password").await;
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(missing_account.status(), 401);
    let (a, b) = (problem(wrong_password).await, problem(missing_account).await);
    assert_eq!(a, b);
    assert_eq!(a["title"], "Email or password is incorrect");
    assert_eq!(app.audit_actions().await, ["sign_in_failed", "sign_in_failed"]);
}

async fn the_email_is_matched_whatever_its_case(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app.sign_in(&SAM.to_uppercase(), DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200);
}

async fn five_wrong_passwords_lock_the_email_for_a_growing_time(engine: Engine) {
    let app = spawn_app(engine).await;
    for _ in 0..5 {
        assert_eq!(app.sign_in(SAM, "wrong-password").await.status(), 401);
    }
    // Locked: even the right password waits, and the answer says how long.
    let locked = app.sign_in(SAM, DEMO_PASSWORD).await;
    assert_eq!(locked.status(), 429);
    assert_eq!(locked.headers()["retry-after"], "60");
    let body = problem(locked).await;
    assert_eq!(body["retry_after"], 60);
    assert!(app.audit_actions().await.contains(&"sign_in_locked_out".to_owned()));

    // After the wait one more try is allowed; wrong again, the wait doubles.
    app.clock.advance(Duration::seconds(61));
    assert_eq!(app.sign_in(SAM, "wrong-again").await.status(), 401);
    let locked = app.sign_in(SAM, DEMO_PASSWORD).await;
    assert_eq!(locked.status(), 429);
    assert_eq!(locked.headers()["retry-after"], "120");

    // Other accounts are not affected, and the right password works after the wait.
    assert_eq!(app.sign_in_as(&browser(), ASHA, DEMO_PASSWORD).await.status(), 200);
    app.clock.advance(Duration::seconds(121));
    assert_eq!(app.sign_in(SAM, DEMO_PASSWORD).await.status(), 200);
    // Success clears the count: five fresh tries again.
    for _ in 0..4 {
        assert_eq!(app.sign_in(SAM, "wrong-password").await.status(), 401);
    }
    assert_eq!(app.sign_in(SAM, DEMO_PASSWORD).await.status(), 200);
}

async fn a_missing_account_locks_exactly_like_an_existing_one(engine: Engine) {
    let app = spawn_app(engine).await;
    for email in [SAM, "nobody@demo.portico.example"] {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(app.sign_in(email, "wrong-password").await.status().as_u16());
        }
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "{email}");
    }
}

async fn parallel_guesses_cannot_slip_past_the_limit(engine: Engine) {
    let app = spawn_app(engine).await;
    let attempts = (0..20).map(|i| {
        let client = browser();
        let url = app.url("/api/v1/session");
        async move {
            client
                .post(url)
                .json(&serde_json::json!({ "email": SAM, "password": format!("guess-{i}") }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 20, "{statuses:?}");
    assert!(checked <= 5, "only five passwords may be checked, got {checked}: {statuses:?}");
}

async fn one_address_trying_many_accounts_is_stopped(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut statuses = Vec::new();
    for i in 0..51 {
        let response = app.sign_in(&format!("person{i}@example.com"), "password-spray").await;
        statuses.push(response.status().as_u16());
    }
    assert!(statuses[..50].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[50], 429);
}

async fn signing_in_replaces_the_previous_session(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app.sign_in(SAM, DEMO_PASSWORD).await;
    let first_cookie = session_cookie(&first);
    let second = app.sign_in(SAM, DEMO_PASSWORD).await;
    let second_cookie = session_cookie(&second);
    assert_ne!(first_cookie, second_cookie);
    // The first token no longer works.
    let old = reqwest::Client::new()
        .get(app.url("/api/v1/session"))
        .header("cookie", format!("portico-session={first_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(sessions, 1);
}

pub fn session_cookie(response: &reqwest::Response) -> String {
    let header = response.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

crate::on_both_engines!(
    a_professional_signs_in_and_sees_their_teams,
    wrong_password_and_missing_account_get_the_same_answer,
    the_email_is_matched_whatever_its_case,
    five_wrong_passwords_lock_the_email_for_a_growing_time,
    a_missing_account_locks_exactly_like_an_existing_one,
    parallel_guesses_cannot_slip_past_the_limit,
    one_address_trying_many_accounts_is_stopped,
    signing_in_replaces_the_previous_session,
);
