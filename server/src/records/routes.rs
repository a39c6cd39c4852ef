//! `/api/v1/staff/records/...`: a record as staff see it, and its exclusion.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_types::api::{
    ExclusionView, LiftExclusionRequest, RecordDetailResponse, RecordHistoryResponse, Role, SetExclusionRequest,
};
use portico_types::problem::FieldError;

use super::exclusions::{self, Reason};
use super::{history, view};
use crate::auth::extract::ClientIp;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::staff::{self, Professional};
use crate::state::AppState;

const MAX_NOTE_CHARS: usize = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/records/{record_id}", get(show))
        .route("/staff/records/{record_id}/exclusion", axum::routing::put(set_exclusion))
        .route("/staff/records/{record_id}/exclusion/lift", post(lift_exclusion))
        .route("/staff/records/{record_id}/history", get(show_history))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(show, set_exclusion, lift_exclusion, show_history))]
pub struct Docs;

/// Who may see that a record is excluded, and why.
pub(crate) fn may_see_exclusions(roles: &[Role]) -> bool {
    roles.iter().any(|r| matches!(r, Role::SafeguardingLead | Role::Clinician))
}

/// The roles the professional holds on the record; a record of no team of
/// theirs is answered like a missing one.
async fn roles(state: &AppState, professional: &Professional, record_id: &str) -> ApiResult<Vec<Role>> {
    let roles = staff::roles_on_record(&state.db, professional, record_id).await?;
    if roles.is_empty() { Err(ApiError::NotFound) } else { Ok(roles) }
}

#[utoipa::path(
    get,
    path = "/staff/records/{record_id}",
    operation_id = "records_show",
    tag = "records",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "OK", body = RecordDetailResponse)),
    security(("session" = []))
)]
async fn show(
    State(state): State<AppState>,
    professional: Professional,
    Path(record_id): Path<String>,
) -> ApiResult<Json<RecordDetailResponse>> {
    let roles = roles(&state, &professional, &record_id).await?;
    let record = view::detail(&state.db, &record_id).await?.ok_or(ApiError::NotFound)?;
    let (registration, invitation) = crate::invitations::registration_of(&state.db, &record_id).await?;
    let exclusion = if may_see_exclusions(&roles) {
        exclusions::of_record(&state.db, &record_id).await?.map(exclusion_view)
    } else {
        None
    };
    Ok(Json(RecordDetailResponse {
        teams: view::teams(&state.db, &record_id).await?,
        entries: view::entries(&state.db, &record_id).await?,
        registration: registration.into(),
        invitation,
        exclusion,
        may_manage_exclusion: roles.contains(&Role::SafeguardingLead),
        may_invite: crate::invitations::routes::may_invite(&roles),
        record,
    }))
}

/// The record's versions, for anyone who may see the record.
#[utoipa::path(
    get,
    path = "/staff/records/{record_id}/history",
    operation_id = "show_history",
    tag = "records",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "OK", body = RecordHistoryResponse)),
    security(("session" = []))
)]
async fn show_history(
    State(state): State<AppState>,
    professional: Professional,
    Path(record_id): Path<String>,
) -> ApiResult<Json<RecordHistoryResponse>> {
    roles(&state, &professional, &record_id).await?;
    Ok(Json(history::of_record(&state.db, &record_id).await?))
}

fn note(field: &str, raw: &str) -> Result<String, FieldError> {
    let note = raw.trim();
    if note.is_empty() {
        return Err(FieldError::new(field, "Enter a note explaining the decision"));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(FieldError::new(field, "The note must be 2,000 characters or fewer"));
    }
    Ok(note.to_owned())
}

#[utoipa::path(
    put,
    path = "/staff/records/{record_id}/exclusion",
    operation_id = "set_exclusion",
    tag = "records",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = SetExclusionRequest,
    responses((status = 200, description = "OK", body = ExclusionView)),
    security(("session" = [], "csrf" = []))
)]
async fn set_exclusion(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<SetExclusionRequest>,
) -> ApiResult<Json<ExclusionView>> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !roles.contains(&Role::SafeguardingLead) {
        return Err(ApiError::Forbidden);
    }
    let reason =
        Reason::parse(&body.reason).ok_or_else(|| FieldError::new("reason", "Choose a reason for the exclusion"));
    let (reason, note) = match (reason, note("note", &body.note)) {
        (Ok(reason), Ok(note)) => (reason, note),
        (reason, note) => return Err(ApiError::Invalid(reason.err().into_iter().chain(note.err()).collect())),
    };
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    exclusions::set(&mut tx, &record_id, reason, &note, &professional.account_id, &ip, now).await?;
    tx.commit().await?;
    let stored = exclusions::of_record(&state.db, &record_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(exclusion_view(stored)))
}

fn exclusion_view(x: exclusions::Exclusion) -> ExclusionView {
    ExclusionView {
        reason: x.reason.as_str().into(),
        note: x.note,
        set_by: x.set_by,
        set_at: x.set_at,
        set_by_name: x.set_by_name,
    }
}

#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/exclusion/lift",
    operation_id = "lift_exclusion",
    tag = "records",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = LiftExclusionRequest,
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn lift_exclusion(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<LiftExclusionRequest>,
) -> ApiResult<StatusCode> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !roles.contains(&Role::SafeguardingLead) {
        return Err(ApiError::Forbidden);
    }
    let note = note("note", &body.note).map_err(|e| ApiError::Invalid(vec![e]))?;
    let mut tx = state.db.begin_write().await?;
    let lifted = exclusions::lift(&mut tx, &record_id, &note, &professional.account_id, &ip, state.now()).await?;
    tx.commit().await?;
    if lifted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
