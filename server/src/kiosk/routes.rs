//! Kiosks over HTTP.
//!
//! Staff, for a team they are an admin or receptionist of:
//! - `GET /api/v1/staff/teams/{team_id}/kiosks`: the team's kiosks;
//! - `POST …/kiosks`: this device becomes a kiosk (the answer sets the
//!   kiosk's cookie and clears the staff session's);
//! - `DELETE …/kiosks/{kiosk_id}`: switches a kiosk off.
//!
//! The kiosk itself, by its cookie only:
//! - `GET /api/v1/kiosk`: the team's name, or 401 `kiosk-revoked`;
//! - `POST /api/v1/kiosk/check-ins`: a patient identifies themselves;
//! - `POST /api/v1/kiosk/invitations`: and chooses how to be invited.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{delete, get, post};
use axum::{Json, Router, middleware};
use axum_extra::extract::CookieJar;
use portico_types::api::{
    CreateKioskRequest, KioskCheckInRequest, KioskCheckInResponse, KioskInvitation, KioskInvitationRequest,
    KioskInviteVia, KioskSummary, KioskView, KiosksResponse,
};
use portico_types::problem::FieldError;
use portico_types::{DateOfBirth, NhsNumber};

use super::check_in::{self, CHECK_IN_LIFETIME, CheckInError, CheckedIn, Identity};
use super::devices::{self, KioskName, Revoked, SetUpBy};
use super::invite::{self, InviteError};
use super::{Found, IDLE_RESET_SECS, Kiosk};
use crate::auth::extract::{ClientIp, CurrentSession, removal_cookie};
use crate::clock::stored;
use crate::error::{ApiError, ApiResult};
use crate::http::even_time;
use crate::http::extract::ApiJson;
use crate::invitations;
use crate::mail::templates;
use crate::secrets::OneTimeToken;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/teams/{team_id}/kiosks", get(list).post(create))
        .route("/staff/teams/{team_id}/kiosks/{kiosk_id}", delete(revoke))
        .route("/kiosk", get(show))
        // Anyone at the screen types a name and a date: answered in even time.
        .route("/kiosk/check-ins", post(check_in).layer(middleware::from_fn(even_time::no_sooner_than_the_floor)))
        .route("/kiosk/invitations", post(invitation))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, revoke, show, check_in, invitation))]
pub struct Docs;

/// Team `team_id`, if `professional` may manage its kiosks.
async fn managing(state: &AppState, professional: &Professional, team_id: &str) -> ApiResult<String> {
    let team = staff::team_of(&state.db, professional, team_id).await?.ok_or(ApiError::NotFound)?;
    if !devices::may_manage(&team.roles) {
        return Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "may-not-manage-kiosks",
            "Only team admins and receptionists can set up kiosks",
            None,
        ));
    }
    Ok(team.id)
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/kiosks",
    operation_id = "kiosk_list",
    tag = "kiosk",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "OK", body = KiosksResponse)),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
) -> ApiResult<Json<KiosksResponse>> {
    let team_id = managing(&state, &professional, &team_id).await?;
    Ok(Json(KiosksResponse { kiosks: devices::of_team(&state.db, &team_id).await? }))
}

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/kiosks",
    operation_id = "kiosk_create",
    tag = "kiosk",
    params(("team_id" = String, Path, description = "The team's id")),
    request_body = CreateKioskRequest,
    responses((status = 201, description = "Created", body = KioskSummary)),
    security(("session" = [], "csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    professional: Professional,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Path(team_id): Path<String>,
    ApiJson(body): ApiJson<CreateKioskRequest>,
) -> ApiResult<(StatusCode, CookieJar, Json<KioskSummary>)> {
    let name = KioskName::parse(&body.name).map_err(|e| ApiError::field("name", e))?;
    let team_id = managing(&state, &professional, &team_id).await?;
    let by = SetUpBy { account_id: &professional.account_id, session_token_hash: &session.token_hash, ip: &ip };
    let registered = devices::register(&state, &team_id, &name, by).await?;
    let kiosks = devices::of_team(&state.db, &team_id).await?;
    let summary = kiosks.into_iter().find(|k| k.id == registered.id).ok_or_else(|| anyhow::anyhow!("kiosk gone"))?;
    let jar = jar.add(super::cookie(&state, &registered.token)).add(removal_cookie(&state));
    Ok((StatusCode::CREATED, jar, Json(summary)))
}

#[utoipa::path(
    delete,
    path = "/staff/teams/{team_id}/kiosks/{kiosk_id}",
    operation_id = "kiosk_revoke",
    tag = "kiosk",
    params(("team_id" = String, Path, description = "The team's id"), ("kiosk_id" = String, Path, description = "The kiosk's id")),
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path((team_id, kiosk_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let team_id = managing(&state, &professional, &team_id).await?;
    match devices::revoke(&state, &team_id, &kiosk_id, &professional.account_id, &ip).await? {
        Revoked::Now | Revoked::Already => Ok(StatusCode::NO_CONTENT),
        Revoked::NoSuchKiosk => Err(ApiError::NotFound),
    }
}

/// A request from a live kiosk, by its cookie.
#[derive(Debug, Clone)]
pub struct KioskDevice(pub Kiosk);

impl FromRequestParts<AppState> for KioskDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let found = match super::token(state, &jar) {
            Some(token) => super::by_token(&state.db, &token, state.now()).await?,
            None => Found::Unknown,
        };
        match found {
            Found::Live(kiosk) => Ok(Self(kiosk)),
            Found::Revoked => Err(ApiError::refusal(
                StatusCode::UNAUTHORIZED,
                "kiosk-revoked",
                "This kiosk has been switched off",
                Some("Ask at reception.".into()),
            )),
            Found::Unknown => Err(ApiError::refusal(
                StatusCode::UNAUTHORIZED,
                "kiosk-not-set-up",
                "This device is not set up as a kiosk",
                Some("A team admin or receptionist can set it up from their team's page.".into()),
            )),
        }
    }
}

#[utoipa::path(
    get,
    path = "/kiosk",
    operation_id = "kiosk_show",
    tag = "kiosk",
    responses((status = 200, description = "OK", body = KioskView)),
    security(("kiosk" = []))
)]
async fn show(KioskDevice(kiosk): KioskDevice) -> Json<KioskView> {
    Json(KioskView { team_name: kiosk.team_name, idle_reset_secs: IDLE_RESET_SECS })
}

const ASK_AT_RECEPTION: &str = "Please ask at reception.";

#[utoipa::path(
    post,
    path = "/kiosk/check-ins",
    operation_id = "kiosk_check_in",
    tag = "kiosk",
    request_body = KioskCheckInRequest,
    responses((status = 200, description = "OK", body = KioskCheckInResponse), (status = 429)),
    security(("kiosk" = [], "csrf" = []))
)]
async fn check_in(
    State(state): State<AppState>,
    KioskDevice(kiosk): KioskDevice,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<KioskCheckInRequest>,
) -> ApiResult<Json<KioskCheckInResponse>> {
    let (date_of_birth, identity) = parse_check_in(&body, state.now().date())?;
    let checked_in =
        check_in::check_in(&state, &kiosk, &date_of_birth, &identity, &ip).await.map_err(|err| match err {
            CheckInError::Locked => ApiError::refusal(
                StatusCode::TOO_MANY_REQUESTS,
                "check-in-locked",
                "We could not check you in",
                Some(ASK_AT_RECEPTION.into()),
            ),
            CheckInError::TooManyAttempts { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
            CheckInError::Internal(err) => ApiError::Internal(err),
        })?;
    Ok(Json(match checked_in {
        CheckedIn::Invitable { token, options } => KioskCheckInResponse::Invitable {
            token: token.as_str().to_owned(),
            options,
            expires_in_secs: u32::try_from(CHECK_IN_LIFETIME.whole_seconds()).unwrap_or(120),
        },
        CheckedIn::AlreadyRegistered => KioskCheckInResponse::AlreadyRegistered,
        CheckedIn::NotFound => KioskCheckInResponse::NotFound,
    }))
}

/// A field the patient filled in: absent and blank are alike.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|v| !v.trim().is_empty())
}

/// The date of birth and exactly one way of saying who the patient is,
/// with every bad field listed at once.
fn parse_check_in(body: &KioskCheckInRequest, today: time::Date) -> ApiResult<(DateOfBirth, Identity)> {
    let mut errors = Vec::new();
    let date_of_birth = DateOfBirth::parse(&body.date_of_birth, today)
        .map_err(|e| errors.push(FieldError::new("date_of_birth", e)))
        .ok();
    let identity = match (given(&body.family_name), given(&body.nhs_number), given(&body.letter_reference)) {
        (Some(name), None, None) => Identity::family_name(name).map_err(|e| FieldError::new("family_name", e)),
        (None, Some(number), None) => {
            NhsNumber::parse(number).map(Identity::NhsNumber).map_err(|e| FieldError::new("nhs_number", e))
        }
        (None, None, Some(reference)) => {
            Identity::letter_reference(reference).map_err(|e| FieldError::new("letter_reference", e))
        }
        (None, None, None) => Err(FieldError::new(
            "family_name",
            "Enter your surname, your NHS number or the reference on your appointment letter",
        )),
        _ => Err(FieldError::new(
            "family_name",
            "Give only one of your surname, your NHS number or the reference on your appointment letter",
        )),
    };
    let identity = identity.map_err(|e| errors.push(e)).ok();
    match (date_of_birth, identity) {
        (Some(date_of_birth), Some(identity)) => Ok((date_of_birth, identity)),
        _ => Err(ApiError::Invalid(errors)),
    }
}

#[utoipa::path(
    post,
    path = "/kiosk/invitations",
    operation_id = "kiosk_invitation",
    tag = "kiosk",
    request_body = KioskInvitationRequest,
    responses((status = 201, description = "Created", body = KioskInvitation), (status = 409), (status = 410)),
    security(("kiosk" = [], "csrf" = []))
)]
async fn invitation(
    State(state): State<AppState>,
    KioskDevice(kiosk): KioskDevice,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<KioskInvitationRequest>,
) -> ApiResult<(StatusCode, Json<KioskInvitation>)> {
    let via =
        KioskInviteVia::parse(&body.via).ok_or_else(|| ApiError::field("via", "Choose how to get your invitation"))?;
    let start_again = || {
        ApiError::refusal(
            StatusCode::GONE,
            "check-in-expired",
            "Your check-in has timed out",
            Some("Start again to check in.".into()),
        )
    };
    let token = OneTimeToken::parse(&body.token).ok_or_else(start_again)?;
    let issued = invite::invite(&state, &kiosk, &token, via, &ip).await.map_err(|err| match err {
        InviteError::CheckInGone => start_again(),
        InviteError::NotFound => ApiError::refusal(
            StatusCode::NOT_FOUND,
            "check-in-not-found",
            "We could not find you",
            Some("Please check in at reception.".into()),
        ),
        InviteError::AlreadyRegistered => ApiError::refusal(
            StatusCode::CONFLICT,
            "already-registered",
            "You are already registered",
            Some("Sign in on your phone to see your record.".into()),
        ),
        InviteError::NoContact => ApiError::field("via", "This way is not available any more: choose another"),
        InviteError::Internal(err) => ApiError::Internal(err),
    })?;
    let on_screen = via == KioskInviteVia::Screen;
    let link = on_screen.then(|| templates::registration_link(&state.settings.public_base_url, &issued.code));
    Ok((
        StatusCode::CREATED,
        Json(KioskInvitation {
            via,
            code: on_screen.then(|| issued.code.grouped()),
            qr_svg: link.as_deref().and_then(invitations::qr_svg),
            expires_at: stored(issued.expires_at),
        }),
    ))
}
