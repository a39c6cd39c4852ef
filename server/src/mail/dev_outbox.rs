//! `/api/v1/staff/dev-outbox`: with no SMTP server configured (the embedded
//! demo), the emails Portico would have sent, for any professional to read,
//! so the whole registration journey can be followed without a mail server.
//! With SMTP configured it is not there at all.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::{DevOutboxResponse, OutboxEmail};

use crate::error::{ApiError, ApiResult};
use crate::staff::Professional;
use crate::state::AppState;

/// How many of the newest emails the page lists.
const SHOWN: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/dev-outbox", get(list))
}

/// Delivered ones and those the worker has not reached yet (it polls twice a
/// second): a page opened straight after an invitation shows it.
async fn list(State(state): State<AppState>, _professional: Professional) -> ApiResult<Json<DevOutboxResponse>> {
    if state.settings.smtp_url.is_some() {
        return Err(ApiError::NotFound);
    }
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, to_address, subject, body_text, created_at FROM email_outbox \
         WHERE delivered_via = 'development' OR (delivered_via IS NULL AND gave_up_at IS NULL) \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(SHOWN)
    .fetch_all(&state.db.pool)
    .await?;
    let emails = rows
        .into_iter()
        .map(|(id, to, subject, body, created_at)| OutboxEmail { id, to, subject, body, created_at })
        .collect();
    Ok(Json(DevOutboxResponse { emails }))
}
