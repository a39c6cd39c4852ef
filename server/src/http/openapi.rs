//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Each capability module describes its own operations (`#[utoipa::path]` on
//! its handlers, gathered in its `Docs`); this module nests them under
//! `/api/v1`, names the security schemes, and gives every operation the
//! problem answers (RFC 9457) that the shared extractors and layers give
//! operations of its kind, so no handler repeats them. `tests/api/openapi.rs`
//! keeps the document true to the router in both directions.

use axum::Json;
use axum::Router;
use axum::routing::get;
use portico_types::api::{API_PREFIX, CSRF_HEADER};
use portico_types::problem::{FieldError, PROBLEM_JSON, Problem};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;
use crate::{
    accounts, auth, campaigns, carers, feeds, invitations, kiosk, mail, nhs_login, notifications, records,
    registration, reports, self_registration, staff,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(serve))
}

/// This document, served.
#[derive(OpenApi)]
#[openapi(paths(serve))]
pub struct Docs;

/// This document (OpenAPI 3.1). No sign-in needed.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_document",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of `/api/v1`", body = Object))
)]
async fn serve() -> Json<Document> {
    Json(document())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        description = "The JSON API of Portico, which signs patients and their carers up to a patient-held record. \
            Errors are problem details (RFC 9457, `application/problem+json`) listing every bad field. \
            State-changing requests need the `x-portico-csrf` header (any value); where the browser sends \
            `Origin` or `Sec-Fetch-Site`, they must say Portico.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "session", description = "Signing in and out, and the device handed to a patient"),
        (name = "accounts", description = "Forgotten passwords, a change of email, signing out everywhere"),
        (name = "registration", description = "Registering with an invitation code"),
        (name = "self-registration", description = "Teams' join pages, and the sign-ups staff decide"),
        (name = "nhs-login", description = "Signing in with NHS login (browser redirects)"),
        (name = "teams", description = "A professional's teams and their records"),
        (name = "records", description = "Patients' records, for staff and for their owners"),
        (name = "invitations", description = "Invitations to register, issued by staff"),
        (name = "campaigns", description = "Mass registration: letters, texts and emails to a team's cohort"),
        (name = "reports", description = "Uptake of invitations"),
        (name = "carers", description = "Carers of a patient, and their access"),
        (name = "kiosk", description = "Kiosk check-in at the clinic"),
        (name = "imports", description = "CSV uploads of patients"),
        (name = "feeds", description = "Record feeds (FHIR R4) and their keys"),
        (name = "notifications", description = "Email notifications: preferences, unsubscribing, what was sent"),
        (name = "notify", description = "GOV.UK Notify's delivery receipts"),
        (name = "development", description = "The development outbox (only without SMTP or Notify)"),
        (name = "meta", description = "This document"),
    )
)]
struct Base;

/// The whole document: every module's operations under `/api/v1`.
pub fn document() -> Document {
    let parts = [
        Docs::openapi(),
        auth::routes::Docs::openapi(),
        auth::second_factor_routes::Docs::openapi(),
        staff::routes::Docs::openapi(),
        records::routes::Docs::openapi(),
        records::mine::Docs::openapi(),
        feeds::keys::Docs::openapi(),
        feeds::csv::Docs::openapi(),
        feeds::fhir::Docs::openapi(),
        invitations::routes::Docs::openapi(),
        campaigns::routes::Docs::openapi(),
        campaigns::escalation::routes::Docs::openapi(),
        campaigns::invitation_settings::Docs::openapi(),
        kiosk::routes::Docs::openapi(),
        registration::routes::Docs::openapi(),
        nhs_login::routes::Docs::openapi(),
        self_registration::routes::Docs::openapi(),
        accounts::routes::Docs::openapi(),
        mail::dev_outbox::Docs::openapi(),
        mail::receipts::Docs::openapi(),
        reports::routes::Docs::openapi(),
        carers::routes::Docs::openapi(),
        carers::accept_routes::Docs::openapi(),
        carers::staff_routes::Docs::openapi(),
        notifications::routes::Docs::openapi(),
        notifications::staff_view::Docs::openapi(),
    ];
    let mut document = Base::openapi();
    for part in parts {
        // `nest` would replace a path item two modules share; merging keeps both.
        let mut part = part;
        let paths = std::mem::take(&mut part.paths.paths);
        for (path, item) in paths {
            let full = format!("{API_PREFIX}{path}");
            match document.paths.paths.get_mut(&full) {
                Some(existing) => existing.merge_operations(item),
                None => {
                    document.paths.paths.insert(full, item);
                }
            }
        }
        document.merge(part);
    }
    for (_, item) in document.paths.paths.iter_mut() {
        for operation in operations(item) {
            add_problem_answers(operation);
        }
    }
    document
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head, &mut item.options]
        .into_iter()
        .filter_map(Option::as_mut)
}

/// The refusals operations of a kind share, from the extractors and layers
/// every such operation passes: a session (401), the cross-site check or a
/// role (403), an id in the path (404), a JSON body (400, 413, 415, 422), a
/// query string (400). Every 4xx answer is problem JSON, except the FHIR
/// feed's, which are FHIR `OperationOutcome`s and described where they are.
fn add_problem_answers(operation: &mut Operation) {
    let needs = |scheme: &str| {
        operation.security.as_ref().is_some_and(|requirements| {
            requirements.iter().any(|requirement| {
                serde_json::to_value(requirement).ok().and_then(|v| v.get(scheme).cloned()).is_some()
            })
        })
    };
    let is_fhir = operation.tags.as_ref().is_some_and(|tags| tags.iter().any(|t| t == "feeds"))
        && operation.request_body.as_ref().is_some_and(|b| b.content.contains_key("application/fhir+json"));
    if is_fhir {
        return;
    }
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path = parameters.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_query = parameters.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_json_body = operation.request_body.as_ref().is_some_and(|b| b.content.contains_key("application/json"));
    let mut statuses: Vec<u16> = Vec::new();
    if needs("session") || needs("kiosk") {
        statuses.push(401);
    }
    if needs("session") || needs("csrf") {
        statuses.push(403);
    }
    if has_path || needs("registration") {
        statuses.push(404);
    }
    if has_json_body {
        statuses.extend([400, 413, 415, 422]);
    }
    if has_query {
        statuses.extend([400, 422]);
    }
    let responses = &mut operation.responses.responses;
    for status in statuses {
        responses.entry(status.to_string()).or_insert_with(|| RefOr::T(ResponseBuilder::new().build()));
    }
    for (status, response) in responses.iter_mut() {
        let Ok(code) = status.parse::<u16>() else { continue };
        let RefOr::T(response) = response else { continue };
        if code < 400 {
            continue;
        }
        if response.description.is_empty() {
            response.description = problem_description(code).into();
        }
        if response.content.is_empty() {
            response.content.insert(
                PROBLEM_JSON.into(),
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            );
        }
    }
}

fn problem_description(status: u16) -> &'static str {
    match status {
        400 => "The body or query string could not be read",
        401 => "Not signed in, or the session (or kiosk) has ended",
        403 => "Refused: a cross-site request, or not a role that may do this",
        404 => "Not found, or not one this account may know of (or no registration in progress)",
        409 => "Conflicts with the current state; the problem's `type` says which",
        410 => "Expired or already used",
        413 => "The body is too large",
        415 => "Not sent as `application/json`",
        422 => "Invalid: every bad field is listed in `errors`",
        423 => "Locked after too many wrong tries",
        429 => "Too many attempts; `Retry-After` says how many seconds to wait",
        _ => "Refused",
    }
}

/// The ways a request says who sends it. Cookie names are as over plain
/// HTTP; over HTTPS each carries the `__Host-` prefix.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        let cookie = |name: &str, description: &str| {
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(name, description)))
        };
        components.add_security_scheme(
            "session",
            cookie(
                "portico-session",
                "The session cookie set by signing in (`__Host-portico-session` over HTTPS); 30 minutes idle, 12 hours in all.",
            ),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                CSRF_HEADER,
                "Any value: a cross-site form cannot send it. Every state-changing request needs it.",
            ))),
        );
        components.add_security_scheme(
            "kiosk",
            cookie("portico-kiosk", "The kiosk device's cookie, set when a team's admin sets the kiosk up."),
        );
        components.add_security_scheme(
            "registration",
            cookie("portico-registration", "The registration in progress, set by its first step."),
        );
        components.add_security_scheme(
            "feed_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A team's feed key, issued by its admin."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "notify_callback",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The callback token configured in GOV.UK Notify (`PORTICO_NOTIFY_CALLBACK_TOKEN`).",
                    ))
                    .build(),
            ),
        );
    }
}
