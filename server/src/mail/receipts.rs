//! GOV.UK Notify's delivery receipts: `POST /api/v1/notify/delivery-receipts`.
//!
//! Notify calls this for every email and text message once it knows the
//! outcome, with the bearer token set in Notify's callback settings
//! (`notify_callback_token`). The status is recorded on the outbox row
//! (found by Notify's id, or by the reference Portico sent); a campaign's
//! page counts delivered and failed messages from it. Server to server, so
//! outside the browser's cross-site checks; without the right token, 401.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/notify/delivery-receipts", post(receive))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(receive))]
pub struct Docs;

/// A receipt, in Notify's field names (only those Portico reads).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DeliveryReceipt {
    /// Notify's notification id.
    pub id: String,
    /// The reference Portico sent (the outbox key).
    #[serde(default)]
    pub reference: Option<String>,
    /// `delivered`, `permanent-failure`, `temporary-failure` or `technical-failure`.
    pub status: String,
    #[serde(default)]
    pub notification_type: Option<String>,
}

const STATUSES: [&str; 4] = ["delivered", "permanent-failure", "temporary-failure", "technical-failure"];

#[utoipa::path(
    post,
    path = "/notify/delivery-receipts",
    operation_id = "notify_receive",
    tag = "notify",
    request_body = DeliveryReceipt,
    responses((status = 204, description = "Recorded"), (status = 400), (status = 401), (status = 404, description = "No callback token is configured"), (status = 422)),
    security(("notify_callback" = []))
)]
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<DeliveryReceipt>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<StatusCode> {
    let Some(expected) = state.settings.notify_callback_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Digests compared, so the time taken says nothing about the token.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.as_bytes()) {
        return Err(ApiError::Unauthenticated);
    }
    let Json(receipt) = body.map_err(|e| ApiError::Malformed(e.body_text()))?;
    if !STATUSES.contains(&receipt.status.as_str()) {
        return Err(ApiError::field(
            "status",
            format!("unknown status: {}", receipt.status.chars().take(40).collect::<String>()),
        ));
    }
    record(&state, &receipt).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the status on the message it is about; a receipt for a message
/// Portico does not know is logged and accepted (Notify would only retry it).
pub async fn record(state: &AppState, receipt: &DeliveryReceipt) -> Result<bool, sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "UPDATE outbox SET delivery_status = $3, delivery_status_at = $4, provider_id = coalesce(provider_id, $1) \
         WHERE id = (SELECT id FROM outbox WHERE provider_id = $1 OR idempotency_key = $2 \
         ORDER BY CASE WHEN provider_id = $1 THEN 0 ELSE 1 END LIMIT 1) \
         RETURNING id, invitation_id",
    )
    .bind(&receipt.id)
    .bind(receipt.reference.as_deref().unwrap_or(""))
    .bind(&receipt.status)
    .bind(stored(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((outbox_id, invitation_id)) = found else {
        tx.rollback().await?;
        tracing::warn!(notification_id = %receipt.id, "delivery receipt for a message Portico does not know");
        return Ok(false);
    };
    if receipt.status != "delivered" {
        let event = Event::new(Action::DeliveryReceipt, now).detail(json!({
            "outbox_id": outbox_id, "invitation_id": invitation_id, "status": receipt.status,
            "type": receipt.notification_type,
        }));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(true)
}
