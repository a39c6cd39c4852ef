//! Campaign routes (see `portico_types::api::campaigns` for the list). A
//! team's admins run its campaigns; a campaign of a team the professional
//! is not an admin of is not found.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_types::api::{CampaignView, CampaignsResponse, CohortPreview, CohortRequest, StartCampaignRequest};

use super::{CampaignError, cohort, invitation_settings};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ApiPath};
use crate::staff::{self, Professional};
use crate::state::AppState;

/// The longest campaign name.
const MAX_NAME: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/teams/{team_id}/campaigns", get(list).post(start))
        .route("/staff/teams/{team_id}/campaigns/preview", post(preview))
        .route("/staff/campaigns/{campaign_id}", get(view))
        .route("/staff/campaigns/{campaign_id}/pause", post(pause))
        .route("/staff/campaigns/{campaign_id}/resume", post(resume))
        .route("/staff/campaigns/{campaign_id}/cancel", post(cancel))
        .route("/staff/campaigns/{campaign_id}/batches/{seq}/letters.pdf", get(batch_pdf))
        .route("/staff/campaigns/{campaign_id}/batches/{seq}/manifest.csv", get(batch_manifest))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, start, preview, view, pause, resume, cancel, batch_pdf, batch_manifest))]
pub struct Docs;

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/campaigns/preview",
    operation_id = "campaigns_preview",
    tag = "campaigns",
    params(("team_id" = String, Path, description = "The team's id")),
    request_body = CohortRequest,
    responses((status = 200, description = "OK", body = CohortPreview)),
    security(("session" = [], "csrf" = []))
)]
async fn preview(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
    ApiJson(body): ApiJson<CohortRequest>,
) -> ApiResult<Json<CohortPreview>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let asked = cohort::parse(&body, state.now().date())?
        .with_team_default(invitation_settings::hold_until_entries(&state.db, &team_id).await?);
    Ok(Json(cohort::preview(&state.db, &team_id, &asked).await?))
}

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/campaigns",
    operation_id = "campaigns_start",
    tag = "campaigns",
    params(("team_id" = String, Path, description = "The team's id")),
    request_body = StartCampaignRequest,
    responses((status = 201, description = "Created", body = CampaignView)),
    security(("session" = [], "csrf" = []))
)]
async fn start(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
    ApiJson(body): ApiJson<StartCampaignRequest>,
) -> ApiResult<(StatusCode, Json<CampaignView>)> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::field("name", format!("Enter a name for the campaign, up to {MAX_NAME} characters")));
    }
    let (asked, plan) = match &body.plan {
        Some(plan) => {
            let (asked, plan) = super::escalation::routes::parse_with_plan(&body.cohort, plan, state.now().date())?;
            (asked, Some(plan))
        }
        None => (cohort::parse(&body.cohort, state.now().date())?, None),
    };
    let asked = asked.with_team_default(invitation_settings::hold_until_entries(&state.db, &team_id).await?);
    let id = super::start_with_plan(&state, &team_id, name, &asked, plan.as_ref(), &professional.account_id)
        .await
        .map_err(refusal)?;
    let view = super::view(&state.db, &id, state.now()).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/campaigns",
    operation_id = "campaigns_list",
    tag = "campaigns",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "OK", body = CampaignsResponse)),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
) -> ApiResult<Json<CampaignsResponse>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    Ok(Json(CampaignsResponse { campaigns: super::list(&state.db, &team_id).await? }))
}

#[utoipa::path(
    get,
    path = "/staff/campaigns/{campaign_id}",
    operation_id = "campaigns_view",
    tag = "campaigns",
    params(("campaign_id" = String, Path, description = "The campaign's id")),
    responses((status = 200, description = "OK", body = CampaignView)),
    security(("session" = []))
)]
async fn view(
    State(state): State<AppState>,
    professional: Professional,
    Path(campaign_id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    admin_of_campaign(&state, &professional, &campaign_id).await?;
    Ok(Json(super::view(&state.db, &campaign_id, state.now()).await?.ok_or(ApiError::NotFound)?))
}

#[utoipa::path(
    post,
    path = "/staff/campaigns/{campaign_id}/pause",
    operation_id = "campaigns_pause",
    tag = "campaigns",
    params(("campaign_id" = String, Path, description = "The campaign's id")),
    responses((status = 200, description = "OK", body = CampaignView)),
    security(("session" = [], "csrf" = []))
)]
async fn pause(
    State(state): State<AppState>,
    professional: Professional,
    Path(campaign_id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    admin_of_campaign(&state, &professional, &campaign_id).await?;
    super::pause(&state, &campaign_id, &professional.account_id).await.map_err(refusal)?;
    view(State(state), professional, Path(campaign_id)).await
}

#[utoipa::path(
    post,
    path = "/staff/campaigns/{campaign_id}/resume",
    operation_id = "campaigns_resume",
    tag = "campaigns",
    params(("campaign_id" = String, Path, description = "The campaign's id")),
    responses((status = 200, description = "OK", body = CampaignView)),
    security(("session" = [], "csrf" = []))
)]
async fn resume(
    State(state): State<AppState>,
    professional: Professional,
    Path(campaign_id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    admin_of_campaign(&state, &professional, &campaign_id).await?;
    super::resume(&state, &campaign_id, &professional.account_id).await.map_err(refusal)?;
    view(State(state), professional, Path(campaign_id)).await
}

#[utoipa::path(
    post,
    path = "/staff/campaigns/{campaign_id}/cancel",
    operation_id = "campaigns_cancel",
    tag = "campaigns",
    params(("campaign_id" = String, Path, description = "The campaign's id")),
    responses((status = 200, description = "OK", body = CampaignView)),
    security(("session" = [], "csrf" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    professional: Professional,
    Path(campaign_id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    admin_of_campaign(&state, &professional, &campaign_id).await?;
    super::cancel(&state, &campaign_id, &professional.account_id).await.map_err(refusal)?;
    view(State(state), professional, Path(campaign_id)).await
}

#[utoipa::path(
    get,
    path = "/staff/campaigns/{campaign_id}/batches/{seq}/letters.pdf",
    operation_id = "batch_pdf",
    tag = "campaigns",
    params(("campaign_id" = String, Path, description = "The campaign's id"), ("seq" = i64, Path, description = "The batch's number, from 1")),
    responses((status = 200, description = "The batch's letters, one A4 page each", content_type = "application/pdf", body = Vec<u8>), (status = 400, description = "The batch number is not a whole number")),
    security(("session" = []))
)]
async fn batch_pdf(
    State(state): State<AppState>,
    professional: Professional,
    ApiPath((campaign_id, seq)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    admin_of_campaign(&state, &professional, &campaign_id).await?;
    let pdf = super::batch_file(&state.db, &campaign_id, seq, true, state.now()).await?.ok_or(ApiError::NotFound)?;
    Ok(file(pdf, "application/pdf", &format!("letters-batch-{seq}.pdf")))
}

#[utoipa::path(
    get,
    path = "/staff/campaigns/{campaign_id}/batches/{seq}/manifest.csv",
    operation_id = "batch_manifest",
    tag = "campaigns",
    params(("campaign_id" = String, Path, description = "The campaign's id"), ("seq" = i64, Path, description = "The batch's number, from 1")),
    responses((status = 200, description = "The batch's manifest for a print house", content_type = "text/csv", body = String), (status = 400, description = "The batch number is not a whole number")),
    security(("session" = []))
)]
async fn batch_manifest(
    State(state): State<AppState>,
    professional: Professional,
    ApiPath((campaign_id, seq)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    admin_of_campaign(&state, &professional, &campaign_id).await?;
    let csv = super::batch_file(&state.db, &campaign_id, seq, false, state.now()).await?.ok_or(ApiError::NotFound)?;
    Ok(file(csv, "text/csv; charset=utf-8", &format!("letters-batch-{seq}-manifest.csv")))
}

/// A download: the codes inside must not sit in a shared cache.
fn file(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The campaign's team, of which the professional must be an admin.
async fn admin_of_campaign(state: &AppState, professional: &Professional, campaign_id: &str) -> ApiResult<()> {
    let team_id = super::team_of(&state.db, campaign_id).await?.ok_or(ApiError::NotFound)?;
    match staff::admin_of(state, professional, &team_id).await {
        Ok(_) => Ok(()),
        Err(ApiError::Forbidden) => Err(ApiError::NotFound),
        Err(other) => Err(other),
    }
}

fn refusal(err: CampaignError) -> ApiError {
    match err {
        CampaignError::EmptyCohort => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty-cohort",
            "There is no one in this cohort to invite",
            Some("Change who to invite, or the ages, and count the cohort again.".into()),
        ),
        CampaignError::NotFound => ApiError::NotFound,
        CampaignError::WrongState(state, verb) => ApiError::refusal(
            StatusCode::CONFLICT,
            "campaign-state",
            "The campaign cannot do that now",
            Some(format!("It is {state}, so it cannot be {verb}.")),
        ),
        CampaignError::Internal(err) => ApiError::Internal(err),
    }
}
