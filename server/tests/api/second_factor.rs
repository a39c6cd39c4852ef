//! The second factor: every professional's sign-in waits for an
//! authenticator's code (or a recovery code), a professional without one sets
//! one up first, each code works once, wrong codes are throttled; patients
//! may turn one on and off.

use portico_server::auth::second_factor::code_at;
use portico_server::clock::Clock as _;
use portico_server::db::Engine;
use portico_server::demo::{DEMO_PATIENT_EMAIL, DEMO_TOTP_SECRET};
use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, TestApp, browser, problem, secret_of, spawn_app};

fn demo_code(app: &TestApp) -> String {
    code_at(DEMO_TOTP_SECRET, app.clock.now()).unwrap()
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

async fn get(app: &TestApp, client: &Client, path: &str) -> reqwest::Response {
    client.get(app.url(path)).send().await.unwrap()
}

/// The subjects of the second-factor notices queued to `email`, oldest first.
async fn notices(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT subject FROM outbox WHERE to_address = $1 AND kind = 'second_factor_changed' ORDER BY created_at, id",
    )
    .bind(email)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

async fn a_staff_session_is_good_for_nothing_until_its_code(engine: Engine) {
    let app = spawn_app(engine).await;
    let client = browser();
    let signed_in = app.password_only(&client, ASHA, DEMO_PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    let waiting_cookie = signed_in.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    let waiting: Value = signed_in.json().await.unwrap();
    assert_eq!(waiting["second_factor"], "verify");

    let teams = get(&app, &client, "/api/v1/staff/teams").await;
    assert_eq!(teams.status(), 401);
    assert_eq!(problem(teams).await["type"], "second-factor-needed");
    assert_eq!(get(&app, &client, "/api/v1/me/records").await.status(), 401);
    // The sign-in page asks who is waiting, to show the code step.
    let session: Value = get(&app, &client, "/api/v1/session").await.json().await.unwrap();
    assert_eq!(session["second_factor"], "verify");

    let malformed = post(&app, &client, "/api/v1/session/second-factor", json!({ "code": "12" })).await;
    assert_eq!(malformed.status(), 422);
    assert_eq!(problem(malformed).await["errors"][0]["field"], "code");
    let wrong = post(&app, &client, "/api/v1/session/second-factor", json!({ "code": "000000" })).await;
    assert_eq!(wrong.status(), 422);

    let right = post(&app, &client, "/api/v1/session/second-factor", json!({ "code": demo_code(&app) })).await;
    assert_eq!(right.status(), 200);
    let whole: Value = right.json().await.unwrap();
    assert!(whole.get("second_factor").is_none());
    assert_eq!(get(&app, &client, "/api/v1/staff/teams").await.status(), 200);

    // The waiting session's cookie was replaced, and is worth nothing now.
    let old = reqwest::Client::new()
        .get(app.url("/api/v1/session"))
        .header("cookie", waiting_cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"second_factor_failed".to_owned()));
    assert!(actions.contains(&"second_factor_verified".to_owned()));
}

async fn each_code_signs_in_once_even_sent_twice_at_once(engine: Engine) {
    let app = spawn_app(engine).await;
    let (first, second) = (browser(), browser());
    for client in [&first, &second] {
        assert_eq!(app.password_only(client, ASHA, DEMO_PASSWORD).await.status(), 200);
    }
    let code = demo_code(&app);
    let (a, b) = tokio::join!(
        post(&app, &first, "/api/v1/session/second-factor", json!({ "code": code })),
        post(&app, &second, "/api/v1/session/second-factor", json!({ "code": code })),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422], "one wins, the replay is refused");

    // Sent again later, in the same 30 seconds: still refused.
    let third = browser();
    app.password_only(&third, ASHA, DEMO_PASSWORD).await;
    let replayed = post(&app, &third, "/api/v1/session/second-factor", json!({ "code": code })).await;
    assert_eq!(replayed.status(), 422);
    // The next step's code (a phone a little ahead) is still good.
    let next = code_at(DEMO_TOTP_SECRET, app.clock.now() + time::Duration::seconds(30)).unwrap();
    let ahead = post(&app, &third, "/api/v1/session/second-factor", json!({ "code": next })).await;
    assert_eq!(ahead.status(), 200);
}

async fn wrong_codes_are_throttled_per_account(engine: Engine) {
    let app = spawn_app(engine).await;
    let client = browser();
    app.password_only(&client, SAM, DEMO_PASSWORD).await;
    for _ in 0..5 {
        let wrong = post(&app, &client, "/api/v1/session/second-factor", json!({ "code": "111111" })).await;
        assert_eq!(wrong.status(), 422);
    }
    // Even the right code waits now, and from another browser too.
    let right = post(&app, &client, "/api/v1/session/second-factor", json!({ "code": demo_code(&app) })).await;
    assert_eq!(right.status(), 429);
    assert!(right.headers().get("retry-after").is_some());
    let other = browser();
    app.password_only(&other, SAM, DEMO_PASSWORD).await;
    let elsewhere = post(&app, &other, "/api/v1/session/second-factor", json!({ "code": demo_code(&app) })).await;
    assert_eq!(elsewhere.status(), 429);
    // The lock is short: after it, the right code works.
    app.clock.advance(time::Duration::minutes(2));
    let later = post(&app, &other, "/api/v1/session/second-factor", json!({ "code": demo_code(&app) })).await;
    assert_eq!(later.status(), 200);
}

async fn a_professional_without_one_sets_an_authenticator_up_and_keeps_recovery_codes(engine: Engine) {
    let app = spawn_app(engine).await;
    sqlx::query("DELETE FROM second_factors WHERE account_id = (SELECT id FROM accounts WHERE email = $1)")
        .bind(SAM)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let client = browser();
    let signed_in: Value = app.password_only(&client, SAM, DEMO_PASSWORD).await.json().await.unwrap();
    assert_eq!(signed_in["second_factor"], "enrol");
    assert_eq!(get(&app, &client, "/api/v1/staff/teams").await.status(), 401);
    // A code step is not what this session waits for.
    let not_yet = post(&app, &client, "/api/v1/session/second-factor", json!({ "code": "123456" })).await;
    assert_eq!(not_yet.status(), 409);

    let enrolment: Value =
        post(&app, &client, "/api/v1/session/second-factor/enrolment", json!({})).await.json().await.unwrap();
    let uri = enrolment["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Portico:sam.okafor"), "{uri}");
    assert!(uri.contains("issuer=Portico"));
    assert!(enrolment["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let secret = secret_of(uri);
    assert_eq!(secret.len(), 20);
    // Stored sealed: neither the bytes nor the base 32 are in the table.
    let sealed: String = sqlx::query_scalar("SELECT sealed_secret FROM second_factors")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|s: &String| !s.is_empty())
        .unwrap();
    assert!(!sealed.contains(&hex::encode(&secret)));
    assert!(!sealed.to_uppercase().contains(&enrolment["secret"].as_str().unwrap().replace(' ', "")));

    let wrong =
        post(&app, &client, "/api/v1/session/second-factor/enrolment/confirm", json!({ "code": "000000" })).await;
    assert_eq!(wrong.status(), 422);
    let code = code_at(&secret, app.clock.now()).unwrap();
    let confirmed =
        post(&app, &client, "/api/v1/session/second-factor/enrolment/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    let codes: Vec<String> =
        confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    assert_eq!(get(&app, &client, "/api/v1/staff/teams").await.status(), 200);
    // Set up once: a second enrolment is refused, and nobody can swap the secret.
    let again = post(&app, &client, "/api/v1/session/second-factor/enrolment", json!({})).await;
    assert_eq!(again.status(), 409);

    // Without the phone: a recovery code, typed in capitals, once.
    let later = browser();
    app.password_only(&later, SAM, DEMO_PASSWORD).await;
    let recovered =
        post(&app, &later, "/api/v1/session/second-factor", json!({ "code": codes[0].to_uppercase() })).await;
    assert_eq!(recovered.status(), 200);
    let status: Value = get(&app, &later, "/api/v1/me/second-factor").await.json().await.unwrap();
    assert_eq!(status, json!({ "set_up": true, "required": true, "recovery_codes_left": 9 }));
    let reuse = browser();
    app.password_only(&reuse, SAM, DEMO_PASSWORD).await;
    let used = post(&app, &reuse, "/api/v1/session/second-factor", json!({ "code": codes[0] })).await;
    assert_eq!(used.status(), 422);
    assert!(app.audit_actions().await.contains(&"recovery_code_used".to_owned()));
    assert_eq!(
        notices(&app, SAM).await,
        [
            "Two-step sign-in is now on for your Portico account",
            "A recovery code was used to sign in to your Portico account"
        ]
    );
    let told: String =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = $1 AND subject LIKE 'A recovery code%'")
            .bind(SAM)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(told.contains("you have 9 left"), "{told}");
    // A professional cannot turn it off.
    let off = later
        .delete(app.url("/api/v1/me/second-factor"))
        .json(&json!({ "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 403);
}

async fn a_patient_may_turn_a_second_factor_on_and_off(engine: Engine) {
    let app = spawn_app(engine).await;
    let client = browser();
    let signed_in: Value = app.password_only(&client, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.json().await.unwrap();
    assert!(signed_in.get("second_factor").is_none(), "off until the patient turns it on");
    let status: Value = get(&app, &client, "/api/v1/me/second-factor").await.json().await.unwrap();
    assert_eq!(status, json!({ "set_up": false, "required": false, "recovery_codes_left": 0 }));

    let enrolment: Value =
        post(&app, &client, "/api/v1/session/second-factor/enrolment", json!({})).await.json().await.unwrap();
    let secret = secret_of(enrolment["otpauth_uri"].as_str().unwrap());
    let code = code_at(&secret, app.clock.now()).unwrap();
    let confirmed =
        post(&app, &client, "/api/v1/session/second-factor/enrolment/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), 200);
    // The session it was set up in carries on.
    assert_eq!(get(&app, &client, "/api/v1/me/record").await.status(), 200);

    let next = browser();
    let waiting: Value = app.password_only(&next, DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.json().await.unwrap();
    assert_eq!(waiting["second_factor"], "verify");
    assert_eq!(get(&app, &next, "/api/v1/me/record").await.status(), 401);
    app.clock.advance(time::Duration::seconds(30));
    let code = code_at(&secret, app.clock.now()).unwrap();
    assert_eq!(post(&app, &next, "/api/v1/session/second-factor", json!({ "code": code })).await.status(), 200);
    assert_eq!(get(&app, &next, "/api/v1/me/record").await.status(), 200);

    let wrong =
        next.delete(app.url("/api/v1/me/second-factor")).json(&json!({ "password": "not it" })).send().await.unwrap();
    assert_eq!(wrong.status(), 422);
    let off = next
        .delete(app.url("/api/v1/me/second-factor"))
        .json(&json!({ "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 204);
    let after: Value = app.password_only(&browser(), DEMO_PATIENT_EMAIL, DEMO_PASSWORD).await.json().await.unwrap();
    assert!(after.get("second_factor").is_none());
    assert!(app.audit_actions().await.contains(&"second_factor_removed".to_owned()));
    assert_eq!(
        notices(&app, DEMO_PATIENT_EMAIL).await,
        [
            "Two-step sign-in is now on for your Portico account",
            "Two-step sign-in has been turned off for your Portico account"
        ]
    );
}

/// `portico second-factor reset`, run as the service desk would, on this app's database.
async fn reset_from_the_command_line(app: &TestApp, email: &str, reason: &str) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .args(["second-factor", "reset", "--email", email, "--reason", reason])
        .env("DATABASE_URL", app.database_url())
        .env("USER", "service-desk");
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

/// A professional who lost their authenticator and its recovery codes
/// cannot remove it themselves; the service desk resets it on the command
/// line, which ends their sessions, tells them, and is audited with why.
async fn the_service_desk_resets_a_lost_second_factor_from_the_command_line(engine: Engine) {
    let app = spawn_app(engine).await;
    let sam = browser();
    assert_eq!(app.sign_in_as(&sam, SAM, DEMO_PASSWORD).await.status(), 200);

    let done = reset_from_the_command_line(&app, SAM, "Lost phone and recovery codes; ticket SD-1042").await;
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(String::from_utf8_lossy(&done.stdout).contains("1 session(s) ended"));
    assert_eq!(get(&app, &sam, "/api/v1/staff/teams").await.status(), 401, "signed out everywhere");
    let again: Value = app.password_only(&browser(), SAM, DEMO_PASSWORD).await.json().await.unwrap();
    assert_eq!(again["second_factor"], "enrol", "the next sign-in sets a new authenticator up");
    assert_eq!(notices(&app, SAM).await, ["Your Portico account's two-step sign-in has been reset"]);
    let (detail,): (String,) =
        sqlx::query_as("SELECT CAST(detail AS TEXT) FROM audit_events WHERE action = 'second_factor_reset'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["operator"], "service-desk");
    assert_eq!(detail["reason"], "Lost phone and recovery codes; ticket SD-1042");

    // Nothing to reset now, an unknown address, no reason: refused, nothing changed.
    for (email, reason, says) in [
        (SAM, "again", "has no two-step sign-in set up"),
        ("nobody@demo.portico.example", "typo", "no account has the email"),
        (ASHA, " ", "--reason is needed"),
    ] {
        let refused = reset_from_the_command_line(&app, email, reason).await;
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(says),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
    }
    assert_eq!(app.sign_in_as(&browser(), ASHA, DEMO_PASSWORD).await.status(), 200, "Asha's is untouched");
}

crate::on_both_engines!(
    the_service_desk_resets_a_lost_second_factor_from_the_command_line,
    a_staff_session_is_good_for_nothing_until_its_code,
    each_code_signs_in_once_even_sent_twice_at_once,
    wrong_codes_are_throttled_per_account,
    a_professional_without_one_sets_an_authenticator_up_and_keeps_recovery_codes,
    a_patient_may_turn_a_second_factor_on_and_off,
);
