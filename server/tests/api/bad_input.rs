//! Bad input of every kind gets a clear problem answer and changes nothing.

use portico_server::db::Engine;

use crate::helpers::{SAM, problem, spawn_app};

async fn post_raw(
    app: &crate::helpers::TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client.post(app.url("/api/v1/session")).header("content-type", content_type).body(body).send().await.unwrap()
}

async fn malformed_bodies_get_clear_problems(engine: Engine) {
    let app = spawn_app(engine).await;
    let cases: [(&str, &str, u16, &str); 7] = [
        ("application/json", "{\"email\": ", 400, "malformed-request"),
        ("application/json", "[]", 422, "wrong-shape"),
        ("application/json", "{\"email\": 42, \"password\": \"x\"}", 422, "wrong-shape"),
        ("application/json", "{\"email\": \"a@b.co\"}", 422, "wrong-shape"),
        ("application/json", "{\"email\": \"a@b.co\", \"password\": \"x\", \"role\": \"admin\"}", 422, "wrong-shape"),
        ("text/plain", "{\"email\": \"a@b.co\", \"password\": \"x\"}", 415, "unsupported-media-type"),
        ("application/x-www-form-urlencoded", "email=a&password=b", 415, "unsupported-media-type"),
    ];
    for (content_type, body, status, kind) in cases {
        let response = post_raw(&app, content_type, body).await;
        assert_eq!(response.status(), status, "{body}");
        let problem = problem(response).await;
        assert_eq!(problem["type"], kind, "{body}");
    }
    let unknown =
        problem(post_raw(&app, "application/json", "{\"email\":\"a@b.co\",\"password\":\"x\",\"role\":1}").await).await;
    assert!(unknown["detail"].as_str().unwrap().contains("unknown field `role`"), "{unknown}");
    assert_eq!(app.audit_actions().await, Vec::<String>::new(), "nothing was attempted");
}

async fn a_huge_body_is_refused_before_it_is_read(engine: Engine) {
    let app = spawn_app(engine).await;
    let huge = format!("{{\"email\":\"a@b.co\",\"password\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let response = post_raw(&app, "application/json", huge).await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem(response).await["type"], "too-large");
}

async fn invalid_fields_are_all_named(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app.sign_in("not an email", "").await;
    assert_eq!(response.status(), 422);
    let problem = problem(response).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password"]);
    let long = app.sign_in(SAM, &"p".repeat(1025)).await;
    assert_eq!(long.status(), 422);
    let confusable = app.sign_in("sаm.okafor@demo.portico.example", "x").await; // Cyrillic а
    assert_eq!(confusable.status(), 422);
}

async fn sql_looking_input_is_only_text(engine: Engine) {
    let app = spawn_app(engine).await;
    assert_eq!(app.sign_in("x@example.com' OR '1'='1", "' OR '1'='1").await.status(), 422);
    assert_eq!(app.sign_in("robert@example.com", "'); DROP TABLE accounts; --").await.status(), 401);
    app.signed_in(SAM).await;
    let team = app.teams().await.teams.remove(0);
    for q in ["'; DROP TABLE records; --", "%", "_", "\\", "Smith' OR 1=1 --"] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/staff/teams/{}/records", team.id)))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{q:?}");
        let body: portico_types::api::RecordSearchResponse = response.json().await.unwrap();
        assert_eq!(body.total, 0, "{q:?} is matched literally");
    }
    let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records").fetch_one(&app.db.pool).await.unwrap();
    // The 40 synthetic patients, the 2 professionals' own records and
    // Olivia's two dependants (Leo and Margaret).
    assert_eq!(records, 44);
}

async fn bad_search_queries_say_what_is_wrong(engine: Engine) {
    let app = spawn_app(engine).await;
    app.signed_in(SAM).await;
    let team = app.teams().await.teams.remove(0);
    let path = |query: &str| format!("/api/v1/staff/teams/{}/records?{query}", team.id);
    for (query, status) in [
        ("q=943+476+5918", 422),
        ("q=31%2F02%2F1990", 422),
        ("q=2099-01-01", 422),
        ("page=0", 422),
        ("page=-1", 400),
        ("page=abc", 400),
        ("sort=name", 400),
        ("q=smith%00", 422),
    ] {
        let response = app.get(&path(query)).await;
        assert_eq!(response.status(), status, "{query}");
        problem(response).await;
    }
    let too_long = app.get(&path(&format!("q={}", "a".repeat(101)))).await;
    assert_eq!(too_long.status(), 422);
    let body = problem(app.get(&path("q=9434765918")).await).await;
    assert_eq!(body["errors"][0]["field"], "q");
    assert_eq!(body["errors"][0]["message"], "Enter a valid NHS number: check the digits");
}

async fn unknown_paths_and_methods_get_problems_not_the_page(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in ["/api/v1/nope", "/api/v2/session", "/api", "/api/"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        problem(response).await;
    }
    let response = app.client.put(app.url("/api/v1/session")).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(response.status(), 405);
    problem(response).await;
}

/// Found by schemathesis: a batch number past `i64` was axum's plain-text 400.
async fn a_path_value_of_the_wrong_type_gets_a_problem(engine: Engine) {
    let app = spawn_app(engine).await;
    app.signed_in(SAM).await;
    for file in ["letters.pdf", "manifest.csv"] {
        let path = format!("/api/v1/staff/campaigns/any/batches/9223372036854775808/{file}");
        let response = app.get(&path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        assert_eq!(problem(response).await["type"], "malformed-request");
    }
}

crate::on_both_engines!(
    malformed_bodies_get_clear_problems,
    a_huge_body_is_refused_before_it_is_read,
    invalid_fields_are_all_named,
    sql_looking_input_is_only_text,
    bad_search_queries_say_what_is_wrong,
    unknown_paths_and_methods_get_problems_not_the_page,
    a_path_value_of_the_wrong_type_gets_a_problem,
);
