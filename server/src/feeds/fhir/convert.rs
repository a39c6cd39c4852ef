//! FHIR resources into Portico's records and entries, with every problem
//! reported as an `OperationOutcome` issue naming the element.

use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber, OdsCode, Postcode};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::model::{Appointment, DocumentReference, Issue, Observation, Patient, Reference};
use crate::records::details::{self, PatientDetails};
use crate::records::entries::{EntryDetails, EntryKind};

pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const ODS_SYSTEM: &str = "https://fhir.nhs.uk/Id/ods-organization-code";

/// A patient ready to store, with when the source last changed it.
#[derive(Debug, Clone)]
pub struct IncomingPatient {
    pub details: PatientDetails,
    pub source_updated_at: Option<OffsetDateTime>,
}

fn collect<T>(result: Result<T, Issue>, issues: &mut Vec<Issue>) -> Option<T> {
    result.map_err(|issue| issues.push(issue)).ok()
}

/// A FHIR `dateTime`/`instant`: full RFC 3339, or a plain date taken as midnight UTC.
pub fn date_time(path: &str, raw: &str) -> Result<OffsetDateTime, Issue> {
    if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw, format).map(|d| d.midnight().assume_utc()).map_err(|_| {
        Issue::invalid(path, format!("'{raw}' is not a FHIR dateTime (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"))
    })
}

pub fn patient(p: &Patient, today: Date) -> Result<IncomingPatient, Vec<Issue>> {
    let mut issues = Vec::new();
    let nhs_number =
        p.identifier.iter().enumerate().find(|(_, id)| id.system.as_deref() == Some(NHS_NUMBER_SYSTEM)).and_then(
            |(i, id)| {
                let raw = id.value.as_deref().unwrap_or("");
                collect(
                    NhsNumber::parse(raw).map_err(|e| Issue::invalid(format!("Patient.identifier[{i}].value"), e)),
                    &mut issues,
                )
            },
        );
    let name = p.name.iter().find(|n| n.use_.as_deref() == Some("official")).or_else(|| p.name.first());
    let given_name = collect(
        details::name("Patient.name.given", "given name", &name.map(|n| n.given.join(" ")).unwrap_or_default())
            .map_err(|e| Issue::invalid(e.field, e.message)),
        &mut issues,
    );
    let family_name = collect(
        details::name("Patient.name.family", "family name", name.and_then(|n| n.family.as_deref()).unwrap_or(""))
            .map_err(|e| Issue::invalid(e.field, e.message)),
        &mut issues,
    );
    let date_of_birth = collect(
        DateOfBirth::parse(p.birth_date.as_deref().unwrap_or(""), today)
            .map_err(|e| Issue::invalid("Patient.birthDate", e)),
        &mut issues,
    );
    let email = p.telecom.iter().find(|t| t.system.as_deref() == Some("email")).and_then(|t| {
        collect(
            EmailAddress::parse(t.value.as_deref().unwrap_or("")).map_err(|e| Issue::invalid("Patient.telecom", e)),
            &mut issues,
        )
    });
    let phones: Vec<&str> = p
        .telecom
        .iter()
        .filter(|t| matches!(t.system.as_deref(), Some("phone" | "sms")))
        .filter_map(|t| t.value.as_deref())
        .collect();
    let declared_mobile =
        p.telecom.iter().find(|t| t.system.as_deref() == Some("phone") && t.use_.as_deref() == Some("mobile"));
    let mobile = match declared_mobile {
        // A number the source calls a mobile must be one.
        Some(t) => collect(
            MobileNumber::parse(t.value.as_deref().unwrap_or("")).map_err(|e| Issue::invalid("Patient.telecom", e)),
            &mut issues,
        ),
        // Otherwise the first phone number that is a UK mobile; landlines are not kept.
        None => phones.iter().find_map(|raw| MobileNumber::parse(raw).ok()),
    };
    let address = p.address.iter().find(|a| a.use_.as_deref() == Some("home")).or_else(|| p.address.first());
    let address_lines = address.and_then(|a| {
        let lines = a.line.iter().map(String::as_str).chain(a.city.as_deref()).chain(a.district.as_deref());
        collect(
            details::address_lines("Patient.address", lines).map_err(|e| Issue::invalid(e.field, e.message)),
            &mut issues,
        )
    });
    let postcode = address.and_then(|a| a.postal_code.as_deref()).and_then(|raw| {
        collect(Postcode::parse(raw).map_err(|e| Issue::invalid("Patient.address.postalCode", e)), &mut issues)
    });
    let gp_ods_code = p
        .general_practitioner
        .iter()
        .filter_map(|r| r.identifier.as_ref())
        .find(|id| id.system.as_deref() == Some(ODS_SYSTEM))
        .and_then(|id| {
            collect(
                OdsCode::parse(id.value.as_deref().unwrap_or(""))
                    .map_err(|e| Issue::invalid("Patient.generalPractitioner", e)),
                &mut issues,
            )
        });
    let source_updated_at =
        p.meta.last_updated.as_deref().and_then(|raw| collect(date_time("Patient.meta.lastUpdated", raw), &mut issues));
    match (given_name, family_name, date_of_birth) {
        (Some(given_name), Some(family_name), Some(date_of_birth)) if issues.is_empty() => Ok(IncomingPatient {
            details: PatientDetails {
                nhs_number,
                given_name,
                family_name,
                date_of_birth,
                email,
                mobile,
                address_lines: address_lines.unwrap_or_default(),
                postcode,
                gp_ods_code,
            },
            source_updated_at,
        }),
        _ => Err(issues),
    }
}

/// Whom an entry is about: an NHS number, or a Patient in the same Bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    NhsNumber(NhsNumber),
    Reference(String),
}

fn subject(path: &str, reference: Option<&Reference>) -> Result<Subject, Issue> {
    let reference = reference.ok_or_else(|| {
        Issue::invalid(path, "Say whom this is about: a Patient reference or an NHS number identifier")
    })?;
    if let Some(id) = reference.identifier.as_ref().filter(|id| id.system.as_deref() == Some(NHS_NUMBER_SYSTEM)) {
        return NhsNumber::parse(id.value.as_deref().unwrap_or(""))
            .map(Subject::NhsNumber)
            .map_err(|e| Issue::invalid(path, e));
    }
    match reference.reference.as_deref() {
        Some(r) if !r.is_empty() => Ok(Subject::Reference(r.to_owned())),
        _ => Err(Issue::invalid(path, "Say whom this is about: a Patient reference or an NHS number identifier")),
    }
}

fn required_id(resource: &str, id: Option<&String>) -> Result<String, Issue> {
    match id.map(|s| s.trim()) {
        Some(id) if !id.is_empty() && id.len() <= 64 => Ok(format!("{resource}/{id}")),
        _ => Err(Issue::invalid(
            format!("{resource}.id"),
            "An entry needs its id (1 to 64 characters), so sending it again updates it",
        )),
    }
}

fn text(limit: usize, raw: Option<String>) -> Option<String> {
    raw.map(|s| s.trim().chars().take(limit).collect::<String>()).filter(|s| !s.is_empty())
}

/// An entry and whom it is about.
pub type IncomingEntry = (Subject, EntryDetails);

/// An entry read from a resource, before its required parts are checked together.
struct Draft {
    kind: EntryKind,
    id: Result<String, Issue>,
    subject: Result<Subject, Issue>,
    title: Option<String>,
    body: Option<String>,
    at: Result<OffsetDateTime, Issue>,
    sensitive: bool,
}

impl Draft {
    fn finish(self, source_system: &str) -> Result<IncomingEntry, Vec<Issue>> {
        let Draft { kind, id, subject, title, body, at, sensitive } = self;
        match (id, subject, at) {
            (Ok(source_id), Ok(subject), Ok(occurred_at)) => Ok((
                subject,
                EntryDetails {
                    kind,
                    source_system: source_system.to_owned(),
                    source_id,
                    title: title.unwrap_or_else(|| kind.as_str().to_owned()),
                    body,
                    occurred_at,
                    sensitive,
                },
            )),
            (id, subject, at) => Err([id.err(), subject.err(), at.err()].into_iter().flatten().collect()),
        }
    }
}

pub fn document_reference(d: &DocumentReference, source_system: &str) -> Result<IncomingEntry, Vec<Issue>> {
    let title = text(200, d.type_.as_ref().and_then(|t| t.label()))
        .or_else(|| text(200, d.content.first().and_then(|c| c.attachment.title.clone())))
        .or_else(|| Some("Letter".into()));
    let at = d.date.as_deref().map_or_else(
        || Err(Issue::invalid("DocumentReference.date", "A letter needs its date")),
        |raw| date_time("DocumentReference.date", raw),
    );
    // Restricted (R) or very restricted (V) confidentiality marks the entry sensitive.
    let sensitive =
        d.security_label.iter().flat_map(|l| &l.coding).any(|c| matches!(c.code.as_deref(), Some("R" | "V")));
    Draft {
        kind: EntryKind::Letter,
        id: required_id("DocumentReference", d.id.as_ref()),
        subject: subject("DocumentReference.subject", d.subject.as_ref()),
        title,
        body: text(10_000, d.description.clone()),
        at,
        sensitive,
    }
    .finish(source_system)
}

pub fn observation(o: &Observation, source_system: &str) -> Result<IncomingEntry, Vec<Issue>> {
    let value = o
        .value_quantity
        .as_ref()
        .and_then(|q| q.value.as_ref().map(|v| format!("{v} {}", q.unit.clone().unwrap_or_default()).trim().to_owned()))
        .or_else(|| o.value_string.clone());
    let at = match o.effective_date_time.as_deref().or(o.issued.as_deref()) {
        Some(raw) => date_time("Observation.effectiveDateTime", raw),
        None => Err(Issue::invalid("Observation.effectiveDateTime", "A result needs its date")),
    };
    let title = text(200, o.code.as_ref().and_then(|c| c.label())).or_else(|| Some("Test result".into()));
    Draft {
        kind: EntryKind::Result,
        id: required_id("Observation", o.id.as_ref()),
        subject: subject("Observation.subject", o.subject.as_ref()),
        title,
        body: text(2000, value),
        at,
        sensitive: false,
    }
    .finish(source_system)
}

pub fn appointment(a: &Appointment, source_system: &str) -> Result<IncomingEntry, Vec<Issue>> {
    let patient = a.participant.iter().filter_map(|p| p.actor.as_ref()).find(|r| {
        r.reference.as_deref().is_some_and(|s| s.starts_with("Patient/") || s.starts_with("urn:"))
            || r.identifier.as_ref().is_some_and(|id| id.system.as_deref() == Some(NHS_NUMBER_SYSTEM))
    });
    let at = a.start.as_deref().map_or_else(
        || Err(Issue::invalid("Appointment.start", "An appointment needs its start")),
        |raw| date_time("Appointment.start", raw),
    );
    let title = text(200, a.service_type.first().and_then(|s| s.label())).or_else(|| Some("Appointment".into()));
    let mut body = text(2000, a.description.clone());
    if a.status.as_deref() == Some("cancelled") {
        body = Some(format!("Cancelled. {}", body.unwrap_or_default()).trim().to_owned());
    }
    Draft {
        kind: EntryKind::Appointment,
        id: required_id("Appointment", a.id.as_ref()),
        subject: subject("Appointment.participant", patient),
        title,
        body,
        at,
        sensitive: false,
    }
    .finish(source_system)
}
