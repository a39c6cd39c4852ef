//! Feed keys: the credentials an integration engine posts data with. A team
//! admin creates one (shown once), and can revoke it; only its SHA-256 is
//! stored (a 256-bit random key needs no slow hash).

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::routing::{delete, get};
use axum::{Json, Router};
use portico_types::api::{CreateFeedKeyRequest, FeedKeyView, FeedKeysResponse, Role};
use rand::RngCore as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::audit::{self, Action, Event};
use crate::auth::extract::ClientIp;
use crate::clock::stored;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::staff::{self, Professional};
use crate::state::AppState;

/// Every feed key starts so, which tells a key from anything else pasted in.
pub const KEY_PREFIX: &str = "portico_fk_";

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/teams/{team_id}/feed-keys", get(list).post(create))
        .route("/staff/teams/{team_id}/feed-keys/{key_id}", delete(revoke))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, revoke))]
pub struct Docs;

/// The team, if `professional` is its admin.
async fn admin_of(state: &AppState, professional: &Professional, team_id: &str) -> ApiResult<String> {
    let team = staff::team_of(&state.db, professional, team_id).await?.ok_or(ApiError::NotFound)?;
    if team.roles.contains(&Role::Admin) { Ok(team.organisation.id) } else { Err(ApiError::Forbidden) }
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/feed-keys",
    operation_id = "feeds_list",
    tag = "feeds",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "OK", body = FeedKeysResponse)),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
) -> ApiResult<Json<FeedKeysResponse>> {
    admin_of(&state, &professional, &team_id).await?;
    type KeyRow = (String, String, String, Option<String>, Option<String>);
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, name, created_at, revoked_at, last_used_at FROM feed_keys WHERE team_id = $1 ORDER BY created_at",
    )
    .bind(&team_id)
    .fetch_all(&state.db.pool)
    .await?;
    let keys = rows
        .into_iter()
        .map(|(id, name, created_at, revoked_at, last_used_at)| FeedKeyView {
            id,
            name,
            created_at,
            revoked_at,
            last_used_at,
            key: None,
        })
        .collect();
    Ok(Json(FeedKeysResponse { keys }))
}

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/feed-keys",
    operation_id = "feeds_create",
    tag = "feeds",
    params(("team_id" = String, Path, description = "The team's id")),
    request_body = CreateFeedKeyRequest,
    responses((status = 201, description = "Created", body = FeedKeyView)),
    security(("session" = [], "csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(team_id): Path<String>,
    ApiJson(body): ApiJson<CreateFeedKeyRequest>,
) -> ApiResult<(StatusCode, Json<FeedKeyView>)> {
    let organisation_id = admin_of(&state, &professional, &team_id).await?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::field("name", "Enter a name for the key of 100 characters or fewer, like \"Mirth ADT\""));
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let key = format!("{KEY_PREFIX}{}", hex::encode(secret));
    let id = uuid::Uuid::now_v7().to_string();
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO feed_keys (id, organisation_id, team_id, name, key_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&organisation_id)
    .bind(&team_id)
    .bind(name)
    .bind(hash(&key))
    .bind(&professional.account_id)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    let event = Event::new(Action::FeedKeyCreated, now).actor(&professional.account_id).ip(Some(&ip));
    audit::record(&mut tx, event.detail(json!({ "key_id": id, "team_id": team_id }))).await?;
    tx.commit().await?;
    let view = FeedKeyView {
        id,
        name: name.to_owned(),
        created_at: stored(now),
        revoked_at: None,
        last_used_at: None,
        key: Some(key),
    };
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    delete,
    path = "/staff/teams/{team_id}/feed-keys/{key_id}",
    operation_id = "feeds_revoke",
    tag = "feeds",
    params(("team_id" = String, Path, description = "The team's id"), ("key_id" = String, Path, description = "The feed key's id")),
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path((team_id, key_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    admin_of(&state, &professional, &team_id).await?;
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let done =
        sqlx::query("UPDATE feed_keys SET revoked_at = $3 WHERE id = $1 AND team_id = $2 AND revoked_at IS NULL")
            .bind(&key_id)
            .bind(&team_id)
            .bind(stored(now))
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound);
    }
    let event = Event::new(Action::FeedKeyRevoked, now).actor(&professional.account_id).ip(Some(&ip));
    audit::record(&mut tx, event.detail(json!({ "key_id": key_id, "team_id": team_id }))).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A request made with a live feed key (`Authorization: Bearer portico_fk_…`).
#[derive(Debug, Clone)]
pub struct FeedClient {
    pub key_id: String,
    pub organisation_id: String,
    pub team_id: String,
}

/// Why a feed request was not let in.
#[derive(Debug, thiserror::Error)]
pub enum FeedAuthError {
    #[error("no feed key: send Authorization: Bearer <key>")]
    Missing,
    #[error("the feed key is not valid, or has been revoked")]
    Invalid,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl FromRequestParts<AppState> for FeedClient {
    type Rejection = FeedAuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(FeedAuthError::Missing)?;
        live_key(&state.db, key).await?.ok_or(FeedAuthError::Invalid)
    }
}

/// The feed client `key` stands for, if it is a live (unrevoked) key.
pub async fn live_key(db: &Db, key: &str) -> Result<Option<FeedClient>, sqlx::Error> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, organisation_id, team_id FROM feed_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(hash(key))
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(key_id, organisation_id, team_id)| FeedClient { key_id, organisation_id, team_id }))
}
