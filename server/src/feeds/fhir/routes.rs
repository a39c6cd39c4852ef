//! The FHIR endpoints: parse, authenticate, convert, write, answer in FHIR.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::convert;
use super::ingest::{self, Done, Item};
use super::model::{Appointment, Bundle, DocumentReference, Issue, Observation, Patient, operation_outcome};
use crate::feeds::keys::{FeedAuthError, FeedClient};
use crate::records::store::Outcome;
use crate::state::AppState;

/// A Bundle of 1,000 patients is about 1.5 MB; 32 MiB leaves room, and
/// anything larger is refused before it is read.
pub const FHIR_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// A Bundle has at most this many entries.
const MAX_ENTRIES: usize = 10_000;
const FHIR_JSON: &str = "application/fhir+json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/fhir", post(bundle))
        .route("/feeds/fhir/{resource_type}", post(resource))
        .layer(DefaultBodyLimit::max(FHIR_BODY_LIMIT))
}

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

/// Why a body was not read: the status, the FHIR issue code, what to say.
type Unread = (StatusCode, &'static str, String);

/// The body as JSON, if it was sent as FHIR JSON.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, Unread> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media != FHIR_JSON && media != "application/json" {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "Send FHIR JSON (application/fhir+json)".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| (StatusCode::BAD_REQUEST, "structure", format!("The body is not valid JSON: {e}")))
}

/// One resource converted for writing, or the issues that stop it.
fn convert_resource(
    resource: &Value,
    today: time::Date,
    source_system: &str,
    aliases: Vec<String>,
) -> Result<Item, Vec<Issue>> {
    let kind = resource.get("resourceType").and_then(Value::as_str).unwrap_or("");
    let read = |what: &str| Issue::invalid(what.to_owned(), format!("This is not a valid {what}"));
    match kind {
        "Patient" => {
            let patient: Patient = serde_json::from_value(resource.clone()).map_err(|_| vec![read("Patient")])?;
            let mut aliases = aliases;
            if let Some(id) = &patient.id {
                aliases.push(format!("Patient/{id}"));
            }
            convert::patient(&patient, today).map(|p| Item::Patient(p, aliases))
        }
        "DocumentReference" => {
            let d: DocumentReference =
                serde_json::from_value(resource.clone()).map_err(|_| vec![read("DocumentReference")])?;
            convert::document_reference(&d, source_system).map(Item::Entry)
        }
        "Observation" => {
            let o: Observation = serde_json::from_value(resource.clone()).map_err(|_| vec![read("Observation")])?;
            convert::observation(&o, source_system).map(Item::Entry)
        }
        "Appointment" => {
            let a: Appointment = serde_json::from_value(resource.clone()).map_err(|_| vec![read("Appointment")])?;
            convert::appointment(&a, source_system).map(Item::Entry)
        }
        "" => Err(vec![Issue::invalid("resourceType", "Every resource needs its resourceType")]),
        other => Err(vec![Issue::error("not-supported", format!("Portico does not take {other} resources"))]),
    }
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

async fn bundle(State(state): State<AppState>, client: FeedClient, headers: HeaderMap, body: Bytes) -> Response {
    let value = match parse_body(&headers, &body) {
        Ok(value) => value,
        Err((status, code, why)) => return refuse(status, code, why),
    };
    if value.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid",
            "POST a Bundle here, or a single resource to /feeds/fhir/{type}",
        );
    }
    let Ok(bundle) = serde_json::from_value::<Bundle>(value) else {
        return refuse(StatusCode::BAD_REQUEST, "structure", "This is not a valid Bundle");
    };
    let atomic = match bundle.type_.as_deref() {
        Some("transaction") => true,
        Some("batch") => false,
        _ => return refuse(StatusCode::BAD_REQUEST, "invalid", "Bundle.type must be transaction or batch"),
    };
    if bundle.entry.len() > MAX_ENTRIES {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-costly",
            format!("A Bundle may have at most {MAX_ENTRIES} entries"),
        );
    }
    let today = state.now().date();
    let source_system = format!("fhir:{}", client.organisation_id);
    let items: Vec<Result<Item, Vec<Issue>>> = bundle
        .entry
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let at = |mut issue: Issue| {
                issue.expression = issue.expression.iter().map(|e| format!("Bundle.entry[{i}].resource.{e}")).collect();
                if issue.expression.is_empty() {
                    issue.expression.push(format!("Bundle.entry[{i}]"));
                }
                issue
            };
            let Some(resource) = &entry.resource else {
                return Err(vec![at(Issue::invalid("", "The entry has no resource"))]);
            };
            let aliases = entry.full_url.iter().cloned().collect();
            convert_resource(resource, today, &source_system, aliases)
                .map_err(|issues| issues.into_iter().map(at).collect())
        })
        .collect();
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

async fn resource(
    State(state): State<AppState>,
    client: FeedClient,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let value = match parse_body(&headers, &body) {
        Ok(value) => value,
        Err((status, code, why)) => return refuse(status, code, why),
    };
    if value.get("resourceType").and_then(Value::as_str) != Some(resource_type.as_str()) {
        return refuse(StatusCode::BAD_REQUEST, "invalid", format!("The body's resourceType must be {resource_type}"));
    }
    let today = state.now().date();
    let item = convert_resource(&value, today, &format!("fhir:{}", client.organisation_id), Vec::new());
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
