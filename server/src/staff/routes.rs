//! `/api/v1/staff/...`: what a signed-in professional sees.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::{RecordSearchQuery, RecordSearchResponse, TeamsResponse};

use super::Professional;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiQuery;
use crate::records::search::{self, PAGE_SIZE, Query};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/teams", get(list_teams)).route("/staff/teams/{team_id}/records", get(search_records))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_teams, search_records))]
pub struct Docs;

#[utoipa::path(
    get,
    path = "/staff/teams",
    operation_id = "list_teams",
    tag = "teams",
    responses((status = 200, description = "OK", body = TeamsResponse)),
    security(("session" = []))
)]
async fn list_teams(State(state): State<AppState>, professional: Professional) -> ApiResult<Json<TeamsResponse>> {
    let teams = super::teams_of(&state.db, &professional).await?;
    Ok(Json(TeamsResponse { teams }))
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/records",
    operation_id = "search_records",
    tag = "teams",
    params(("team_id" = String, Path, description = "The team's id"), RecordSearchQuery),
    responses((status = 200, description = "OK", body = RecordSearchResponse)),
    security(("session" = []))
)]
async fn search_records(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
    ApiQuery(params): ApiQuery<RecordSearchQuery>,
) -> ApiResult<Json<RecordSearchResponse>> {
    let today = state.now().date();
    let query = Query::parse(params.q.as_deref().unwrap_or(""), today);
    let page = search::page(params.page);
    let (query, page) = match (query, page) {
        (Ok(query), Ok(page)) => (query, page),
        (query, page) => return Err(ApiError::Invalid(query.err().into_iter().chain(page.err()).collect())),
    };
    let team = super::team_of(&state.db, &professional, &team_id).await?.ok_or(ApiError::NotFound)?;
    let (records, total) = search::in_team(&state.db, &team.id, &query, page).await?;
    Ok(Json(RecordSearchResponse { team, records, total, page, page_size: PAGE_SIZE, matched_on: query.kind().into() }))
}
