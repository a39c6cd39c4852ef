//! Sessions: idle and absolute expiry, sign-out, cookie flags.

use portico_server::db::Engine;
use portico_types::api::SessionResponse;
use time::Duration;

use crate::helpers::{DEMO_PASSWORD, Options, SAM, spawn_app, spawn_app_with};

async fn a_session_ends_after_thirty_idle_minutes(engine: Engine) {
    let app = spawn_app(engine).await;
    app.signed_in(SAM).await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get("/api/v1/session").await.status(), 200, "used within 30 minutes");
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get("/api/v1/session").await.status(), 200, "each use extends it");
    app.clock.advance(Duration::minutes(31));
    assert_eq!(app.get("/api/v1/session").await.status(), 401, "31 idle minutes end it");
    assert_eq!(app.get("/api/v1/staff/teams").await.status(), 401);
}

async fn a_session_ends_after_twelve_hours_however_busy(engine: Engine) {
    let app = spawn_app(engine).await;
    // The pages are told when, so they can sign the person out on time.
    assert_eq!(app.signed_in(SAM).await.ends_in_secs, 12 * 3600);
    for quarter in 1..(12 * 4) {
        app.clock.advance(Duration::minutes(15));
        let response = app.get("/api/v1/session").await;
        assert_eq!(response.status(), 200);
        let session: SessionResponse = response.json().await.unwrap();
        assert_eq!(session.ends_in_secs, 12 * 3600 - quarter * 15 * 60);
    }
    app.clock.advance(Duration::minutes(15));
    assert_eq!(app.get("/api/v1/session").await.status(), 401);
}

async fn signing_out_ends_the_session_on_the_server(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app.sign_in(SAM, DEMO_PASSWORD).await;
    let token = crate::sign_in::session_cookie(&response);
    let signed_out = app.client.delete(app.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(signed_out.status(), 204);
    let cleared = signed_out.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cleared.starts_with("portico-session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // The token is dead even for a client that kept it.
    let replay = reqwest::Client::new()
        .get(app.url("/api/v1/staff/teams"))
        .header("cookie", format!("portico-session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert_eq!(app.audit_actions().await, ["sign_in", "second_factor_verified", "sign_out"]);
    // Signing out again is harmless.
    assert_eq!(app.client.delete(app.url("/api/v1/session")).send().await.unwrap().status(), 204);
}

async fn the_cookie_is_http_only_and_lax(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app.sign_in(SAM, DEMO_PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("portico-session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain http cannot carry a Secure cookie");
    assert_eq!(crate::sign_in::session_cookie(&response).len(), 64, "256-bit token");
}

async fn over_tls_the_cookie_is_secure_and_host_prefixed(engine: Engine) {
    let app = spawn_app_with(engine, Options { tls_base_url: true }).await;
    let response = app.sign_in(SAM, DEMO_PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-portico-session="), "{cookie}");
    assert!(cookie.contains("Secure"));
    assert!(response.headers()["strict-transport-security"].to_str().unwrap().contains("max-age=31536000"));
}

async fn a_disabled_account_loses_its_sessions_and_cannot_sign_in(engine: Engine) {
    let app = spawn_app(engine).await;
    app.signed_in(SAM).await;
    sqlx::query("UPDATE accounts SET disabled_at = '2026-11-25T09:00:00.000000Z' WHERE email = $1")
        .bind(SAM)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(app.get("/api/v1/session").await.status(), 401);
    assert_eq!(app.sign_in(SAM, DEMO_PASSWORD).await.status(), 401);
}

crate::on_both_engines!(
    a_session_ends_after_thirty_idle_minutes,
    a_session_ends_after_twelve_hours_however_busy,
    signing_out_ends_the_session_on_the_server,
    the_cookie_is_http_only_and_lax,
    over_tls_the_cookie_is_secure_and_host_prefixed,
    a_disabled_account_loses_its_sessions_and_cannot_sign_in,
);
