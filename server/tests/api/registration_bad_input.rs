//! Every field of every registration step, given malformed, oversized,
//! look-alike and empty values: each gets a clear error naming its field, and
//! nothing changes (no registration, no attempt counted, no email).

use portico_server::db::Engine;
use serde_json::{Value, json};

use crate::helpers::{TestApp, browser, problem};
use crate::invitations::app_with_mail;
use crate::invitations::{letter, post, start, unregistered_record};

async fn rows(app: &TestApp) -> (i64, i64, i64) {
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
    };
    (count("registrations").await, count("outbox").await, count("sign_in_throttles").await)
}

/// The field named by the problem's first error.
async fn field_of(response: reqwest::Response) -> String {
    let problem = problem(response).await;
    problem["errors"][0]["field"].as_str().unwrap_or_else(|| panic!("no field error: {problem}")).to_owned()
}

async fn every_bad_field_is_named_and_changes_nothing(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 0).await;
    let code = letter(&app, &record_id).await.code.unwrap();
    let before = rows(&app).await;
    let patient = browser();

    let long = "7".repeat(10_000);
    let bad_codes = [
        "",
        "   ",
        "ABCD-EFGH",
        "ABCD-EFGH-JKMN-PQRS",
        &long,
        "ABCD-EFGH-JKM!",
        "АBCD-EFGH-JKMN",
        "ABCD-EFGH-JKMU",
        "\u{0000}",
    ];
    for bad in bad_codes {
        let response = start(&app, &patient, bad, &dob).await;
        assert_eq!(response.status(), 422, "{bad:?}");
        assert_eq!(field_of(response).await, "code", "{bad:?}");
    }
    // One mistyped character: caught by the check character, not counted.
    let typo = {
        let mut chars: Vec<char> = code.chars().collect();
        chars[0] = if chars[0] == 'Z' { 'Y' } else { 'Z' };
        chars.into_iter().collect::<String>()
    };
    assert_eq!(field_of(start(&app, &patient, &typo, &dob).await).await, "code");
    for bad in ["", "31/02/2000", "2000-02-30", "2999-01-01", "1850-01-01", "twelfth of may", "2000-1-1-1", &long] {
        let response = start(&app, &patient, &code, bad).await;
        assert_eq!(field_of(response).await, "date_of_birth", "{bad:?}");
    }
    // Both wrong: both named.
    let both = problem(start(&app, &patient, "", "").await).await;
    assert_eq!(both["errors"].as_array().unwrap().len(), 2);
    // Not the expected shape.
    for body in [
        json!({ "code": code }),
        json!({ "code": 42, "date_of_birth": dob }),
        json!({ "code": code, "date_of_birth": dob, "admin": true }),
        json!([]),
    ] {
        let response = post(&app, &patient, "/api/v1/registration", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
    }
    let not_json = patient
        .post(app.url("/api/v1/registration"))
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let huge = patient
        .post(app.url("/api/v1/registration"))
        .json(&json!({ "code": "x".repeat(200_000), "date_of_birth": dob }))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(rows(&app).await, before, "nothing was written");

    // The later steps, on a real registration.
    assert_eq!(start(&app, &patient, &code, &dob).await.status(), 201);
    let before = rows(&app).await;
    let long_email = format!("{}@example.com", "a".repeat(250));
    for bad in [
        "",
        "not-an-email",
        "jo@",
        "@example.com",
        "jo@example",
        &long_email,
        "jо@example.com",
        "jo@exa mple.com",
        "jo@example.com\r\nBcc: x@y.z",
    ] {
        let response = post(&app, &patient, "/api/v1/registration/email", json!({ "email": bad })).await;
        assert_eq!(field_of(response).await, "email", "{bad:?}");
    }
    for bad in [
        json!({ "code": "" }),
        json!({ "code": "12345" }),
        json!({ "code": "１２３４５６" }),
        json!({ "code": "abcdef" }),
        json!({}),
        json!({ "code": "123456", "token": "x" }),
    ] {
        let response = post(&app, &patient, "/api/v1/registration/email/confirm", bad.clone()).await;
        assert_eq!(field_of(response).await, "code", "{bad}");
    }
    for bad in ["", "nothex", &"f".repeat(63), &long] {
        let response = post(&app, &patient, "/api/v1/registration/email/confirm", json!({ "token": bad })).await;
        assert_eq!(problem(response).await["type"], "email-link-used", "{bad:?}");
    }
    let no_terms = post(&app, &patient, "/api/v1/registration/complete", json!({ "password": "x" })).await;
    assert_eq!(no_terms.status(), 422);
    let terms_as_text: Value = problem(
        post(&app, &patient, "/api/v1/registration/complete", json!({ "password": "x", "accept_terms": "yes" })).await,
    )
    .await;
    assert_eq!(terms_as_text["type"], "wrong-shape");
    assert_eq!(rows(&app).await, before, "nothing was written");
}

crate::on_both_engines!(every_bad_field_is_named_and_changes_nothing);
