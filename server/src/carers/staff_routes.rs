//! The professional's side, under `/api/v1/staff/records/{record_id}/carers`:
//! a record's carers; adding a parent/guardian of a child, or the carer of an
//! adult who lacks capacity (which invites them by email); ending a link
//! early with a reason; and a safeguarding lead's override of an exclusion.
//! A record of no team of the professional's is answered as missing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_types::api::{
    AddCarerRequest, CarerInvitationView, CarerSettings, EndCarerLinkRequest, ExtendCarerLinkRequest,
    OverrideCarerInvitationRequest, RecordCarersResponse, Role,
};
use portico_types::problem::FieldError;
use portico_types::{DateOfBirth, EmailAddress};

use super::bands::{Bands, narrower};
use super::extension::{self, ExtendError, Extension};
use super::invite::{self, Offer};
use super::links::{self, Ender};
use super::routes::invite_refusal;
use super::terms::{AdultBasis, ChildBasis, Grounds, Terms, parse_end_day};
use super::{AccessLevel, CarerKind, settings};
use crate::auth::extract::ClientIp;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::mail::templates::long_date;
use crate::staff::{self, Professional};
use crate::state::AppState;

const MAX_TEXT: usize = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/records/{record_id}/carers", get(list).post(add))
        .route("/staff/records/{record_id}/carers/override", post(override_exclusion))
        .route("/staff/records/{record_id}/carers/{link_id}/end", post(end))
        .route("/staff/records/{record_id}/carers/{link_id}/extend", post(extend))
        .route("/staff/organisation/carer-settings", get(show_settings).put(change_settings))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, add, override_exclusion, end, extend, show_settings, change_settings))]
pub struct Docs;

/// Who may add and end carers: clinicians, admins and safeguarding leads of
/// a team that holds the record (not receptionists).
fn may_manage_carers(roles: &[Role]) -> bool {
    roles.iter().any(|r| matches!(r, Role::Clinician | Role::Admin | Role::SafeguardingLead))
}

async fn roles(state: &AppState, professional: &Professional, record_id: &str) -> ApiResult<Vec<Role>> {
    let roles = staff::roles_on_record(&state.db, professional, record_id).await?;
    if roles.is_empty() { Err(ApiError::NotFound) } else { Ok(roles) }
}

#[utoipa::path(
    get,
    path = "/staff/records/{record_id}/carers",
    operation_id = "carers_list",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "OK", body = RecordCarersResponse)),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    professional: Professional,
    Path(record_id): Path<String>,
) -> ApiResult<Json<RecordCarersResponse>> {
    roles(&state, &professional, &record_id).await?;
    let now = state.now();
    Ok(Json(RecordCarersResponse {
        carers: links::of_record(&state.db, &record_id, now).await?,
        invitations: links::waiting_invitations(&state.db, &record_id, now).await?,
    }))
}

fn text(field: &str, raw: &str, missing: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, missing));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(FieldError::new(field, "Write 2,000 characters or fewer"));
    }
    Ok(text.to_owned())
}

/// The organisation's age bands, and the child's date of birth.
async fn bands_and_birth(state: &AppState, organisation_id: &str, record_id: &str) -> ApiResult<(Bands, DateOfBirth)> {
    let born: String = sqlx::query_scalar("SELECT date_of_birth FROM records WHERE id = $1")
        .bind(record_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(ApiError::NotFound)?;
    let born = DateOfBirth::from_stored(&born).map_err(|e| anyhow::anyhow!("stored date of birth unreadable: {e}"))?;
    Ok((settings::bands_of(&state.db, organisation_id).await?, born))
}

#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/carers",
    operation_id = "carers_add",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = AddCarerRequest,
    responses((status = 201, description = "Created", body = CarerInvitationView)),
    security(("session" = [], "csrf" = []))
)]
async fn add(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<AddCarerRequest>,
) -> ApiResult<(StatusCode, Json<CarerInvitationView>)> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !may_manage_carers(&roles) {
        return Err(ApiError::Forbidden);
    }
    let mut errors = Vec::new();
    let kind = CarerKind::parse(&body.kind).filter(|k| *k != CarerKind::AdultCarerConsent);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "Choose parent or guardian, or carer of an adult who lacks capacity"));
    }
    let email = EmailAddress::parse(&body.email).map_err(|e| errors.push(FieldError::new("email", e))).ok();
    let mut level = AccessLevel::parse(&body.access_level);
    if level.is_none() {
        errors.push(FieldError::new("access_level", "Choose what they can see"));
    }
    let override_reason = body.exclusion_override.trim();
    if override_reason.chars().count() > MAX_TEXT {
        errors.push(FieldError::new("exclusion_override", "Write 2,000 characters or fewer"));
    }
    let organisation_id = professional.organisation_id.clone();
    let grounds = match kind {
        Some(CarerKind::ParentGuardian) => {
            let relationship = text("relationship", &body.relationship, "Enter their relationship to the child")
                .map_err(|e| errors.push(e))
                .ok();
            let basis = ChildBasis::parse(&body.legal_basis, &body.legal_note);
            // The note is kept as written: as long as any other text, no longer.
            if body.legal_note.trim().chars().count() > MAX_TEXT {
                errors.push(FieldError::new("legal_note", "Write 2,000 characters or fewer"));
            }
            if basis.is_none() {
                errors.push(FieldError::new("legal_basis", "Choose the legal basis (and describe it if other)"));
            }
            let (bands, born) = bands_and_birth(&state, &organisation_id, &record_id).await?;
            let end = bands.end();
            let Some(standing) = bands.standing(born.date(), state.now()) else {
                return Err(ApiError::refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "child-already-of-age",
                    "This patient is not a child",
                    Some(format!(
                        "Their date of birth shows they are {} or older: they decide who sees their record.",
                        end.age
                    )),
                ));
            };
            // Bands already past narrow what a new parent sees, as they did the others'.
            if let (Some(cap), Some(asked)) = (standing.cap, level.as_mut()) {
                *asked = narrower(*asked, cap);
            }
            // The invitation carries the day access ends: accepting it later is refused.
            let review_at = end.day(born.date()).ok_or_else(|| anyhow::anyhow!("no day of age"))?;
            match (relationship, basis) {
                (Some(relationship), Some(basis)) => {
                    Some(Grounds::ParentGuardian { relationship, basis, organisation_id, review_at })
                }
                _ => None,
            }
        }
        Some(CarerKind::AdultLacksCapacity) => {
            let basis = AdultBasis::parse(&body.legal_basis);
            if basis.is_none() {
                errors.push(FieldError::new("legal_basis", "Choose the legal basis"));
            }
            let relationship = Some(body.relationship.trim().to_owned()).filter(|r| !r.is_empty());
            if relationship.as_ref().is_some_and(|r| r.chars().count() > MAX_TEXT) {
                errors.push(FieldError::new("relationship", "Write 2,000 characters or fewer"));
            }
            basis.map(|basis| Grounds::AdultLacksCapacity { relationship, basis, organisation_id })
        }
        _ => None,
    };
    let (Some(email), Some(level), Some(grounds), true) = (email, level, grounds, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let exclusion_override = if override_reason.is_empty() {
        None
    } else if roles.contains(&Role::SafeguardingLead) {
        Some(override_reason)
    } else {
        return Err(only_safeguarding_leads());
    };
    let terms = Terms { grounds, level, ends_at: None };
    let offer = Offer {
        record_id: &record_id,
        email,
        terms,
        invited_by: &professional.account_id,
        exclusion_override,
        ip: &ip,
    };
    let view = invite::invite(&state, offer).await.map_err(invite_refusal)?;
    Ok((StatusCode::CREATED, Json(view)))
}

fn only_safeguarding_leads() -> ApiError {
    ApiError::refusal(
        StatusCode::FORBIDDEN,
        "not-safeguarding-lead",
        "Only a safeguarding lead can override an exclusion",
        None,
    )
}

/// A safeguarding lead sends the patient's carer an invitation to an
/// excluded record, with the reason (audited).
#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/carers/override",
    operation_id = "override_exclusion",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = OverrideCarerInvitationRequest,
    responses((status = 201, description = "Created", body = CarerInvitationView)),
    security(("session" = [], "csrf" = []))
)]
async fn override_exclusion(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<OverrideCarerInvitationRequest>,
) -> ApiResult<(StatusCode, Json<CarerInvitationView>)> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !roles.contains(&Role::SafeguardingLead) {
        return Err(only_safeguarding_leads());
    }
    let email = EmailAddress::parse(&body.email).map_err(|e| FieldError::new("email", e));
    let level = AccessLevel::parse(&body.access_level)
        .ok_or_else(|| FieldError::new("access_level", "Choose what the carer can see"));
    let ends =
        parse_end_day(&body.ends_on).map_err(|_| FieldError::new("ends_on", "Enter a real date, like 2027-03-31"));
    let reason = text("reason", &body.reason, "Enter why the exclusion is overridden");
    let (email, level, ends_at, reason) = match (email, level, ends, reason) {
        (Ok(e), Ok(l), Ok(x), Ok(r)) => (e, l, x, r),
        (e, l, x, r) => {
            return Err(ApiError::Invalid(e.err().into_iter().chain(l.err()).chain(x.err()).chain(r.err()).collect()));
        }
    };
    let terms = Terms { grounds: Grounds::AdultCarerConsent, level, ends_at };
    let offer = Offer {
        record_id: &record_id,
        email,
        terms,
        invited_by: &professional.account_id,
        exclusion_override: Some(&reason),
        ip: &ip,
    };
    let view = invite::invite(&state, offer).await.map_err(invite_refusal)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Ends a link early, with a reason: a professional's own kind of link
/// (parent/guardian, adult who lacks capacity); a safeguarding lead any.
#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/carers/{link_id}/end",
    operation_id = "carers_end",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id"), ("link_id" = String, Path, description = "The carer link's id")),
    request_body = EndCarerLinkRequest,
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn end(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path((record_id, link_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<EndCarerLinkRequest>,
) -> ApiResult<StatusCode> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !may_manage_carers(&roles) {
        return Err(ApiError::Forbidden);
    }
    let reason = text("reason", &body.reason, "Enter why the access ends").map_err(|e| ApiError::Invalid(vec![e]))?;
    let kind = links::open_kind(&state.db, &record_id, &link_id).await?.ok_or(ApiError::NotFound)?;
    let account_id = professional.account_id.as_str();
    let by = if roles.contains(&Role::SafeguardingLead) {
        Ender::SafeguardingLead { account_id, reason: &reason }
    } else if kind == CarerKind::AdultCarerConsent {
        // The patient's own choice: theirs to end, or a safeguarding lead's.
        return Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "patients-carer",
            "Only the patient or a safeguarding lead can end this carer's access",
            None,
        ));
    } else {
        Ender::Professional { account_id, reason: &reason }
    };
    let ended = links::end(&state, &record_id, &link_id, by, &ip).await?;
    if ended { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}

/// Keeps a parent's or guardian's access as it is past the next age band,
/// until a later day, with a reason (audited; the parent is emailed).
#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/carers/{link_id}/extend",
    operation_id = "carers_extend",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id"), ("link_id" = String, Path, description = "The carer link's id")),
    request_body = ExtendCarerLinkRequest,
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn extend(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path((record_id, link_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ExtendCarerLinkRequest>,
) -> ApiResult<StatusCode> {
    let roles = roles(&state, &professional, &record_id).await?;
    if !may_manage_carers(&roles) {
        return Err(ApiError::Forbidden);
    }
    let until = match parse_end_day(&body.until) {
        Ok(Some(day)) => Ok(day.date()),
        Ok(None) => Err(FieldError::new("until", "Enter the date their access stays as it is until")),
        Err(_) => Err(FieldError::new("until", "Enter a real date, like 2027-03-31")),
    };
    let reason = text("reason", &body.reason, "Enter why their access stays as it is");
    let (until, reason) = match (until, reason) {
        (Ok(u), Ok(r)) => (u, r),
        (u, r) => return Err(ApiError::Invalid(u.err().into_iter().chain(r.err()).collect())),
    };
    let request = Extension {
        record_id: &record_id,
        link_id: &link_id,
        until,
        reason: &reason,
        by: &professional.account_id,
        ip: &ip,
    };
    match extension::extend(&state, &request).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(ExtendError::NotFound) => Err(ApiError::NotFound),
        Err(ExtendError::NoBands) => Err(ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-age-bands",
            "Only a parent's or guardian's access changes with the child's age",
            None,
        )),
        Err(ExtendError::NotLater { after }) => Err(ApiError::Invalid(vec![FieldError::new(
            "until",
            format!("Enter a date after {}, when their access would change", long_date(after)),
        )])),
        Err(ExtendError::PastEighteen { latest }) => Err(ApiError::Invalid(vec![FieldError::new(
            "until",
            format!("Enter a date no later than {}, their 18th birthday", long_date(latest)),
        )])),
        Err(ExtendError::Internal(err)) => Err(err.into()),
    }
}

#[utoipa::path(
    get,
    path = "/staff/organisation/carer-settings",
    operation_id = "show_settings",
    tag = "carers",
    responses((status = 200, description = "OK", body = CarerSettings)),
    security(("session" = []))
)]
async fn show_settings(State(state): State<AppState>, professional: Professional) -> ApiResult<Json<CarerSettings>> {
    let found = settings::of_organisation(&state.db, &professional.organisation_id).await?;
    Ok(Json(found.ok_or(ApiError::NotFound)?.to_api()))
}

/// An admin of any of the organisation's teams changes its carer settings:
/// the age bands and the young person's invitation age.
#[utoipa::path(
    put,
    path = "/staff/organisation/carer-settings",
    operation_id = "carers_change_settings",
    tag = "carers",
    request_body = CarerSettings,
    responses((status = 200, description = "OK", body = CarerSettings)),
    security(("session" = [], "csrf" = []))
)]
async fn change_settings(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CarerSettings>,
) -> ApiResult<Json<CarerSettings>> {
    let profile = staff::profile(&state.db, &professional.account_id).await?.ok_or(ApiError::Forbidden)?;
    if !profile.teams.iter().any(|t| t.roles.contains(&Role::Admin)) {
        return Err(ApiError::Forbidden);
    }
    let parsed = settings::Settings::parse(&body).map_err(ApiError::Invalid)?;
    settings::change(&state, &professional.organisation_id, &parsed, &professional.account_id, &ip).await?;
    Ok(Json(parsed.to_api()))
}
