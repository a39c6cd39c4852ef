//! `/api/v1/session`: sign in, who am I, sign out.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use portico_types::EmailAddress;
use portico_types::api::{HandoverView, ResumeSessionRequest, SecondFactorStep, SessionResponse, SignInRequest};
use time::Duration;

use super::extract::{ClientIp, SignedInSession, removal_cookie, session_cookie, session_token};
use super::second_factor::Pending;
use super::sessions::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, Token};
use super::sign_in::{self, Attempt, SignInError};
use crate::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::invitations::handover;
use crate::notifications::devices;
use crate::records::mine::owned_by;
use crate::registration;
use crate::staff;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(create).get(show).delete(destroy))
        .route("/session/handover", get(handover_show))
        .route("/session/resume", post(resume))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, show, destroy, handover_show, resume))]
pub struct Docs;

#[utoipa::path(
    post,
    path = "/session",
    operation_id = "session_create",
    tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = SessionResponse),
        (status = 401, description = "Email or password is incorrect (one answer whether or not the account exists)"),
        (status = 429)
    ),
    security(("csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<SignInRequest>,
) -> ApiResult<(CookieJar, devices::CookieAfterJar, Json<SessionResponse>)> {
    let previous = session_token(&state, &jar);
    let attempt = Attempt {
        email: &body.email,
        password: &body.password,
        ip: &ip,
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
        previous_session: previous.as_ref().map(|t| t.as_str()),
        device: devices::presented(&state, &jar),
        start: crate::auth::sessions::Start::Password,
    };
    let signed_in = sign_in::sign_in(&state, attempt).await.map_err(|err| match err {
        SignInError::Invalid(errors) => ApiError::Invalid(errors),
        SignInError::WrongCredentials => ApiError::WrongCredentials,
        SignInError::Throttled { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        SignInError::Internal(err) => ApiError::Internal(err),
    })?;
    let response = session_response_waiting(&state, &signed_in.account_id, signed_in.second_factor).await?;
    let device = devices::cookie_after_jar(&state, signed_in.device.as_ref());
    Ok((jar.add(session_cookie(&state, &signed_in.token)), device, Json(response)))
}

/// Who is signed in, including a session still waiting for its second factor
/// (the sign-in page then asks for the code rather than the password again).
#[utoipa::path(
    get,
    path = "/session",
    operation_id = "session_show",
    tag = "session",
    responses((status = 200, description = "OK", body = SessionResponse)),
    security(("session" = []))
)]
async fn show(
    State(state): State<AppState>,
    SignedInSession(session): SignedInSession,
) -> ApiResult<Json<SessionResponse>> {
    let ends_in = session.ends_at - state.now();
    Ok(Json(response_ending_in(&state, &session.account_id, ends_in, session.second_factor).await?))
}

/// Signing out always succeeds and always clears the cookie, even when the
/// session had already ended.
#[utoipa::path(
    delete,
    path = "/session",
    operation_id = "session_destroy",
    tag = "session",
    responses((status = 204, description = "Done; no body")),
    security(("csrf" = []))
)]
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

/// Who handed this device to a patient: 404 when it was not handed over.
#[utoipa::path(
    get,
    path = "/session/handover",
    operation_id = "handover_show",
    tag = "session",
    responses((status = 200, description = "OK", body = HandoverView), (status = 404, description = "This device was not handed over"))
)]
async fn handover_show(State(state): State<AppState>, jar: CookieJar) -> ApiResult<Json<HandoverView>> {
    let suspended = suspended_session(&state, &jar).await?.ok_or(ApiError::NotFound)?.1;
    let staff_email = EmailAddress::parse(&suspended.staff_email).map_err(|e| anyhow::anyhow!("stored email: {e}"))?;
    Ok(Json(HandoverView { staff_name: suspended.staff_name, staff_email, record_id: suspended.record_id }))
}

/// The professional takes the device back with their password.
#[utoipa::path(
    post,
    path = "/session/resume",
    operation_id = "session_resume",
    tag = "session",
    request_body = ResumeSessionRequest,
    responses((status = 200, description = "OK", body = SessionResponse), (status = 401, description = "The professional's password is wrong, or the handover has ended")),
    security(("csrf" = []))
)]
async fn resume(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<ResumeSessionRequest>,
) -> ApiResult<(CookieJar, Json<SessionResponse>)> {
    let (token, suspended) = suspended_session(&state, &jar).await?.ok_or(ApiError::Unauthenticated)?;
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let signed_in = handover::resume(&state, &token, &suspended, &body.password, &ip, user_agent)
        .await
        .map_err(password_refusal)?;
    let response = session_response(&state, &signed_in.account_id).await?;
    // Whatever registration the patient left on the device goes with them.
    let jar = jar.add(session_cookie(&state, &signed_in.token)).add(registration::removal_cookie(&state));
    Ok((jar, Json(response)))
}

/// A password for a known account (taking a device back, adding a record
/// to an account) that did not sign in: said about the password field.
pub fn password_refusal(err: SignInError) -> ApiError {
    match err {
        SignInError::Invalid(_) => ApiError::field("password", "Enter your password"),
        SignInError::WrongCredentials => ApiError::field("password", "The password is not right"),
        SignInError::Throttled { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        SignInError::Internal(err) => ApiError::Internal(err),
    }
}

async fn suspended_session(state: &AppState, jar: &CookieJar) -> ApiResult<Option<(Token, handover::Suspended)>> {
    let Some(token) = session_token(state, jar) else { return Ok(None) };
    let suspended = handover::suspended(&state.db, &token.hash()).await?;
    Ok(suspended.map(|suspended| (token, suspended)))
}

/// Who a whole session that has just begun belongs to: it ends `ABSOLUTE_TIMEOUT` from now.
pub async fn session_response(state: &AppState, account_id: &str) -> ApiResult<SessionResponse> {
    response_ending_in(state, account_id, ABSOLUTE_TIMEOUT, None).await
}

/// [`session_response`] for a session that may still wait for its second factor.
pub async fn session_response_waiting(
    state: &AppState,
    account_id: &str,
    second_factor: Option<Pending>,
) -> ApiResult<SessionResponse> {
    response_ending_in(state, account_id, ABSOLUTE_TIMEOUT, second_factor).await
}

async fn response_ending_in(
    state: &AppState,
    account_id: &str,
    ends_in: Duration,
    second_factor: Option<Pending>,
) -> ApiResult<SessionResponse> {
    let account = accounts::summary(&state.db, account_id).await?.ok_or(ApiError::Unauthenticated)?;
    Ok(SessionResponse {
        account,
        staff: staff::profile(&state.db, account_id).await?,
        has_record: owned_by(&state.db, account_id).await?.is_some(),
        idle_timeout_secs: u64::try_from(IDLE_TIMEOUT.whole_seconds()).unwrap_or(1800),
        ends_in_secs: u64::try_from(ends_in.whole_seconds()).unwrap_or(0),
        second_factor: second_factor.map(|pending| match pending {
            Pending::Verify => SecondFactorStep::Verify,
            Pending::Enrol => SecondFactorStep::Enrol,
        }),
    })
}
