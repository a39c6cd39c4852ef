use portico_server::db::Engine;

use crate::helpers::spawn_app;

async fn health_and_readiness_answer(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in ["/healthz", "/readyz"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
    }
    let body: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

async fn readiness_fails_when_the_database_is_gone(engine: Engine) {
    let app = spawn_app(engine).await;
    app.db.pool.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

crate::on_both_engines!(health_and_readiness_answer, readiness_fails_when_the_database_is_gone);
