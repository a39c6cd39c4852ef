//! `/api/v1/carer-invitations/...`: the page a carer's emailed link opens,
//! and accepting, signed in or by registering.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use portico_types::api::{
    AcceptCarerInvitationRequest, AcceptedCarerInvitation, CarerInvitationLookup, RegisterCarerRequest,
};
use portico_types::problem::FieldError;

use super::accept::{self, AcceptError, NewCarer};
use crate::auth::extract::{ClientIp, CurrentSession, session_cookie};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/carer-invitations/lookup", post(lookup))
        .route("/carer-invitations/accept", post(accept_signed_in))
        .route("/carer-invitations/register", post(register))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(lookup, accept_signed_in, register))]
pub struct Docs;

fn token(raw: &str) -> ApiResult<OneTimeToken> {
    OneTimeToken::parse(raw).ok_or_else(|| accept_refusal(AcceptError::UsedUp))
}

fn accept_refusal(err: AcceptError) -> ApiError {
    match err {
        AcceptError::UsedUp => ApiError::refusal(
            StatusCode::GONE,
            "carer-invitation-not-valid",
            "This invitation can no longer be used",
            Some("Ask the person who invited you to send a new one.".into()),
        ),
        AcceptError::WrongAccount => ApiError::refusal(
            StatusCode::FORBIDDEN,
            "carer-invitation-other-address",
            "This invitation was sent to a different email address",
            Some("Sign in with the account that uses the address the invitation went to.".into()),
        ),
        AcceptError::OwnRecord => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "carer-is-yourself",
            "You cannot be a carer for your own record",
            None,
        ),
        AcceptError::AlreadyCarer => {
            ApiError::refusal(StatusCode::CONFLICT, "already-a-carer", "You already have access to this record", None)
        }
        AcceptError::Excluded => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-excluded",
            "This invitation can no longer be used",
            Some("Contact the clinical team that looks after this record.".into()),
        ),
        AcceptError::CameOfAge => ApiError::refusal(
            StatusCode::GONE,
            "child-came-of-age",
            "This invitation can no longer be used",
            Some("The young person now decides who sees their record.".into()),
        ),
        AcceptError::EmailHasAccount => ApiError::refusal(
            StatusCode::CONFLICT,
            "email-has-account",
            "You already have a Portico account",
            Some("Sign in, then open the invitation link again to accept it.".into()),
        ),
        AcceptError::Invalid { display_name, password, terms_not_accepted } => {
            let mut errors = Vec::new();
            if display_name {
                errors.push(FieldError::new("display_name", "Enter your name (100 characters or fewer)"));
            }
            if let Some(e) = password {
                errors.push(FieldError::new("password", e));
            }
            if terms_not_accepted {
                errors.push(FieldError::new("accept_terms", "Accept the terms of use to continue"));
            }
            ApiError::Invalid(errors)
        }
        AcceptError::Internal(err) => ApiError::Internal(err),
    }
}

#[utoipa::path(
    post,
    path = "/carer-invitations/lookup",
    operation_id = "carers_lookup",
    tag = "carers",
    request_body = AcceptCarerInvitationRequest,
    responses((status = 200, description = "OK", body = CarerInvitationLookup), (status = 410)),
    security(("csrf" = []))
)]
async fn lookup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AcceptCarerInvitationRequest>,
) -> ApiResult<Json<CarerInvitationLookup>> {
    let token = token(&body.token)?;
    Ok(Json(accept::lookup(&state, &token).await.map_err(accept_refusal)?))
}

#[utoipa::path(
    post,
    path = "/carer-invitations/accept",
    operation_id = "accept_signed_in",
    tag = "carers",
    request_body = AcceptCarerInvitationRequest,
    responses((status = 200, description = "OK", body = AcceptedCarerInvitation), (status = 410)),
    security(("session" = [], "csrf" = []))
)]
async fn accept_signed_in(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<AcceptCarerInvitationRequest>,
) -> ApiResult<Json<AcceptedCarerInvitation>> {
    let token = token(&body.token)?;
    Ok(Json(accept::accept(&state, &session.account_id, &token, &ip).await.map_err(accept_refusal)?))
}

#[utoipa::path(
    post,
    path = "/carer-invitations/register",
    operation_id = "carers_register",
    tag = "carers",
    request_body = RegisterCarerRequest,
    responses((status = 201, description = "Created", body = AcceptedCarerInvitation), (status = 410)),
    security(("csrf" = []))
)]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<RegisterCarerRequest>,
) -> ApiResult<(StatusCode, CookieJar, Json<AcceptedCarerInvitation>)> {
    let token = token(&body.token)?;
    let new = NewCarer {
        display_name: &body.display_name,
        password: &body.password,
        accept_terms: body.accept_terms,
        ip: &ip,
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
    };
    let (accepted, session) = accept::register(&state, &token, new).await.map_err(accept_refusal)?;
    Ok((StatusCode::CREATED, jar.add(session_cookie(&state, &session)), Json(accepted)))
}
