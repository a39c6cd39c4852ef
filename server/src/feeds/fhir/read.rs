//! Reading what a feed posts: the JSON body, a Bundle's shape and limits, and
//! each resource converted for writing. No I/O, so the fuzzer drives it whole
//! (`fuzz/fuzz_targets/fhir.rs`).

use axum::http::StatusCode;
use serde_json::Value;
use time::Date;

use super::convert;
use super::ingest::Item;
use super::model::{Appointment, Bundle, DocumentReference, Issue, Observation, Patient};

/// A Bundle has at most this many entries.
pub const MAX_ENTRIES: usize = 10_000;

/// Why a body was not read: the status, the FHIR issue code, what to say.
#[derive(Debug)]
pub struct Unread(pub StatusCode, pub &'static str, pub String);

/// A Bundle read: whether it is a transaction, and each entry converted (or
/// the issues that stop it, their expressions naming the entry).
#[derive(Debug)]
pub struct ReadBundle {
    pub atomic: bool,
    pub items: Vec<Result<Item, Vec<Issue>>>,
}

fn json(body: &[u8]) -> Result<Value, Unread> {
    serde_json::from_slice(body)
        .map_err(|e| Unread(StatusCode::BAD_REQUEST, "structure", format!("The body is not valid JSON: {e}")))
}

/// A `transaction` or `batch` Bundle, each entry converted.
pub fn read_bundle(body: &[u8], today: Date, source_system: &str) -> Result<ReadBundle, Unread> {
    let value = json(body)?;
    if value.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(Unread(
            StatusCode::BAD_REQUEST,
            "invalid",
            "POST a Bundle here, or a single resource to /feeds/fhir/{type}".into(),
        ));
    }
    let Ok(bundle) = serde_json::from_value::<Bundle>(value) else {
        return Err(Unread(StatusCode::BAD_REQUEST, "structure", "This is not a valid Bundle".into()));
    };
    let atomic = match bundle.type_.as_deref() {
        Some("transaction") => true,
        Some("batch") => false,
        _ => {
            return Err(Unread(StatusCode::BAD_REQUEST, "invalid", "Bundle.type must be transaction or batch".into()));
        }
    };
    if bundle.entry.len() > MAX_ENTRIES {
        return Err(Unread(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-costly",
            format!("A Bundle may have at most {MAX_ENTRIES} entries"),
        ));
    }
    let items = bundle
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
            convert_resource(resource, today, source_system, aliases)
                .map_err(|issues| issues.into_iter().map(at).collect())
        })
        .collect();
    Ok(ReadBundle { atomic, items })
}

/// One resource posted to `/feeds/fhir/{resource_type}`.
pub fn read_resource(
    body: &[u8],
    resource_type: &str,
    today: Date,
    source_system: &str,
) -> Result<Result<Item, Vec<Issue>>, Unread> {
    let value = json(body)?;
    if value.get("resourceType").and_then(Value::as_str) != Some(resource_type) {
        return Err(Unread(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("The body's resourceType must be {resource_type}"),
        ));
    }
    Ok(convert_resource(&value, today, source_system, Vec::new()))
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
