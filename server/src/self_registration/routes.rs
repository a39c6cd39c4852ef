//! Self-registration over HTTP.
//!
//! Public:
//! - `GET /api/v1/join/{slug}`: an open join page, with a proof-of-work challenge;
//! - `POST /api/v1/join/{slug}`: the form; answers as the registration steps
//!   do, and sets the registration cookie the email and password steps use.
//!
//! The patient: `GET /api/v1/me/sign-ups`, where their requests have got to.
//!
//! Staff with the team's admin or clinician role:
//! - `GET /api/v1/staff/teams/{team_id}/sign-ups`: the queue, with matches;
//! - `POST /api/v1/staff/sign-ups/{id}/link`, `…/new-record`, `…/decline`.
//!
//! The team's admin: `GET`/`PUT /api/v1/staff/teams/{team_id}/join-page`.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use axum_extra::extract::CookieJar;
use portico_types::api::{
    DeclineSignUpRequest, JoinPageSettings, JoinPageView, JoinRequest, LinkSignUpRequest, MySignUpsResponse,
    RegistrationView, Role, SignUpDecided, SignUpQueueResponse, SignUpState, TeamSummary,
};
use portico_types::bundle::Bundle;

use super::decide::{self, DecideError, DecidedBy};
use super::page::{self, JoinPage};
use super::proof_of_work::{self, Refused};
use super::queue;
use super::start::{self, StartError};
use crate::auth::extract::{ClientIp, CurrentSession};
use crate::error::{ApiError, ApiResult};
use crate::http::even_time;
use crate::http::extract::ApiJson;
use crate::registration;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        // Any address may be typed on the form: answered in even time.
        .route("/join/{slug}", get(show).post(join).layer(middleware::from_fn(even_time::no_sooner_than_the_floor)))
        .route("/me/sign-ups", get(mine))
        .route("/staff/teams/{team_id}/sign-ups", get(team_queue))
        .route("/staff/teams/{team_id}/join-page", get(settings).put(change_settings))
        .route("/staff/sign-ups/{id}/link", post(link))
        .route("/staff/sign-ups/{id}/new-record", post(new_record))
        .route("/staff/sign-ups/{id}/decline", post(decline))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(show, join, mine, team_queue, settings, change_settings, link, new_record, decline))]
pub struct Docs;

/// The open join page at `slug`; a closed or unknown one is not found, alike.
pub async fn open_page(state: &AppState, slug: &str) -> ApiResult<JoinPage> {
    page::open_by_slug(&state.db, slug).await?.ok_or(ApiError::NotFound)
}

#[utoipa::path(
    get,
    path = "/join/{slug}",
    operation_id = "self_registration_show",
    tag = "self-registration",
    params(("slug" = String, Path, description = "The team's join page slug")),
    responses((status = 200, description = "OK", body = JoinPageView))
)]
async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<Json<JoinPageView>> {
    let page = open_page(&state, &slug).await?;
    let bits = state.settings.join_proof_of_work_bits;
    let challenge = proof_of_work::issue(&state.keys, &page.team_id, bits, state.now());
    Ok(Json(JoinPageView { team_name: page.team_name, message: page.message, challenge, bits }))
}

const RELOAD: &str = "Reload the page and try again. If this keeps happening, contact the clinical team.";

#[utoipa::path(
    post,
    path = "/join/{slug}",
    operation_id = "join",
    tag = "self-registration",
    params(("slug" = String, Path, description = "The team's join page slug")),
    request_body = JoinRequest,
    responses((status = 201, description = "Created", body = RegistrationView), (status = 429)),
    security(("csrf" = []))
)]
async fn join(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    jar: CookieJar,
    ApiJson(body): ApiJson<JoinRequest>,
) -> ApiResult<(StatusCode, CookieJar, Json<RegistrationView>)> {
    let page = open_page(&state, &slug).await?;
    let started = start::start(&state, &page, &body, &ip).await.map_err(|err| match err {
        StartError::TooManySignUps { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        StartError::Invalid(errors) => ApiError::Invalid(errors),
        // Said plainly: a person whose browser filled the hidden field in can still get through.
        StartError::Automated => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-looks-automated",
            "We could not accept this form",
            Some(RELOAD.into()),
        ),
        StartError::ProofOfWork(Refused::Expired | Refused::Used) => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-expired",
            "This form has expired",
            Some(RELOAD.into()),
        ),
        StartError::ProofOfWork(Refused::Forged | Refused::TooEasy | Refused::Unsolved) => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "proof-of-work-failed",
            "We could not check this form",
            Some(RELOAD.into()),
        ),
        StartError::Internal(err) => ApiError::Internal(err),
    })?;
    Ok((StatusCode::CREATED, jar.add(registration::cookie(&state, &started.token)), Json(started.view)))
}

#[utoipa::path(
    get,
    path = "/me/sign-ups",
    operation_id = "self_registration_mine",
    tag = "self-registration",
    responses((status = 200, description = "OK", body = MySignUpsResponse)),
    security(("session" = []))
)]
async fn mine(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<MySignUpsResponse>> {
    Ok(Json(MySignUpsResponse { sign_ups: queue::of_account(&state.db, &session.account_id).await? }))
}

/// Who may work a team's queue: the people who know its patients.
fn may_decide(roles: &[Role]) -> bool {
    roles.iter().any(|r| matches!(r, Role::Admin | Role::Clinician))
}

/// Team `team_id`, if `professional` may work its queue: 404 for a team
/// they have no role in, 403 for a role that may not.
async fn deciding(state: &AppState, professional: &Professional, team_id: &str) -> ApiResult<TeamSummary> {
    let team = staff::team_of(&state.db, professional, team_id).await?.ok_or(ApiError::NotFound)?;
    if may_decide(&team.roles) {
        Ok(team)
    } else {
        Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "may-not-decide-sign-ups",
            "Only the team's admins and clinicians can see its sign-ups",
            None,
        ))
    }
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/sign-ups",
    operation_id = "team_queue",
    tag = "self-registration",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "OK", body = SignUpQueueResponse)),
    security(("session" = []))
)]
async fn team_queue(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
) -> ApiResult<Json<SignUpQueueResponse>> {
    let team = deciding(&state, &professional, &team_id).await?;
    let sign_ups = queue::waiting(&state.db, &team_id).await?;
    Ok(Json(SignUpQueueResponse { team_name: team.name, team_slug: team.slug, sign_ups }))
}

/// Sign-up `id`, if `professional` may decide it; one of another team is not found.
async fn decidable(state: &AppState, professional: &Professional, id: &str) -> ApiResult<()> {
    let team_id = queue::team_of(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    deciding(state, professional, &team_id).await.map(|_| ())
}

#[utoipa::path(
    post,
    path = "/staff/sign-ups/{id}/link",
    operation_id = "self_registration_link",
    tag = "self-registration",
    params(("id" = String, Path, description = "The sign-up's id")),
    request_body = LinkSignUpRequest,
    responses((status = 200, description = "OK", body = SignUpDecided)),
    security(("session" = [], "csrf" = []))
)]
async fn link(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkSignUpRequest>,
) -> ApiResult<Json<SignUpDecided>> {
    decidable(&state, &professional, &id).await?;
    let by = DecidedBy { account_id: &professional.account_id, ip: &ip };
    decide::link(&state, &id, body.record_id.trim(), by).await.map_err(refusal)?;
    Ok(Json(SignUpDecided { state: SignUpState::Linked, record_id: Some(body.record_id.trim().to_owned()) }))
}

#[utoipa::path(
    post,
    path = "/staff/sign-ups/{id}/new-record",
    operation_id = "self_registration_new_record",
    tag = "self-registration",
    params(("id" = String, Path, description = "The sign-up's id")),
    responses((status = 201, description = "Created", body = SignUpDecided)),
    security(("session" = [], "csrf" = []))
)]
async fn new_record(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<SignUpDecided>)> {
    decidable(&state, &professional, &id).await?;
    let by = DecidedBy { account_id: &professional.account_id, ip: &ip };
    let record_id = decide::create_record(&state, &id, by).await.map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(SignUpDecided { state: SignUpState::Created, record_id: Some(record_id) })))
}

#[utoipa::path(
    post,
    path = "/staff/sign-ups/{id}/decline",
    operation_id = "self_registration_decline",
    tag = "self-registration",
    params(("id" = String, Path, description = "The sign-up's id")),
    request_body = DeclineSignUpRequest,
    responses((status = 200, description = "OK", body = SignUpDecided)),
    security(("session" = [], "csrf" = []))
)]
async fn decline(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeclineSignUpRequest>,
) -> ApiResult<Json<SignUpDecided>> {
    let reason = decide::parse_reason(&body.reason).map_err(|e| ApiError::field("reason", e))?;
    decidable(&state, &professional, &id).await?;
    let by = DecidedBy { account_id: &professional.account_id, ip: &ip };
    decide::decline(&state, &id, &reason, by).await.map_err(refusal)?;
    Ok(Json(SignUpDecided { state: SignUpState::Declined, record_id: None }))
}

fn refusal(err: DecideError) -> ApiError {
    match err {
        DecideError::AlreadyDecided => ApiError::refusal(
            StatusCode::CONFLICT,
            "sign-up-decided",
            "This sign-up has already been decided",
            Some("Someone in your team decided it first. Reload the queue to see what is left.".into()),
        ),
        DecideError::RecordNotInTeam => ApiError::field("record_id", "Choose one of the team's records"),
        DecideError::RecordExcluded => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-excluded",
            "This person's record has a safeguarding exclusion",
            Some(
                "While it stands, the sign-up cannot be linked to it or given a new record. \
                 Ask a safeguarding lead, or decline the sign-up."
                    .into(),
            ),
        ),
        DecideError::AlreadyOwned => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-registered",
            "This record, or this person's account, is already registered",
            Some("Check the record: the person may have registered another way.".into()),
        ),
        DecideError::RecordExists => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-exists",
            "A record with these details already exists",
            Some("Link the sign-up to that record instead.".into()),
        ),
        DecideError::Internal(err) => ApiError::Internal(err),
    }
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/join-page",
    operation_id = "self_registration_settings",
    tag = "self-registration",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "OK", body = JoinPageSettings)),
    security(("session" = []))
)]
async fn settings(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
) -> ApiResult<Json<JoinPageSettings>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let page = page::of_team(&mut conn, &team_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(JoinPageSettings {
        enabled: page.enabled,
        message: page.message,
        admission: page.admission.as_str().into(),
    }))
}

#[utoipa::path(
    put,
    path = "/staff/teams/{team_id}/join-page",
    operation_id = "self_registration_change_settings",
    tag = "self-registration",
    params(("team_id" = String, Path, description = "The team's id")),
    request_body = JoinPageSettings,
    responses((status = 200, description = "OK", body = JoinPageSettings)),
    security(("session" = [], "csrf" = []))
)]
async fn change_settings(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(team_id): Path<String>,
    ApiJson(body): ApiJson<JoinPageSettings>,
) -> ApiResult<Json<JoinPageSettings>> {
    let checked = page::parse(&body).map_err(ApiError::Invalid)?;
    staff::admin_of(&state, &professional, &team_id).await?;
    page::change(&state.db, &team_id, &checked, &professional.account_id, &ip, state.now()).await?;
    let (enabled, message, admission) = checked;
    Ok(Json(JoinPageSettings { enabled, message, admission: admission.as_str().into() }))
}

/// The page shell for `/join/{slug}`: the join page's bundle, answered 404
/// when the team has no open page, so the address itself says it is not there.
pub async fn page_shell(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let status = match page::open_by_slug(&state.db, &slug).await {
        Ok(Some(_)) => StatusCode::OK,
        Ok(None) => StatusCode::NOT_FOUND,
        Err(err) => {
            tracing::error!(error = %err, "could not read a join page");
            return (StatusCode::INTERNAL_SERVER_ERROR, Html(PLAIN_ERROR)).into_response();
        }
    };
    match tokio::fs::read(state.settings.site_dir.join(Bundle::Join.shell())).await {
        Ok(shell) => (status, [(header::CACHE_CONTROL, "no-cache")], Html(shell)).into_response(),
        // No built app (an API-only test run): the plain words alone.
        Err(_) => (status, Html(if status == StatusCode::OK { PLAIN_NO_APP } else { PLAIN_NOT_FOUND })).into_response(),
    }
}

const PLAIN_NOT_FOUND: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Page not found - Portico</title>\
<h1>Page not found</h1><p>If you typed the web address, check it is correct.</p>\
<p>If you followed a link from your clinical team, contact them.</p></html>";
const PLAIN_NO_APP: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Portico</title>\
<h1>Portico</h1><p>Sorry, this page is not available right now. Try again later.</p></html>";
const PLAIN_ERROR: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Sorry, there is a problem - Portico</title>\
<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></html>";
