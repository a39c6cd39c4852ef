//! `/api/v1/me/notification-preferences` (signed in) and
//! `/api/v1/notifications/unsubscribe` (a token, no sign-in).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::{NotificationPreferencesResponse, UnsubscribeView, UpdateNotificationPreferencesRequest};
use serde::Deserialize;

use super::preferences;
use super::unsubscribe::{self, UnsubscribeError};
use crate::auth::extract::{ClientIp, CurrentSession};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::state::AppState;

/// Behind the browser's cross-site checks, like every signed-in route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/me/notification-preferences", get(show).put(update))
}

/// Outside the cross-site checks: a mail app's one-click `POST` (RFC 8058)
/// comes from no page of Portico's and carries no CSRF header. The token
/// is what authorises it, and it can only turn notifications off.
pub fn unsubscribe_routes() -> Router<AppState> {
    Router::new().route("/notifications/unsubscribe", get(unsubscribe_show).post(unsubscribe_now))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(show, update, unsubscribe_show, unsubscribe_now))]
pub struct Docs;

#[utoipa::path(
    get,
    path = "/me/notification-preferences",
    operation_id = "notifications_show",
    tag = "notifications",
    responses((status = 200, description = "OK", body = NotificationPreferencesResponse)),
    security(("session" = []))
)]
async fn show(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<NotificationPreferencesResponse>> {
    Ok(Json(preferences::of_account(&state.db, &session.account_id, &state.settings.notifications).await?))
}

#[utoipa::path(
    put,
    path = "/me/notification-preferences",
    operation_id = "notifications_update",
    tag = "notifications",
    request_body = UpdateNotificationPreferencesRequest,
    responses((status = 200, description = "OK", body = NotificationPreferencesResponse)),
    security(("session" = [], "csrf" = []))
)]
async fn update(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<UpdateNotificationPreferencesRequest>,
) -> ApiResult<Json<NotificationPreferencesResponse>> {
    let changes = preferences::parse_changes(&body).map_err(ApiError::Invalid)?;
    preferences::change(&state.db, &session.account_id, &changes, &ip, state.now()).await?;
    Ok(Json(preferences::of_account(&state.db, &session.account_id, &state.settings.notifications).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

fn unsubscribe_error(err: UnsubscribeError) -> ApiError {
    match err {
        UnsubscribeError::Unknown => ApiError::NotFound,
        UnsubscribeError::Database(err) => err.into(),
    }
}

/// What the link would turn off; changes nothing (mail scanners fetch links).
#[utoipa::path(
    get,
    path = "/notifications/unsubscribe",
    operation_id = "unsubscribe_show",
    tag = "notifications",
    params(TokenQuery),
    responses((status = 200, description = "OK", body = UnsubscribeView), (status = 404, description = "No such unsubscribe link"))
)]
async fn unsubscribe_show(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> ApiResult<Json<UnsubscribeView>> {
    unsubscribe::show(&state, &query.token).await.map(Json).map_err(unsubscribe_error)
}

/// Turns it off. The body (`List-Unsubscribe=One-Click`, or none) is not read.
#[utoipa::path(
    post,
    path = "/notifications/unsubscribe",
    operation_id = "unsubscribe_now",
    tag = "notifications",
    params(TokenQuery),
    responses((status = 200, description = "OK", body = UnsubscribeView), (status = 404, description = "No such unsubscribe link")),
    security(("csrf" = []))
)]
async fn unsubscribe_now(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(query): Query<TokenQuery>,
) -> ApiResult<Json<UnsubscribeView>> {
    unsubscribe::turn_off(&state, &query.token, &ip).await.map(Json).map_err(unsubscribe_error)
}
