//! `/api/v1/session/second-factor`: the step after the password for those who
//! need one; and `/api/v1/me/second-factor`: a patient's own choice.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use portico_types::api::{
    RemoveSecondFactorRequest, SecondFactorCodeRequest, SecondFactorConfirmed, SecondFactorEnrolment,
    SecondFactorStatus, SessionResponse,
};

use super::extract::{ClientIp, CurrentSession, SignedInSession, session_cookie};
use super::routes::{password_refusal, session_response};
use super::second_factor::{self, Pending, Proof, SecondFactorError};
use super::sign_in::SignInError;
use crate::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session/second-factor", post(verify))
        .route("/session/second-factor/enrolment", post(begin_enrolment))
        .route("/session/second-factor/enrolment/confirm", post(confirm_enrolment))
        .route("/me/second-factor", get(status).delete(remove))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(verify, begin_enrolment, confirm_enrolment, status, remove))]
pub struct Docs;

/// A code from the authenticator (or a recovery code) for a session waiting for one.
#[utoipa::path(
    post,
    path = "/session/second-factor",
    operation_id = "second_factor_verify",
    tag = "session",
    request_body = SecondFactorCodeRequest,
    responses(
        (status = 200, description = "The second factor is proven: a new, whole session cookie is set", body = SessionResponse),
        (status = 409, description = "This session is not waiting for a code"),
        (status = 429)
    ),
    security(("session" = [], "csrf" = []))
)]
async fn verify(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    SignedInSession(session): SignedInSession,
    jar: CookieJar,
    ApiJson(body): ApiJson<SecondFactorCodeRequest>,
) -> ApiResult<(CookieJar, Json<SessionResponse>)> {
    if session.second_factor != Some(Pending::Verify) {
        return Err(not_waiting());
    }
    let proof = Proof { session: &session, code: &body.code, ip: &ip, user_agent: user_agent(&headers) };
    let proven = second_factor::verify(&state, proof).await.map_err(refusal)?;
    let jar = with_new_session(&state, jar, &proven);
    Ok((jar, Json(session_response(&state, &session.account_id).await?)))
}

/// A new authenticator's secret: for a professional's session waiting to set
/// one up, or a patient choosing to.
#[utoipa::path(
    post,
    path = "/session/second-factor/enrolment",
    operation_id = "second_factor_enrolment_begin",
    tag = "session",
    responses(
        (status = 200, description = "A new authenticator secret, unconfirmed until its first code", body = SecondFactorEnrolment),
        (status = 409, description = "An authenticator is already set up, or the session waits for a code")
    ),
    security(("session" = [], "csrf" = []))
)]
async fn begin_enrolment(
    State(state): State<AppState>,
    SignedInSession(session): SignedInSession,
) -> ApiResult<Json<SecondFactorEnrolment>> {
    if session.second_factor == Some(Pending::Verify) {
        return Err(not_waiting());
    }
    let account = accounts::summary(&state.db, &session.account_id).await?.ok_or(ApiError::Unauthenticated)?;
    let enrolment =
        second_factor::begin_enrolment(&state, &session.account_id, account.email.as_str()).await.map_err(refusal)?;
    Ok(Json(SecondFactorEnrolment {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
        qr_svg: enrolment.qr_svg,
    }))
}

/// The first code from the new authenticator: it is set up, the recovery
/// codes are made (and shown this once), and a waiting session becomes whole.
#[utoipa::path(
    post,
    path = "/session/second-factor/enrolment/confirm",
    operation_id = "second_factor_enrolment_confirm",
    tag = "session",
    request_body = SecondFactorCodeRequest,
    responses(
        (status = 200, description = "Set up: the session, and the recovery codes shown this once", body = SecondFactorConfirmed),
        (status = 409, description = "Nothing to confirm, or already set up"),
        (status = 429)
    ),
    security(("session" = [], "csrf" = []))
)]
async fn confirm_enrolment(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    SignedInSession(session): SignedInSession,
    jar: CookieJar,
    ApiJson(body): ApiJson<SecondFactorCodeRequest>,
) -> ApiResult<(CookieJar, Json<SecondFactorConfirmed>)> {
    if session.second_factor == Some(Pending::Verify) {
        return Err(not_waiting());
    }
    let proof = Proof { session: &session, code: &body.code, ip: &ip, user_agent: user_agent(&headers) };
    let proven = second_factor::confirm_enrolment(&state, proof).await.map_err(refusal)?;
    let jar = with_new_session(&state, jar, &proven);
    let session = session_response(&state, &session.account_id).await?;
    Ok((jar, Json(SecondFactorConfirmed { session, recovery_codes: proven.recovery_codes })))
}

#[utoipa::path(
    get,
    path = "/me/second-factor",
    operation_id = "second_factor_status",
    tag = "accounts",
    responses((status = 200, description = "Whether two-step sign-in is on", body = SecondFactorStatus)),
    security(("session" = []))
)]
async fn status(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<SecondFactorStatus>> {
    let set_up = second_factor::is_set_up(&state.db, &session.account_id).await?;
    let required = crate::staff::is_professional(&state.db, &session.account_id).await?;
    let left = second_factor::recovery_codes_left(&state.db, &session.account_id).await?;
    Ok(Json(SecondFactorStatus { set_up, required, recovery_codes_left: u32::try_from(left).unwrap_or(0) }))
}

/// A patient turns their second factor off, with their password; a
/// professional cannot (staff reach many records).
#[utoipa::path(
    delete,
    path = "/me/second-factor",
    operation_id = "second_factor_remove",
    tag = "accounts",
    request_body = RemoveSecondFactorRequest,
    responses(
        (status = 204, description = "Turned off; no body"),
        (status = 403, description = "Staff accounts must keep two-step sign-in on")
    ),
    security(("session" = [], "csrf" = []))
)]
async fn remove(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<RemoveSecondFactorRequest>,
) -> ApiResult<StatusCode> {
    if crate::staff::is_professional(&state.db, &session.account_id).await? {
        return Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "second-factor-required",
            "Staff accounts must keep two-step sign-in on",
            None,
        ));
    }
    if body.password.is_empty() {
        return Err(password_refusal(SignInError::Invalid(Vec::new())));
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(&session.account_id)
        .fetch_optional(&state.db.pool)
        .await?
        .flatten();
    if !state.hasher.verify(body.password, stored).await? {
        return Err(password_refusal(SignInError::WrongCredentials));
    }
    second_factor::remove(&state, &session.account_id, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The cookie of the whole session that replaced a waiting one, if it was.
fn with_new_session(state: &AppState, jar: CookieJar, proven: &second_factor::Proven) -> CookieJar {
    match &proven.token {
        Some(token) => jar.add(session_cookie(state, token)),
        None => jar,
    }
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok())
}

fn not_waiting() -> ApiError {
    ApiError::refusal(StatusCode::CONFLICT, "second-factor-not-waiting", "This step is not waiting for a code", None)
}

fn refusal(err: SecondFactorError) -> ApiError {
    match err {
        SecondFactorError::Malformed(message) => ApiError::field("code", message),
        SecondFactorError::WrongCode => ApiError::field("code", "The code is not right, or has been used already"),
        SecondFactorError::Throttled { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        SecondFactorError::AlreadySetUp => ApiError::refusal(
            StatusCode::CONFLICT,
            "second-factor-set-up",
            "An authenticator app is already set up for this account",
            None,
        ),
        SecondFactorError::NoEnrolment => ApiError::refusal(
            StatusCode::CONFLICT,
            "no-enrolment",
            "Start setting up your authenticator app again",
            None,
        ),
        SecondFactorError::Internal(err) => ApiError::Internal(err),
    }
}
