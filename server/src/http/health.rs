//! `/healthz` (the process answers) and `/readyz` (it can do its work: the
//! database takes queries).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::HealthResponse;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok".into() })
}

async fn readyz(State(state): State<AppState>) -> ApiResult<Json<HealthResponse>> {
    match state.db.ping().await {
        Ok(()) => Ok(Json(HealthResponse { status: "ready".into() })),
        Err(err) => {
            tracing::warn!(error = %err, "database not ready");
            Err(ApiError::Unavailable)
        }
    }
}
