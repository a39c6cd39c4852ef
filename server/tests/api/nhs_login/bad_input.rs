//! NHS login's bad answers and forged callbacks: each gets a clear page, and
//! none leaves an account, an identity, a record, an owner or a session.

use portico_server::db::Engine;
use serde_json::json;

use super::standin::{P9_ONLY, Setup, browser, spawn};

async fn a_wrong_state_or_another_browser_is_refused_and_the_real_callback_still_works(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let nia = browser();
    let form = it.to_login_page(&nia, "from=register").await;
    let callback = it.choose(&nia, &form, "p9-new").await;
    let before = it.counts().await;

    let state = callback.split(['?', '&']).find_map(|p| p.strip_prefix("state=")).unwrap();
    let forged = callback.replace(state, &"ab".repeat(32));
    assert_eq!(it.back_at_portico(&nia, &forged).await, "/nhs-login?outcome=failed");
    let without_state = callback.split('?').next().unwrap().to_owned();
    assert_eq!(it.back_at_portico(&nia, &without_state).await, "/nhs-login?outcome=failed");
    // The right state in a browser that did not start the sign-in.
    assert_eq!(it.back_at_portico(&browser(), &callback).await, "/nhs-login?outcome=failed");
    assert_eq!(it.counts().await, before);

    assert_eq!(it.back_at_portico(&nia, &callback).await, "/record");
    assert!(it.app.audit_actions().await.iter().filter(|a| *a == "nhs_login_failed").count() >= 3);
}

async fn a_replayed_callback_or_code_is_refused(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let nia = browser();
    let form = it.to_login_page(&nia, "from=sign-in").await;
    let callback = it.choose(&nia, &form, "p9-new").await;
    assert_eq!(it.back_at_portico(&nia, &callback).await, "/record");
    let after_first = it.counts().await;

    // The same callback again: its state is used.
    assert_eq!(it.back_at_portico(&nia, &callback).await, "/nhs-login?outcome=failed");
    // The used code under a fresh state of this browser (NHS login signs her
    // in again at once, its session still open): NHS login refuses the code.
    let again = nia.get(it.app.url("/api/v1/nhs-login/start?from=sign-in")).send().await.unwrap();
    assert_eq!(again.status(), 303, "straight back from NHS login");
    let fresh = again.headers()["location"].to_str().unwrap().to_owned();
    let code = |url: &str| url.split(['?', '&']).find_map(|p| p.strip_prefix("code=")).unwrap().to_owned();
    let replayed = fresh.replace(&code(&fresh), &code(&callback));
    assert_eq!(it.back_at_portico(&nia, &replayed).await, "/nhs-login?outcome=failed");
    assert_eq!(it.counts().await, after_first);
}

async fn spoiled_id_tokens_are_refused(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    for fault in ["tampered_signature", "expired", "wrong_audience"] {
        let before = it.counts().await;
        it.standin().control(json!({ "next_token": fault })).await;
        assert_eq!(it.sign_in_as(&browser(), "p9-new").await, "/nhs-login?outcome=failed", "{fault}");
        assert_eq!(it.counts().await, before, "{fault}");
        assert_eq!(it.account_of("nia.newton@nhslogin.example").await, None, "{fault}");
    }
    // The provider's next answers are sound again: the same person gets in.
    assert_eq!(it.sign_in_as(&browser(), "p9-new").await, "/record");
}

async fn a_missing_or_malformed_nhs_number_is_refused(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    for fault in ["no_nhs_number", "malformed_nhs_number"] {
        let before = it.counts().await;
        it.standin().control(json!({ "claims": fault })).await;
        assert_eq!(it.sign_in_as(&browser(), "p9-match").await, "/nhs-login?outcome=failed", "{fault}");
        assert_eq!(it.counts().await, before, "{fault}");
    }
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'nhs_login_failed' ORDER BY occurred_at")
            .fetch_all(&it.app.db.pool)
            .await
            .unwrap();
    assert_eq!(reasons, [r#"{"reason":"nhs_number"}"#, r#"{"reason":"nhs_number"}"#]);
}

async fn a_provider_that_is_down_gets_a_clear_page(engine: Engine) {
    let it = spawn(engine, Setup { accept_p5: false, provider_down: true }).await;
    let before = it.counts().await;
    let response = browser().get(it.app.url("/api/v1/nhs-login/start?from=sign-in")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/nhs-login");
    assert_eq!(response.url().query(), Some("outcome=unavailable"));
    assert_eq!(it.counts().await, before);
}

async fn a_slow_provider_times_out_with_a_clear_page(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let before = it.counts().await;
    let nia = browser();
    let form = it.to_login_page(&nia, "from=sign-in").await;
    let callback = it.choose(&nia, &form, "p9-new").await;
    // Slower than Portico's one second for each call to NHS login.
    it.standin().control(json!({ "slow_ms": 2500 })).await;
    let started = std::time::Instant::now();
    assert_eq!(it.back_at_portico(&nia, &callback).await, "/nhs-login?outcome=unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "answered within the time limits");
    let response = nia.get(it.app.url("/api/v1/nhs-login/start")).send().await.unwrap();
    assert_eq!(response.url().query(), Some("outcome=unavailable"));
    assert_eq!(it.counts().await, before);
    assert_eq!(it.account_of("nia.newton@nhslogin.example").await, None);
}

crate::on_both_engines!(
    a_wrong_state_or_another_browser_is_refused_and_the_real_callback_still_works,
    a_replayed_callback_or_code_is_refused,
    spoiled_id_tokens_are_refused,
    a_missing_or_malformed_nhs_number_is_refused,
    a_provider_that_is_down_gets_a_clear_page,
    a_slow_provider_times_out_with_a_clear_page,
);
