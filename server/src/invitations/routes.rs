//! Invitations issued by staff, at the desk or from the record page:
//!
//! - `POST /api/v1/staff/records/{record_id}/invitations`: by letter (the
//!   answer carries the code and the one-page letter to print), by text
//!   message or by email (the code goes only to the patient's phone or inbox);
//! - `POST /api/v1/staff/records/{record_id}/handover`: the device is handed
//!   to the patient to register on, and the professional's session waits
//!   for their password (see `handover`).
//!
//! - `GET /api/v1/staff/teams/{team_id}/professionals-as-patients` and
//!   `POST …/invitations`: a team admin sees the organisation's
//!   professionals who have a record in the team, and invites them all.
//!
//! Team admins, clinicians and receptionists of one of the record's teams
//! may invite; every invitation is audited with who issued it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use base64::Engine as _;
use portico_types::api::{
    HandoverStarted, IssueInvitationRequest, IssuedInvitation, ProfessionalInvitationsSent,
    ProfessionalsAsPatientsResponse, Role,
};
use portico_types::{EmailAddress, MobileNumber};

use super::{Channel, IssueError, IssueRequest, SendTo, handover, letter, professionals};
use crate::auth::extract::{ClientIp, CurrentSession};
use crate::clock::stored;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::mail::templates;
use crate::records::routes::may_see_exclusions;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/records/{record_id}/invitations", post(create))
        .route("/staff/records/{record_id}/handover", post(hand_over))
        .route("/staff/teams/{team_id}/professionals-as-patients", get(list_professionals))
        .route("/staff/teams/{team_id}/professionals-as-patients/invitations", post(invite_professionals))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, hand_over, list_professionals, invite_professionals))]
pub struct Docs;

/// The organisation's professionals who have a record in the team: for its admins.
#[utoipa::path(
    get,
    path = "/staff/teams/{team_id}/professionals-as-patients",
    operation_id = "list_professionals",
    tag = "invitations",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 200, description = "OK", body = ProfessionalsAsPatientsResponse)),
    security(("session" = []))
)]
async fn list_professionals(
    State(state): State<AppState>,
    professional: Professional,
    Path(team_id): Path<String>,
) -> ApiResult<Json<ProfessionalsAsPatientsResponse>> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let professionals = professionals::list(&state, &team_id).await?;
    Ok(Json(ProfessionalsAsPatientsResponse { invitable: professionals::invitable(&professionals), professionals }))
}

/// Invites them all, in one step.
#[utoipa::path(
    post,
    path = "/staff/teams/{team_id}/professionals-as-patients/invitations",
    operation_id = "invite_professionals",
    tag = "invitations",
    params(("team_id" = String, Path, description = "The team's id")),
    responses((status = 201, description = "Created", body = ProfessionalInvitationsSent)),
    security(("session" = [], "csrf" = []))
)]
async fn invite_professionals(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(team_id): Path<String>,
) -> ApiResult<(StatusCode, Json<ProfessionalInvitationsSent>)> {
    staff::admin_of(&state, &professional, &team_id).await?;
    let sent = professionals::invite_all(&state, &team_id, &professional.account_id, &ip).await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// The roles that may invite a patient.
pub fn may_invite(roles: &[Role]) -> bool {
    roles.iter().any(|role| matches!(role, Role::Admin | Role::Clinician | Role::Receptionist))
}

#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/invitations",
    operation_id = "invitations_create",
    tag = "invitations",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = IssueInvitationRequest,
    responses((status = 201, description = "Created", body = IssuedInvitation)),
    security(("session" = [], "csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<IssueInvitationRequest>,
) -> ApiResult<(StatusCode, Json<IssuedInvitation>)> {
    let (roles, team_id) = inviting_team(&state, &professional, &record_id).await?;
    let (channel, send_to) = match body.channel.as_str() {
        "letter" => (Channel::Letter, None),
        "email" => {
            let to = match body.email.as_deref().filter(|e| !e.trim().is_empty()) {
                Some(raw) => Some(SendTo::Email(EmailAddress::parse(raw).map_err(|e| ApiError::field("email", e))?)),
                None => None,
            };
            (Channel::Email, to)
        }
        "sms" => {
            let to = match body.mobile.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(raw) => Some(SendTo::Mobile(MobileNumber::parse(raw).map_err(|e| ApiError::field("mobile", e))?)),
                None => None,
            };
            (Channel::Sms, to)
        }
        _ => {
            return Err(ApiError::field(
                "channel",
                "Select how to give the invitation: print a letter, send a text message or send an email",
            ));
        }
    };
    let request = IssueRequest {
        record_id: &record_id,
        team_id: &team_id,
        channel,
        send_to,
        for_account_id: None,
        issued_by: &professional.account_id,
        ip: &ip,
    };
    let issued = super::issue(&state, request).await.map_err(|err| refusal(err, &roles))?;
    let printable = channel == Channel::Letter;
    let link = printable.then(|| templates::registration_link(&state.settings.public_base_url, &issued.code));
    let letter_pdf = if printable {
        let pdf = letter::render_for(&state, &record_id, &team_id, &issued).await?;
        Some(base64::engine::general_purpose::STANDARD.encode(pdf))
    } else {
        None
    };
    Ok((
        StatusCode::CREATED,
        Json(IssuedInvitation {
            id: issued.id,
            channel: channel.as_str().to_owned(),
            code: printable.then(|| issued.code.grouped()),
            qr_svg: link.as_deref().and_then(super::qr_svg),
            link,
            expires_at: stored(issued.expires_at),
            revoked: issued.revoked,
            sent_to: issued.sent_to,
            letter_pdf,
        }),
    ))
}

#[utoipa::path(
    post,
    path = "/staff/records/{record_id}/handover",
    operation_id = "hand_over",
    tag = "invitations",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 201, description = "Created", body = HandoverStarted)),
    security(("session" = [], "csrf" = []))
)]
async fn hand_over(
    State(state): State<AppState>,
    professional: Professional,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Path(record_id): Path<String>,
) -> ApiResult<(StatusCode, CookieJar, Json<HandoverStarted>)> {
    let (roles, team_id) = inviting_team(&state, &professional, &record_id).await?;
    let request = IssueRequest {
        record_id: &record_id,
        team_id: &team_id,
        channel: Channel::FaceToFace,
        send_to: None,
        for_account_id: None,
        issued_by: &professional.account_id,
        ip: &ip,
    };
    let started = handover::start(&state, &session, request).await.map_err(|err| refusal(err, &roles))?;
    // A registration another patient left half done on this device is not theirs to carry on.
    let jar = jar.add(crate::registration::removal_cookie(&state));
    Ok((StatusCode::CREATED, jar, Json(HandoverStarted { register_path: started.register_path })))
}

/// The roles `professional` holds on the record, and a team of the record's
/// in which they may invite. A record outside their teams is not found.
async fn inviting_team(
    state: &AppState,
    professional: &Professional,
    record_id: &str,
) -> ApiResult<(Vec<Role>, String)> {
    let roles = staff::roles_on_record(&state.db, professional, record_id).await?;
    if roles.is_empty() {
        return Err(ApiError::NotFound);
    }
    if !may_invite(&roles) {
        return Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "may-not-invite",
            "Only team admins, clinicians and receptionists can invite patients",
            None,
        ));
    }
    let team_id: Option<String> = sqlx::query_scalar(
        "SELECT tr.team_id FROM team_records tr JOIN team_roles r ON r.team_id = tr.team_id \
         WHERE tr.record_id = $1 AND r.account_id = $2 AND r.role IN ('admin', 'clinician', 'receptionist') \
         ORDER BY tr.team_id LIMIT 1",
    )
    .bind(record_id)
    .bind(&professional.account_id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok((roles, team_id.ok_or(ApiError::NotFound)?))
}

fn refusal(err: IssueError, roles: &[Role]) -> ApiError {
    match err {
        IssueError::Excluded(Some(exclusion)) if may_see_exclusions(roles) => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-excluded",
            "This record has a safeguarding exclusion",
            Some(format!(
                "No invitation can be issued while the exclusion set by {} is in place.",
                exclusion.set_by_name
            )),
        ),
        // Anyone who may not see exclusions is told no more than this.
        IssueError::Excluded(_) => ApiError::refusal(
            StatusCode::CONFLICT,
            "invitation-refused",
            "An invitation cannot be issued for this record",
            Some("Ask a clinician in your team.".into()),
        ),
        IssueError::AlreadyRegistered => {
            ApiError::refusal(StatusCode::CONFLICT, "record-registered", "This patient has already registered", None)
        }
        IssueError::NoEmailAddress => ApiError::field("email", "Enter an email address: the record has none"),
        IssueError::NoMobileNumber => {
            ApiError::field("mobile", "Enter a UK mobile number: the record has none that can get text messages")
        }
        IssueError::NotFound => ApiError::NotFound,
        IssueError::Internal(err) => ApiError::Internal(err),
    }
}
