//! `/api/v1/session`: sign in, who am I, sign out.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum_extra::extract::CookieJar;
use portico_types::api::{SessionResponse, SignInRequest};

use super::extract::{ClientIp, CurrentSession, removal_cookie, session_cookie, session_token};
use super::sessions::IDLE_TIMEOUT;
use super::sign_in::{self, Attempt, SignInError};
use crate::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::staff;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/session", post(create).get(show).delete(destroy))
}

async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<SignInRequest>,
) -> ApiResult<(CookieJar, Json<SessionResponse>)> {
    let previous = session_token(&state, &jar);
    let attempt = Attempt {
        email: &body.email,
        password: &body.password,
        ip: &ip,
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
        previous_session: previous.as_ref().map(|t| t.as_str()),
    };
    let signed_in = sign_in::sign_in(&state, attempt).await.map_err(|err| match err {
        SignInError::Invalid(errors) => ApiError::Invalid(errors),
        SignInError::WrongCredentials => ApiError::WrongCredentials,
        SignInError::Throttled { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        SignInError::Internal(err) => ApiError::Internal(err),
    })?;
    let response = session_response(&state, &signed_in.account_id).await?;
    Ok((jar.add(session_cookie(&state, &signed_in.token)), Json(response)))
}

async fn show(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<SessionResponse>> {
    Ok(Json(session_response(&state, &session.account_id).await?))
}

/// Signing out always succeeds and always clears the cookie, even when the
/// session had already ended.
async fn destroy(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
) -> ApiResult<(StatusCode, CookieJar)> {
    if let Some(token) = session_token(&state, &jar) {
        sign_in::sign_out(&state, &token.hash(), &ip).await?;
    }
    Ok((StatusCode::NO_CONTENT, jar.add(removal_cookie(&state))))
}

pub async fn session_response(state: &AppState, account_id: &str) -> ApiResult<SessionResponse> {
    let account = accounts::summary(&state.db, account_id).await?.ok_or(ApiError::Unauthenticated)?;
    Ok(SessionResponse {
        account,
        staff: staff::profile(&state.db, account_id).await?,
        idle_timeout_secs: u64::try_from(IDLE_TIMEOUT.whole_seconds()).unwrap_or(1800),
    })
}
