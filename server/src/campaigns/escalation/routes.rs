//! Reminder escalation routes (see `portico_types::api::escalation`): a
//! plan's preview for a team's admins, and a record's reminders for the
//! staff of its teams.

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use portico_types::api::{PlanPreview, PlanPreviewRequest, RecordReminders, SetReminderOptOutRequest};

use super::{history, plan};
use crate::campaigns::cohort;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/teams/{team_id}/campaigns/plan-preview", post(preview))
        .route("/staff/records/{record_id}/reminders", get(reminders))
        .route("/staff/records/{record_id}/reminder-opt-out", put(set_opt_out))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(preview, reminders, set_opt_out))]
pub struct Docs;

/// Parses a cohort and a plan together, so every problem of both is named at once.
pub fn parse_with_plan(
    cohort_request: &portico_types::api::CohortRequest,
    plan_request: &portico_types::api::PlanRequest,
    today: time::Date,
) -> Result<(cohort::CohortAsked, plan::Plan), ApiError> {
    let asked = cohort::parse(cohort_request, today);
    let plan = plan::parse(plan_request);
    match (asked, plan) {
        (Ok(asked), Ok(plan)) => Ok((asked, plan)),
        (asked, plan) => {
            let mut problems = match asked {
                Err(ApiError::Invalid(problems)) => problems,
                Err(other) => return Err(other),
                Ok(_) => Vec::new(),
            };
            problems.extend(plan.err().unwrap_or_default());
            Err(ApiError::Invalid(problems))
        }
    }
}

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/campaigns/plan-preview",
    operation_id = "campaigns_plan_preview",
    tag = "campaigns",
    params(("team_id" = String, Path, description = "The team's id")),
    request_body = PlanPreviewRequest,
    responses((status = 200, description = "OK", body = PlanPreview)),
    security(("session" = [], "csrf" = []))
)]
async fn preview(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
    ApiJson(body): ApiJson<PlanPreviewRequest>,
) -> ApiResult<Json<PlanPreview>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let (asked, plan) = parse_with_plan(&body.cohort, &body.plan, state.now().date())?;
    let hold = crate::campaigns::invitation_settings::hold_until_entries(&state.db, &team_id).await?;
    let asked = asked.with_team_default(hold);
    Ok(Json(super::preview(&state.db, &team_id, &asked, &plan).await?))
}

/// The professional's roles on the record; a record of no team of theirs is not found.
async fn roles(
    state: &AppState,
    professional: &Professional,
    record_id: &str,
) -> ApiResult<Vec<portico_types::api::Role>> {
    let roles = staff::roles_on_record(&state.db, professional, record_id).await?;
    if roles.is_empty() { Err(ApiError::NotFound) } else { Ok(roles) }
}

async fn answer(state: &AppState, professional: &Professional, record_id: &str) -> ApiResult<Json<RecordReminders>> {
    let roles = roles(state, professional, record_id).await?;
    let may_see = crate::records::routes::may_see_exclusions(&roles);
    let may_change = crate::invitations::routes::may_invite(&roles);
    Ok(Json(history::of_record(&state.db, record_id, may_see, may_change).await?))
}

#[utoipa::path(
    get,
    path = "/staff/records/{record_id}/reminders",
    operation_id = "records_reminders",
    tag = "records",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "OK", body = RecordReminders)),
    security(("session" = []))
)]
async fn reminders(
    State(state): State<AppState>,
    professional: Professional,
    Path(record_id): Path<String>,
) -> ApiResult<Json<RecordReminders>> {
    answer(&state, &professional, &record_id).await
}

#[utoipa::path(
    put,
    path = "/staff/records/{record_id}/reminder-opt-out",
    operation_id = "records_reminder_opt_out",
    tag = "records",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = SetReminderOptOutRequest,
    responses((status = 200, description = "OK", body = RecordReminders)),
    security(("session" = [], "csrf" = []))
)]
async fn set_opt_out(
    State(state): State<AppState>,
    professional: Professional,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<SetReminderOptOutRequest>,
) -> ApiResult<Json<RecordReminders>> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !crate::invitations::routes::may_invite(&roles) {
        return Err(ApiError::Forbidden);
    }
    history::set_opt_out(&state, &record_id, body.opted_out, &professional.account_id, state.now()).await?;
    answer(&state, &professional, &record_id).await
}
