//! `/api/v1/me/record`: the record a patient owns, as the patient sees it:
//! who it is about and the timeline of entries. Never a safeguarding flag,
//! never staff-only detail.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::MyRecordResponse;

use super::view;
use crate::auth::extract::CurrentSession;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/me/record", get(show))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(show))]
pub struct Docs;

/// The id of the record `account_id` owns, if any.
pub async fn owned_by(db: &Db, account_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM records WHERE owner_account_id = $1")
        .bind(account_id)
        .fetch_optional(&db.pool)
        .await
}

#[utoipa::path(
    get,
    path = "/me/record",
    operation_id = "my_show",
    tag = "records",
    responses((status = 200, description = "OK", body = MyRecordResponse), (status = 404, description = "The account holds no record of its own")),
    security(("session" = []))
)]
async fn show(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<MyRecordResponse>> {
    let record_id = owned_by(&state.db, &session.account_id).await?.ok_or(ApiError::NotFound)?;
    let record = view::detail(&state.db, &record_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(MyRecordResponse {
        given_name: record.given_name,
        family_name: record.family_name,
        nhs_number: record.nhs_number,
        date_of_birth: record.date_of_birth,
        entries: view::entries(&state.db, &record_id).await?,
        has_carers: crate::carers::links::has_carers(&state.db, &record_id, state.now()).await?,
    }))
}
