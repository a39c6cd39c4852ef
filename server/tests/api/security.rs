//! Cross-site request refusal, security headers, and serving the app shells.

use portico_server::db::Engine;

use crate::helpers::{DEMO_PASSWORD, SAM, problem, spawn_app};

async fn state_changes_need_the_csrf_header_and_our_origin(engine: Engine) {
    let app = spawn_app(engine).await;
    let body = serde_json::json!({ "email": SAM, "password": DEMO_PASSWORD });
    let plain = reqwest::Client::new();
    let url = app.url("/api/v1/session");

    let no_header = plain.post(&url).json(&body).send().await.unwrap();
    assert_eq!(no_header.status(), 403);
    assert_eq!(problem(no_header).await["type"], "cross-site");

    let other_origin = plain
        .post(&url)
        .header("x-portico-csrf", "1")
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(other_origin.status(), 403);

    let cross_site = plain
        .post(&url)
        .header("x-portico-csrf", "1")
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);

    let same_origin = plain
        .post(&url)
        .header("x-portico-csrf", "1")
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), 200);

    // Signing out is a state change too.
    let sign_out = plain.delete(&url).send().await.unwrap();
    assert_eq!(sign_out.status(), 403);
    assert_eq!(app.audit_actions().await, ["sign_in"], "refused requests did nothing");
}

async fn every_answer_carries_the_security_headers(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in ["/", "/staff/sign-in", "/api/v1/session", "/healthz", "/pkg/app.js"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "'wasm-unsafe-eval'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers.contains_key("x-request-id"), "{path}");
        assert!(!headers.contains_key("strict-transport-security"), "no HSTS over plain http");
    }
    assert_eq!(app.get("/api/v1/session").await.headers()["cache-control"], "no-store");
}

async fn client_routes_get_their_own_shell(engine: Engine) {
    let app = spawn_app(engine).await;
    for (path, shell) in [
        ("/", "patient shell"),
        ("/some/patient/page", "patient shell"),
        ("/staff", "staff shell"),
        ("/staff/teams/abc", "staff shell"),
        ("/register?code=ABCD-EFGH-JKMN", "register shell"),
        ("/register/check-email", "register shell"),
        ("/join/diabetes", "join shell"),
        ("/account/notifications", "notifications shell"),
        ("/notifications/unsubscribe?token=x", "notifications shell"),
        ("/sign-in", "account shell"),
        ("/account/confirm-email?token=x", "account shell"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.text().await.unwrap().contains(shell), "{path}");
    }
    assert_eq!(app.get("/pkg/app.js").await.status(), 200);
    assert_eq!(app.get("/pkg/missing.wasm").await.status(), 404);
}

crate::on_both_engines!(
    state_changes_need_the_csrf_header_and_our_origin,
    every_answer_carries_the_security_headers,
    client_routes_get_their_own_shell,
);
