//! `/api/v1/password-reset` and `/api/v1/me/...`: a person's own account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router, middleware};
use axum_extra::extract::CookieJar;
use portico_types::EmailAddress;
use portico_types::api::{
    ChangeEmailRequest, CompletePasswordResetRequest, ConfirmEmailChangeRequest, PasswordResetRequest,
};
use portico_types::problem::FieldError;
use serde_json::json;

use super::email_change::{self, EmailChangeError};
use super::password_reset::{self, ResetError};
use crate::audit::{self, Action, Event};
use crate::auth::extract::{ClientIp, CurrentSession, removal_cookie};
use crate::error::{ApiError, ApiResult};
use crate::http::even_time;
use crate::http::extract::ApiJson;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        // Asked for any address: answered in even time (see `crate::http::even_time`).
        .route("/password-reset", post(ask_for_reset).layer(middleware::from_fn(even_time::no_sooner_than_the_floor)))
        .route("/password-reset/complete", post(reset))
        .route("/me/email", post(ask_for_email_change))
        .route("/me/email/confirm", post(confirm_email_change))
        .route("/me/sessions", delete(sign_out_everywhere))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(ask_for_reset, reset, ask_for_email_change, confirm_email_change, sign_out_everywhere))]
pub struct Docs;

fn throttled(retry_after_secs: u64) -> ApiError {
    ApiError::TooManyAttempts { retry_after_secs }
}

fn link_used_up(what: &'static str, next: &str) -> ApiError {
    ApiError::refusal(StatusCode::GONE, "link-used", what, Some(next.to_owned()))
}

#[utoipa::path(
    post,
    path = "/password-reset",
    operation_id = "ask_for_reset",
    tag = "accounts",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "Accepted")),
    security(("csrf" = []))
)]
async fn ask_for_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    let email = EmailAddress::parse(&body.email).map_err(|e| ApiError::field("email", e))?;
    password_reset::request(&state, &email, &ip).await.map_err(|err| match err {
        ResetError::Throttled { retry_after_secs } => throttled(retry_after_secs),
        ResetError::Internal(err) => ApiError::Internal(err),
        other => ApiError::Internal(other.into()),
    })?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    post,
    path = "/password-reset/complete",
    operation_id = "accounts_reset",
    tag = "accounts",
    request_body = CompletePasswordResetRequest,
    responses((status = 204, description = "Done; no body"), (status = 410)),
    security(("csrf" = []))
)]
async fn reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CompletePasswordResetRequest>,
) -> ApiResult<StatusCode> {
    let expired =
        || link_used_up("This password reset link has expired or has already been used", "Ask for a new link.");
    let token = OneTimeToken::parse(&body.token).ok_or_else(expired)?;
    password_reset::complete(&state, &token, &body.password, &ip).await.map_err(|err| match err {
        ResetError::LinkUsedUp => expired(),
        ResetError::Password(e) => ApiError::field("password", e),
        ResetError::Throttled { retry_after_secs } => throttled(retry_after_secs),
        ResetError::Internal(err) => ApiError::Internal(err),
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/me/email",
    operation_id = "ask_for_email_change",
    tag = "accounts",
    request_body = ChangeEmailRequest,
    responses((status = 202, description = "Accepted")),
    security(("session" = [], "csrf" = []))
)]
async fn ask_for_email_change(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ChangeEmailRequest>,
) -> ApiResult<StatusCode> {
    let mut errors = Vec::new();
    let new_email = EmailAddress::parse(&body.new_email).map_err(|e| errors.push(FieldError::new("new_email", e)));
    if body.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    } else if body.password.len() > portico_types::new_password::MAX_PASSWORD_BYTES {
        errors.push(FieldError::new("password", "Password must be 1,024 characters or fewer"));
    }
    let (Ok(new_email), true) = (new_email, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    email_change::request(&state, &session.account_id, &new_email, &body.password, &ip).await.map_err(
        |err| match err {
            EmailChangeError::WrongPassword => ApiError::field("password", "Your password is not right"),
            EmailChangeError::SameAddress => {
                ApiError::field("new_email", "Enter an email address different from your current one")
            }
            EmailChangeError::Throttled { retry_after_secs } => throttled(retry_after_secs),
            EmailChangeError::Internal(err) => ApiError::Internal(err),
            other => ApiError::Internal(other.into()),
        },
    )?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    post,
    path = "/me/email/confirm",
    operation_id = "confirm_email_change",
    tag = "accounts",
    request_body = ConfirmEmailChangeRequest,
    responses((status = 200, description = "OK", body = Object), (status = 409), (status = 410)),
    security(("csrf" = []))
)]
async fn confirm_email_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ConfirmEmailChangeRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let expired = || {
        link_used_up(
            "This link has expired or has already been used",
            "Sign in and ask to change your email address again.",
        )
    };
    let token = OneTimeToken::parse(&body.token).ok_or_else(expired)?;
    let email = email_change::confirm(&state, &token, &ip).await.map_err(|err| match err {
        EmailChangeError::LinkUsedUp => expired(),
        EmailChangeError::Taken => ApiError::refusal(
            StatusCode::CONFLICT,
            "email-taken",
            "Another account now uses this email address",
            Some("Your email address has not changed.".into()),
        ),
        EmailChangeError::Internal(err) => ApiError::Internal(err),
        other => ApiError::Internal(other.into()),
    })?;
    Ok(Json(json!({ "email": email })))
}

#[utoipa::path(
    delete,
    path = "/me/sessions",
    operation_id = "sign_out_everywhere",
    tag = "accounts",
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
) -> ApiResult<(StatusCode, CookieJar)> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let ended =
        sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(&session.account_id).execute(&mut *tx).await?;
    let event = Event::new(Action::SignedOutEverywhere, now)
        .actor(&session.account_id)
        .ip(Some(&ip))
        .detail(json!({ "sessions_ended": ended.rows_affected() }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok((StatusCode::NO_CONTENT, jar.add(removal_cookie(&state))))
}
