//! The FHIR endpoints: parse, authenticate, convert, write, answer in FHIR.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::ingest::{self, Done};
use super::model::{Issue, operation_outcome};
use super::read::{ReadBundle, Unread, read_bundle, read_resource};
use crate::feeds::keys::{FeedAuthError, FeedClient};
use crate::records::store::Outcome;
use crate::state::AppState;

/// A Bundle of 1,000 patients is about 1.5 MB; 32 MiB leaves room, and
/// anything larger is refused before it is read.
pub const FHIR_BODY_LIMIT: usize = 32 * 1024 * 1024;
const FHIR_JSON: &str = "application/fhir+json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/fhir", post(bundle))
        .route("/feeds/fhir/{resource_type}", post(resource))
        .layer(DefaultBodyLimit::max(FHIR_BODY_LIMIT))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(bundle, resource))]
pub struct Docs;

/// A FHIR answer: `body` as `application/fhir+json`.
fn fhir(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

fn refuse(status: StatusCode, code: &'static str, diagnostics: impl ToString) -> Response {
    fhir(status, operation_outcome(&[Issue::error(code, diagnostics)]))
}

impl IntoResponse for FeedAuthError {
    fn into_response(self) -> Response {
        match self {
            FeedAuthError::Database(err) => {
                tracing::error!(cause = %err, "feed key lookup failed");
                refuse(StatusCode::INTERNAL_SERVER_ERROR, "exception", "Sorry, there is a problem with the service")
            }
            other => refuse(StatusCode::UNAUTHORIZED, "login", other),
        }
    }
}

/// Only FHIR JSON is read.
fn check_media_type(headers: &HeaderMap) -> Result<(), Unread> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media != FHIR_JSON && media != "application/json" {
        return Err(Unread(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "Send FHIR JSON (application/fhir+json)".into(),
        ));
    }
    Ok(())
}

fn status_line(done: &Done) -> (String, Value) {
    match done {
        Done::Written { location, outcome } => {
            let status = if *outcome == Outcome::Created { "201 Created" } else { "200 OK" };
            (status.into(), json!({ "status": status, "location": location }))
        }
        Done::Refused { status, issues } => {
            let reason = StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
            let line = format!("{status} {reason}");
            (line.clone(), json!({ "status": line, "outcome": operation_outcome(issues) }))
        }
    }
}

#[utoipa::path(
    post,
    path = "/feeds/fhir",
    operation_id = "feeds_bundle",
    tag = "feeds",
    request_body(content = Object, content_type = "application/fhir+json", description = "A FHIR R4 `Bundle` of type `transaction` (all or nothing) or `batch` of `Patient` resources"),
    responses(
        (status = 200, description = "The `transaction-response` or `batch-response` Bundle", content_type = "application/fhir+json", body = Object),
        (status = 400, description = "Not FHIR R4 this feed reads; the `OperationOutcome` names each issue", content_type = "application/fhir+json", body = Object),
        (status = 401, description = "No feed key, or a revoked one", content_type = "application/fhir+json", body = Object),
        (status = 413, description = "Larger than 32 MiB", content_type = "application/fhir+json", body = Object),
        (status = 415, description = "Not sent as `application/fhir+json`", content_type = "application/fhir+json", body = Object)
    ),
    security(("feed_key" = []))
)]
async fn bundle(State(state): State<AppState>, client: FeedClient, headers: HeaderMap, body: Bytes) -> Response {
    let today = state.now().date();
    let source_system = format!("fhir:{}", client.organisation_id);
    let ReadBundle { atomic, items } =
        match check_media_type(&headers).and_then(|()| read_bundle(&body, today, &source_system)) {
            Ok(read) => read,
            Err(Unread(status, code, why)) => return refuse(status, code, why),
        };
    let (done, committed) = match ingest::write(&state.db, &client, items, atomic, state.now()).await {
        Ok(result) => result,
        Err(err) => {
            tracing::error!(cause = %err, "FHIR bundle failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "exception",
                "Sorry, there is a problem with the service; nothing was written",
            );
        }
    };
    if atomic && !committed {
        // Name every refused entry; nothing was written.
        let issues: Vec<Issue> = done
            .iter()
            .enumerate()
            .filter_map(|(i, d)| match d {
                Done::Refused { issues, .. } => Some(issues.iter().cloned().map(move |mut issue| {
                    if !issue.expression.iter().any(|e| e.starts_with("Bundle.entry")) {
                        issue.expression.push(format!("Bundle.entry[{i}]"));
                    }
                    issue
                })),
                Done::Written { .. } => None,
            })
            .flatten()
            .collect();
        return fhir(StatusCode::BAD_REQUEST, operation_outcome(&issues));
    }
    let kind = if atomic { "transaction-response" } else { "batch-response" };
    let entries: Vec<Value> = done.iter().map(|d| json!({ "response": status_line(d).1 })).collect();
    fhir(StatusCode::OK, json!({ "resourceType": "Bundle", "type": kind, "entry": entries }))
}

#[utoipa::path(
    post,
    path = "/feeds/fhir/{resource_type}",
    operation_id = "feeds_resource",
    tag = "feeds",
    params(("resource_type" = String, Path, description = "The FHIR resource type (`Patient`)")),
    request_body(content = Object, content_type = "application/fhir+json", description = "One FHIR R4 `Patient` resource"),
    responses(
        (status = 201, description = "A new record", content_type = "application/fhir+json", body = Object),
        (status = 200, description = "An existing record, updated or unchanged", content_type = "application/fhir+json", body = Object),
        (status = 400, description = "Not FHIR R4 this feed reads; the `OperationOutcome` names each issue", content_type = "application/fhir+json", body = Object),
        (status = 401, description = "No feed key, or a revoked one", content_type = "application/fhir+json", body = Object),
        (status = 413, description = "Larger than 32 MiB", content_type = "application/fhir+json", body = Object),
        (status = 415, description = "Not sent as `application/fhir+json`", content_type = "application/fhir+json", body = Object),
        (status = 422, description = "A resource Portico cannot apply (ambiguous match, invalid NHS number)", content_type = "application/fhir+json", body = Object)
    ),
    security(("feed_key" = []))
)]
async fn resource(
    State(state): State<AppState>,
    client: FeedClient,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let today = state.now().date();
    let source_system = format!("fhir:{}", client.organisation_id);
    let item =
        match check_media_type(&headers).and_then(|()| read_resource(&body, &resource_type, today, &source_system)) {
            Ok(item) => item,
            Err(Unread(status, code, why)) => return refuse(status, code, why),
        };
    let done = match ingest::write(&state.db, &client, vec![item], true, state.now()).await {
        Ok((done, _)) => done,
        Err(err) => {
            tracing::error!(cause = %err, "FHIR resource failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "exception",
                "Sorry, there is a problem with the service; nothing was written",
            );
        }
    };
    match done.first() {
        Some(Done::Written { location, outcome }) => {
            let status = if *outcome == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
            let what = match outcome {
                Outcome::Created => "Created",
                Outcome::Updated => "Updated",
                Outcome::Unchanged => "Already up to date: nothing changed",
                Outcome::Stale => "Older than what Portico holds: nothing changed",
            };
            let mut response = fhir(
                status,
                operation_outcome(&[Issue {
                    severity: "information",
                    code: "informational",
                    diagnostics: what.into(),
                    expression: Vec::new(),
                }]),
            );
            if let Ok(location) = HeaderValue::from_str(location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Some(Done::Refused { status, issues }) => {
            fhir(StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST), operation_outcome(issues))
        }
        None => refuse(StatusCode::INTERNAL_SERVER_ERROR, "exception", "Sorry, there is a problem with the service"),
    }
}
