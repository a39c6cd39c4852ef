//! `/api/v1/staff/teams/{team_id}/imports…`: a team admin uploads a CSV of
//! patients, previews it, and commits or discards it.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_types::api::{CsvImportQuery, CsvImportView};
use portico_types::problem::{FieldError, Problem};
use serde::Deserialize;

use super::commit::{self, CommitRefusal, Committer};
use super::imports::{self, DiscardError, State as ImportState};
use super::parse::{FileProblem, Limits};
use super::stage::{self, StageError, Upload};
use super::upload::{self, MAX_FILE_BYTES, UploadError};
use crate::auth::extract::ClientIp;
use crate::error::{ApiError, problem_response};
use crate::http::extract::ApiQuery;
use crate::staff::{self, Professional};
use crate::state::AppState;

/// The field the page's file input has: every refusal of the file points at it.
const FILE_FIELD: &str = "file";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/teams/{team_id}/imports", post(upload))
        .route("/staff/teams/{team_id}/imports/{import_id}", get(show).delete(discard))
        .route("/staff/teams/{team_id}/imports/{import_id}/commit", post(commit))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(upload, show, discard, commit))]
pub struct Docs;

/// A refusal of this API: the shared problems, and the ones only uploads have.
#[derive(Debug)]
enum Refused {
    Api(ApiError),
    TooLarge,
    /// The body is not sent as UTF-8 CSV.
    NotCsv,
    File(FileProblem),
    /// 409 (or 410 for an expired import), with what to do.
    Conflict(StatusCode, String),
}

impl From<ApiError> for Refused {
    fn from(err: ApiError) -> Self {
        Refused::Api(err)
    }
}

impl From<sqlx::Error> for Refused {
    fn from(err: sqlx::Error) -> Self {
        Refused::Api(err.into())
    }
}

impl From<anyhow::Error> for Refused {
    fn from(err: anyhow::Error) -> Self {
        Refused::Api(err.into())
    }
}

fn problem(kind: &str, title: &str, status: StatusCode, messages: Vec<String>) -> Problem {
    Problem {
        kind: kind.into(),
        title: title.into(),
        status: status.as_u16(),
        detail: messages.first().cloned(),
        errors: messages.into_iter().map(|m| FieldError::new(FILE_FIELD, m)).collect(),
        retry_after: None,
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let problem = match self {
            Refused::Api(err) => return err.into_response(),
            Refused::TooLarge => problem(
                "too-large",
                "The file is too large",
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![format!(
                    "The file must be {} MB or smaller. Split it into smaller files and upload each one.",
                    MAX_FILE_BYTES / (1024 * 1024)
                )],
            ),
            Refused::NotCsv => problem(
                "unsupported-media-type",
                "Upload the file as CSV",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                vec!["Send the file as text/csv in UTF-8.".into()],
            ),
            Refused::File(file) => problem(
                &format!("csv-{}", file.kind()),
                "The file cannot be imported",
                StatusCode::UNPROCESSABLE_ENTITY,
                file.messages(),
            ),
            Refused::Conflict(status, message) => Problem {
                kind: "import-not-waiting".into(),
                title: "The import cannot be changed".into(),
                status: status.as_u16(),
                detail: Some(message),
                errors: Vec::new(),
                retry_after: None,
            },
        };
        problem_response(&problem)
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    /// The file's name on the admin's computer, shown back in the preview.
    #[serde(default)]
    file_name: Option<String>,
}

/// The file's own name: no folders, no control characters, not too long.
fn file_name(raw: Option<&str>) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() { "upload.csv".to_owned() } else { clean.to_owned() }
}

/// The body must be CSV text. A charset, if given, must be UTF-8.
fn check_media_type(headers: &HeaderMap) -> Result<(), Refused> {
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let mut parts = value.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    let charset_ok = parts.filter_map(|p| p.strip_prefix("charset=")).all(|c| c.trim_matches('"') == "utf-8");
    if media == "text/csv" && charset_ok { Ok(()) } else { Err(Refused::NotCsv) }
}

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/imports",
    operation_id = "imports_upload",
    tag = "imports",
    params(("team_id" = String, Path, description = "The team's id"), UploadQuery),
    request_body(content = String, content_type = "text/csv", description = "The file of patients, UTF-8 CSV"),
    responses((status = 201, description = "The preview: good rows counted, every bad row named", body = CsvImportView), (status = 413), (status = 415), (status = 422)),
    security(("session" = [], "csrf" = []))
)]
async fn upload(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(team_id): Path<String>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<CsvImportView>), Refused> {
    staff::admin_of(&state, &professional, &team_id).await?;
    upload::check_declared_length(&headers, MAX_FILE_BYTES).map_err(|_| Refused::TooLarge)?;
    check_media_type(&headers)?;
    let received = upload::receive(body, MAX_FILE_BYTES).await.map_err(|err| match err {
        UploadError::TooLarge => Refused::TooLarge,
        UploadError::Interrupted(why) => Refused::Api(ApiError::Malformed(format!("The upload was cut off: {why}"))),
        UploadError::Storage(err) => Refused::Api(anyhow::Error::from(err).context("storing an upload").into()),
    })?;
    let name = file_name(query.file_name.as_deref());
    let upload = Upload { team_id: &team_id, account_id: &professional.account_id, ip: &ip, file_name: &name };
    let now = state.now();
    let import_id =
        stage::stage(&state.db, upload, received, Limits::STANDARD, now).await.map_err(|err| match err {
            StageError::File(problem) => Refused::File(problem),
            StageError::Internal(err) => Refused::Api(err.into()),
        })?;
    let view = imports::view(&state.db, &team_id, &import_id, 1, now).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/imports/{import_id}",
    operation_id = "imports_show",
    tag = "imports",
    params(("team_id" = String, Path, description = "The team's id"), ("import_id" = String, Path, description = "The import's id"), CsvImportQuery),
    responses((status = 200, description = "OK", body = CsvImportView)),
    security(("session" = []))
)]
async fn show(
    State(state): State<AppState>,
    professional: Professional,
    Path((team_id, import_id)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<CsvImportQuery>,
) -> Result<Json<CsvImportView>, Refused> {
    let page = match query.page {
        None => 1,
        Some(page @ 1..=1_000_000) => page,
        Some(_) => return Err(ApiError::field("page", "Page must be a number from 1").into()),
    };
    staff::admin_of(&state, &professional, &team_id).await?;
    let view = imports::view(&state.db, &team_id, &import_id, page, state.now()).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(view))
}

fn not_waiting(state: ImportState) -> Refused {
    let (status, message) = match state {
        ImportState::Expired => (
            StatusCode::GONE,
            "This upload has expired: uploads are kept for 24 hours. Upload the file again.".to_owned(),
        ),
        ImportState::Committed => (StatusCode::CONFLICT, "This upload has already been imported.".to_owned()),
        ImportState::Discarded => {
            (StatusCode::CONFLICT, "This upload was discarded. Upload the file again.".to_owned())
        }
        ImportState::Committing => {
            (StatusCode::CONFLICT, "This upload is being imported now. Wait for it to finish.".to_owned())
        }
        ImportState::Ready => (StatusCode::CONFLICT, "This upload is waiting to be imported.".to_owned()),
    };
    Refused::Conflict(status, message)
}

#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/imports/{import_id}/commit",
    operation_id = "imports_commit",
    tag = "imports",
    params(("team_id" = String, Path, description = "The team's id"), ("import_id" = String, Path, description = "The import's id")),
    responses((status = 202, description = "Accepted", body = CsvImportView), (status = 409)),
    security(("session" = [], "csrf" = []))
)]
async fn commit(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path((team_id, import_id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<CsvImportView>), Refused> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let now = state.now();
    commit::request(&state.db, &team_id, &import_id, &professional.account_id, now).await.map_err(|err| match err {
        CommitRefusal::NotFound => Refused::Api(ApiError::NotFound),
        CommitRefusal::NotWaiting(state) => not_waiting(state),
        CommitRefusal::Superseded(at) => Refused::Conflict(
            StatusCode::CONFLICT,
            format!(
                "A newer upload for this team was imported at {at}. Importing this older one would undo its \
                 changes. Upload this file again if it is still what you want."
            ),
        ),
        CommitRefusal::Database(err) => err.into(),
    })?;
    // The answer says "committing": read before the commit can finish.
    let view = imports::view(&state.db, &team_id, &import_id, 1, now).await?.ok_or(ApiError::NotFound)?;
    let by = Committer { account_id: professional.account_id, ip };
    tokio::spawn(commit::run_in_background(state.db.clone(), state.clock.clone(), team_id, import_id, by));
    Ok((StatusCode::ACCEPTED, Json(view)))
}

#[utoipa::path(
    delete,
    path = "/staff/teams/{team_id}/imports/{import_id}",
    operation_id = "imports_discard",
    tag = "imports",
    params(("team_id" = String, Path, description = "The team's id"), ("import_id" = String, Path, description = "The import's id")),
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn discard(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path((team_id, import_id)): Path<(String, String)>,
) -> Result<StatusCode, Refused> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let now = state.now();
    imports::discard(&state.db, &team_id, &import_id, &professional.account_id, &ip, now).await.map_err(
        |err| match err {
            DiscardError::NotFound => Refused::Api(ApiError::NotFound),
            DiscardError::NotWaiting(state) => not_waiting(state),
            DiscardError::Database(err) => err.into(),
        },
    )?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders_and_controls() {
        assert_eq!(file_name(Some("C:\\Users\\asha\\patients.csv")), "patients.csv");
        assert_eq!(file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(file_name(Some("a\u{0}b.csv")), "ab.csv");
        assert_eq!(file_name(None), "upload.csv");
        assert_eq!(file_name(Some("  ")), "upload.csv");
    }

    #[test]
    fn only_utf8_csv_is_taken() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            check_media_type(&headers).is_ok()
        };
        assert!(with("text/csv"));
        assert!(with("text/csv; charset=utf-8"));
        assert!(with("Text/CSV; charset=\"UTF-8\""));
        assert!(!with("text/csv; charset=windows-1252"));
        assert!(!with("application/json"));
        assert!(!with("multipart/form-data; boundary=x"));
    }
}
