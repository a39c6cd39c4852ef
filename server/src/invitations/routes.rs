//! `POST /api/v1/staff/records/{record_id}/invitations`: a team admin issues
//! an invitation by letter (the code comes back, to print) or by email (the
//! code goes only to the patient's inbox).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use portico_types::EmailAddress;
use portico_types::api::{IssueInvitationRequest, IssuedInvitation, Role};

use super::{Channel, IssueError, IssueRequest};
use crate::auth::extract::ClientIp;
use crate::clock::stored;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::mail::templates;
use crate::records::routes::may_see_exclusions;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/records/{record_id}/invitations", post(create))
}

async fn create(
    State(state): State<AppState>,
    professional: Professional,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<IssueInvitationRequest>,
) -> ApiResult<(StatusCode, Json<IssuedInvitation>)> {
    let roles = staff::roles_on_record(&state.db, &professional, &record_id).await?;
    if roles.is_empty() {
        return Err(ApiError::NotFound);
    }
    if !roles.contains(&Role::Admin) {
        return Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "not-team-admin",
            "Only a team admin can issue invitations",
            None,
        ));
    }
    let channel = match Channel::parse(&body.channel) {
        Some(channel @ (Channel::Letter | Channel::Email)) => channel,
        _ => return Err(ApiError::field("channel", "Select how to send the invitation: letter or email")),
    };
    let send_to = match body.email.as_deref().filter(|e| !e.trim().is_empty()) {
        Some(raw) => Some(EmailAddress::parse(raw).map_err(|e| ApiError::field("email", e))?),
        None => None,
    };
    let team_id: Option<String> = sqlx::query_scalar(
        "SELECT tr.team_id FROM team_records tr JOIN team_roles r ON r.team_id = tr.team_id \
         WHERE tr.record_id = $1 AND r.account_id = $2 AND r.role = 'admin' ORDER BY tr.team_id LIMIT 1",
    )
    .bind(&record_id)
    .bind(&professional.account_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let team_id = team_id.ok_or(ApiError::NotFound)?;
    let request = IssueRequest {
        record_id: &record_id,
        team_id: &team_id,
        channel,
        send_to,
        issued_by: &professional.account_id,
        ip: &ip,
    };
    let issued = super::issue(&state, request).await.map_err(|err| match err {
        IssueError::Excluded(exclusion) if may_see_exclusions(&roles) => ApiError::refusal(
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
        IssueError::NotFound => ApiError::NotFound,
        IssueError::Internal(err) => ApiError::Internal(err),
    })?;
    let printable = channel == Channel::Letter;
    let link = printable.then(|| templates::registration_link(&state.settings.public_base_url, &issued.code));
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
        }),
    ))
}
