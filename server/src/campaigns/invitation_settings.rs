//! A team's defaults for its campaigns' invitations: whether an invitation
//! waits until the record has something to see. Its admins read and change
//! them (`GET`/`PUT /api/v1/staff/teams/{team_id}/invitation-settings`);
//! others are refused as on the team's other admin routes (403, or 404 for
//! a team they have no role in). A change is audited in its transaction.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::InvitationSettings;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::auth::extract::ClientIp;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/teams/{team_id}/invitation-settings", get(settings).put(change_settings))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(settings, change_settings))]
pub struct Docs;

/// Whether team `team_id`'s campaigns hold invitations until the record has
/// an entry, unless a campaign says otherwise (an unknown team: no).
pub async fn hold_until_entries(db: &Db, team_id: &str) -> Result<bool, sqlx::Error> {
    let hold: Option<i64> = sqlx::query_scalar("SELECT hold_until_entries FROM teams WHERE id = $1")
        .bind(team_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(hold == Some(1))
}

/// Saves team `team_id`'s setting, audited with who changed it and from where.
pub async fn change(
    db: &Db,
    team_id: &str,
    hold_until_entries: bool,
    by: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE teams SET hold_until_entries = $2 WHERE id = $1")
        .bind(team_id)
        .bind(i64::from(hold_until_entries))
        .execute(&mut *tx)
        .await?;
    let event = Event::new(Action::InvitationSettingsChanged, now)
        .actor(by)
        .team(team_id)
        .ip(Some(ip))
        .detail(json!({ "hold_until_entries": hold_until_entries }));
    audit::record(&mut tx, event).await?;
    tx.commit().await
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/invitation-settings",
    operation_id = "invitation_settings",
    tag = "campaigns",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "The team's settings", body = InvitationSettings)),
    security(("session" = []))
)]
async fn settings(
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    professional: Professional,
) -> ApiResult<Json<InvitationSettings>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    Ok(Json(InvitationSettings { hold_until_entries: hold_until_entries(&state.db, &team_id).await? }))
}

#[utoipa::path(
    put,
    path = "/staff/teams/{team_id}/invitation-settings",
    operation_id = "invitation_settings_change",
    tag = "campaigns",
    request_body = InvitationSettings,
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "The team's settings, as saved", body = InvitationSettings)),
    security(("session" = [], "csrf" = []))
)]
async fn change_settings(
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<InvitationSettings>,
) -> ApiResult<Json<InvitationSettings>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    change(&state.db, &team_id, body.hold_until_entries, &professional.account_id, &ip, state.now())
        .await
        .map_err(ApiError::from)?;
    Ok(Json(InvitationSettings { hold_until_entries: hold_until_entries(&state.db, &team_id).await? }))
}
