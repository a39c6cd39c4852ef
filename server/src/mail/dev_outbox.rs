//! `/api/v1/staff/dev-outbox`: with no SMTP server configured (the embedded
//! demo), the emails and text messages Portico would have sent, for any
//! professional to read, so the whole registration journey can be followed
//! without a mail server or GOV.UK Notify. With SMTP configured it is not
//! there at all; texts sent through Notify are not listed.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use portico_types::MobileNumber;
use portico_types::api::{DevOutboxResponse, OutboxEmail};

use crate::error::{ApiError, ApiResult};
use crate::staff::Professional;
use crate::state::AppState;

/// How many of the newest emails the page lists.
const SHOWN: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/dev-outbox", get(list)).route("/staff/dev-outbox/{id}/html", get(html))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, html))]
pub struct Docs;

/// The policy of an email's HTML part shown in the page's frame: the
/// templates' inline styles (as a mail app shows them) and nothing else, no
/// script, no request anywhere; framed only by Portico's own pages.
const EMAIL_PREVIEW_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

/// One email's HTML part, for the outbox page's sandboxed frame. Its own
/// Content-Security-Policy (which the security headers then leave alone)
/// lets its inline styles apply; the page's would refuse them.
#[utoipa::path(
    get,
    path = "/staff/dev-outbox/{id}/html",
    operation_id = "development_html",
    tag = "development",
    params(("id" = String, Path, description = "The sign-up's id")),
    responses((status = 200, description = "The email's HTML part, under a policy of its own that lets only its inline styles apply", content_type = "text/html", body = String)),
    security(("session" = []))
)]
async fn html(
    State(state): State<AppState>,
    _professional: Professional,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse as _;
    if state.settings.smtp_url.is_some() {
        return Err(ApiError::NotFound);
    }
    let found: Option<Option<String>> = sqlx::query_scalar(
        "SELECT body_html FROM outbox WHERE id = $1 AND channel = 'email' \
         AND (delivered_via = 'development' OR (delivered_via IS NULL AND gave_up_at IS NULL))",
    )
    .bind(&id)
    .fetch_optional(&state.db.pool)
    .await?;
    let body = found.flatten().ok_or(ApiError::NotFound)?;
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(EMAIL_PREVIEW_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    Ok(response)
}

/// Id, channel, to, subject, text, queued at, HTML.
type OutboxRow = (String, String, String, String, String, String, Option<String>);

/// Delivered ones and those the worker has not reached yet (it polls twice a
/// second): a page opened straight after an invitation shows it.
#[utoipa::path(
    get,
    path = "/staff/dev-outbox",
    operation_id = "development_list",
    tag = "development",
    responses((status = 200, description = "OK", body = DevOutboxResponse)),
    security(("session" = []))
)]
async fn list(State(state): State<AppState>, _professional: Professional) -> ApiResult<Json<DevOutboxResponse>> {
    if state.settings.smtp_url.is_some() {
        return Err(ApiError::NotFound);
    }
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, channel, to_address, subject, body_text, created_at, body_html FROM outbox \
         WHERE delivered_via = 'development' OR (delivered_via IS NULL AND gave_up_at IS NULL) \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(SHOWN)
    .fetch_all(&state.db.pool)
    .await?;
    let emails = rows
        .into_iter()
        .map(|(id, channel, to, subject, body, created_at, html)| {
            let (to, subject) = match channel.as_str() {
                "sms" => (MobileNumber::parse(&to).map_or(to, |m| m.national()), "Text message".to_owned()),
                _ => (to, subject),
            };
            OutboxEmail { id, channel, to, subject, body, html, created_at }
        })
        .collect();
    Ok(Json(DevOutboxResponse { emails }))
}
