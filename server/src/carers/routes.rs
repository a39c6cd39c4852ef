//! The patient's and the carer's side: `/api/v1/me/records` (every record
//! the account may open), `/api/v1/me/record/carers` (the patient's carers),
//! `/api/v1/me/record/access-history` and entries marked private. Accepting
//! an invitation is in `accept_routes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use portico_types::EmailAddress;
use portico_types::api::{
    AccessHistoryResponse, CarerInvitationView, ChangeCarerAccessRequest, EndCarerLinkRequest, InviteCarerRequest,
    MarkEntryPrivateRequest, MyCarersResponse, MyRecordsResponse, OpenedRecordResponse,
};
use portico_types::problem::FieldError;
use serde_json::json;

use super::access::{self, Access};
use super::invite::{self, InviteError, Offer};
use super::links::{self, ChangeError, Ender, NewTerms};
use super::terms::{Grounds, Terms, parse_end_day};
use super::{AccessLevel, history, privacy};
use crate::audit::{self, Action, Event};
use crate::auth::extract::{ClientIp, CurrentSession};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::records::{mine, view};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/records", get(openable))
        .route("/me/records/{record_id}", get(open))
        .route("/me/records/{record_id}/carers", post(invite_to))
        .route("/me/records/{record_id}/leave", post(leave))
        .route("/me/record/carers", get(my_carers).post(invite_to_own))
        .route("/me/record/carers/{link_id}", axum::routing::delete(end_own).put(change_own))
        .route("/me/record/carers/invitations/{invitation_id}", axum::routing::delete(withdraw))
        .route("/me/record/carers/{link_id}/end", post(end_own_with))
        .route("/me/record/access-history", get(access_history))
        .route("/me/record/entries/{entry_id}/private", put(mark_private))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    openable,
    open,
    invite_to,
    leave,
    my_carers,
    invite_to_own,
    end_own,
    change_own,
    withdraw,
    end_own_with,
    access_history,
    mark_private
))]
pub struct Docs;

#[utoipa::path(
    get,
    path = "/me/records",
    operation_id = "openable",
    tag = "carers",
    responses((status = 200, description = "OK", body = MyRecordsResponse)),
    security(("session" = []))
)]
async fn openable(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<MyRecordsResponse>> {
    Ok(Json(MyRecordsResponse { records: links::openable(&state.db, &session.account_id, state.now()).await? }))
}

/// The record as its owner, or a carer within their level, sees it. Every
/// carer's view is audited before it is answered.
#[utoipa::path(
    get,
    path = "/me/records/{record_id}",
    operation_id = "carers_open",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "OK", body = OpenedRecordResponse)),
    security(("session" = []))
)]
async fn open(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
) -> ApiResult<Json<OpenedRecordResponse>> {
    let now = state.now();
    let access = access::check(&state.db, &session.account_id, &record_id, now).await?.ok_or(ApiError::NotFound)?;
    if let Access::Carer(link) = &access {
        let mut tx = state.db.begin_write().await?;
        let event = Event::new(Action::CarerRecordViewed, now).actor(&session.account_id).record(&record_id);
        audit::record(&mut tx, event.ip(Some(&ip)).detail(json!({ "link_id": link.link_id }))).await?;
        tx.commit().await?;
    }
    let record = view::detail(&state.db, &record_id).await?.ok_or(ApiError::NotFound)?;
    let level = access.level();
    let entries = view::entries(&state.db, &record_id).await?.into_iter().filter(|e| access::shows(level, e)).collect();
    Ok(Json(OpenedRecordResponse {
        record_id,
        given_name: record.given_name,
        family_name: record.family_name,
        nhs_number: record.nhs_number,
        date_of_birth: record.date_of_birth,
        carer: match access {
            Access::Owner => None,
            Access::Carer(link) => Some(link),
        },
        entries,
    }))
}

/// The record the account owns, or 404 with a reason the page can show.
async fn own_record(state: &AppState, account_id: &str) -> ApiResult<String> {
    mine::owned_by(&state.db, account_id).await?.ok_or_else(|| {
        ApiError::refusal(
            StatusCode::NOT_FOUND,
            "no-own-record",
            "You do not have a record of your own",
            Some("Only a patient can invite carers to their record.".into()),
        )
    })
}

/// What a carer sees and until when, as the patient gave them (on an
/// invitation or a change): each parsed, its error on its own field.
fn level_and_end(
    access_level: &str,
    ends_on: &str,
) -> (Result<AccessLevel, FieldError>, Result<Option<time::OffsetDateTime>, FieldError>) {
    let level = AccessLevel::parse(access_level)
        .ok_or_else(|| FieldError::new("access_level", "Choose what your carer can see"));
    let ends = parse_end_day(ends_on).map_err(|_| FieldError::new("ends_on", "Enter a real date, like 2027-03-31"));
    (level, ends)
}

/// The patient's invitation, parsed: every bad field at once.
fn patient_terms(body: &InviteCarerRequest) -> ApiResult<(EmailAddress, Terms)> {
    let email = EmailAddress::parse(&body.email).map_err(|e| FieldError::new("email", e));
    let (level, ends) = level_and_end(&body.access_level, &body.ends_on);
    match (email, level, ends) {
        (Ok(email), Ok(level), Ok(ends_at)) => {
            Ok((email, Terms { grounds: Grounds::AdultCarerConsent, level, ends_at }))
        }
        (email, level, ends) => {
            Err(ApiError::Invalid(email.err().into_iter().chain(level.err()).chain(ends.err()).collect()))
        }
    }
}

pub(crate) fn invite_refusal(err: InviteError) -> ApiError {
    match err {
        InviteError::NotFound => ApiError::NotFound,
        InviteError::Excluded => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-excluded",
            "Carers cannot be invited to this record",
            Some("Contact the clinical team that looks after this record.".into()),
        ),
        InviteError::OwnEmail => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "carer-is-yourself",
            "You cannot invite yourself as a carer",
            Some("Enter the email address of the person you want to invite.".into()),
        ),
        InviteError::AlreadyCarer => ApiError::refusal(
            StatusCode::CONFLICT,
            "already-a-carer",
            "That person already has access to this record",
            None,
        ),
        InviteError::EndsInPast => ApiError::field("ends_on", "The end date must be in the future"),
        InviteError::TooMany => ApiError::refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-carer-invitations",
            "Too many carer invitations today",
            Some("You can invite more carers tomorrow.".into()),
        ),
        InviteError::Internal(err) => ApiError::Internal(err),
    }
}

async fn invite_as_owner(
    state: &AppState,
    account_id: &str,
    record_id: &str,
    body: &InviteCarerRequest,
    ip: &str,
) -> ApiResult<(StatusCode, Json<CarerInvitationView>)> {
    let (email, terms) = patient_terms(body)?;
    let offer = Offer { record_id, email, terms, invited_by: account_id, exclusion_override: None, ip };
    let view = invite::invite(state, offer).await.map_err(invite_refusal)?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    post,
    path = "/me/record/carers",
    operation_id = "invite_to_own",
    tag = "carers",
    request_body = InviteCarerRequest,
    responses((status = 201, description = "Invited: the carer is emailed", body = CarerInvitationView), (status = 404, description = "The account holds no record of its own")),
    security(("session" = [], "csrf" = []))
)]
async fn invite_to_own(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<InviteCarerRequest>,
) -> ApiResult<(StatusCode, Json<CarerInvitationView>)> {
    let record_id = own_record(&state, &session.account_id).await?;
    invite_as_owner(&state, &session.account_id, &record_id, &body, &ip).await
}

/// Inviting to a record by its id: only its owner may; a carer of it is told so.
#[utoipa::path(
    post,
    path = "/me/records/{record_id}/carers",
    operation_id = "invite_to",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id")),
    request_body = InviteCarerRequest,
    responses((status = 201, description = "Invited: the carer is emailed", body = CarerInvitationView)),
    security(("session" = [], "csrf" = []))
)]
async fn invite_to(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
    ApiJson(body): ApiJson<InviteCarerRequest>,
) -> ApiResult<(StatusCode, Json<CarerInvitationView>)> {
    match access::check(&state.db, &session.account_id, &record_id, state.now()).await? {
        Some(Access::Owner) => invite_as_owner(&state, &session.account_id, &record_id, &body, &ip).await,
        Some(Access::Carer(_)) => Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "carer-cannot-invite",
            "Only the patient can invite carers to their record",
            Some("You hold this record as a carer.".into()),
        )),
        None => Err(ApiError::NotFound),
    }
}

/// A carer gives up their own access to a record.
#[utoipa::path(
    post,
    path = "/me/records/{record_id}/leave",
    operation_id = "carers_leave",
    tag = "carers",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn leave(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(record_id): Path<String>,
) -> ApiResult<StatusCode> {
    let Some(Access::Carer(link)) = access::check(&state.db, &session.account_id, &record_id, state.now()).await?
    else {
        return Err(ApiError::NotFound);
    };
    let ended = links::end(&state, &record_id, &link.link_id, Ender::Carer(&session.account_id), &ip).await?;
    if ended { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}

#[utoipa::path(
    get,
    path = "/me/record/carers",
    operation_id = "my_carers",
    tag = "carers",
    responses((status = 200, description = "OK", body = MyCarersResponse), (status = 404, description = "The account holds no record of its own")),
    security(("session" = []))
)]
async fn my_carers(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<MyCarersResponse>> {
    let record_id = own_record(&state, &session.account_id).await?;
    let now = state.now();
    Ok(Json(MyCarersResponse {
        carers: links::of_record(&state.db, &record_id, now).await?,
        invitations: links::waiting_invitations(&state.db, &record_id, now).await?,
    }))
}

#[utoipa::path(
    delete,
    path = "/me/record/carers/{link_id}",
    operation_id = "end_own",
    tag = "carers",
    params(("link_id" = String, Path, description = "The carer link's id")),
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn end_own(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(link_id): Path<String>,
) -> ApiResult<StatusCode> {
    let record_id = own_record(&state, &session.account_id).await?;
    let ended = links::end(&state, &record_id, &link_id, Ender::Patient(&session.account_id), &ip).await?;
    if ended { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}

/// The patient changes what a carer they invited sees, and until when.
#[utoipa::path(
    put,
    path = "/me/record/carers/{link_id}",
    operation_id = "change_own",
    tag = "carers",
    params(("link_id" = String, Path, description = "The carer link's id")),
    request_body = ChangeCarerAccessRequest,
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn change_own(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(link_id): Path<String>,
    ApiJson(body): ApiJson<ChangeCarerAccessRequest>,
) -> ApiResult<StatusCode> {
    let record_id = own_record(&state, &session.account_id).await?;
    let terms = match level_and_end(&body.access_level, &body.ends_on) {
        (Ok(level), Ok(ends_at)) => NewTerms { level, ends_at },
        (level, ends) => return Err(ApiError::Invalid(level.err().into_iter().chain(ends.err()).collect())),
    };
    match links::change(&state, &record_id, &link_id, terms, &session.account_id, &ip).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(ChangeError::NotFound) => Err(ApiError::NotFound),
        Err(ChangeError::NotThePatients) => Err(ApiError::refusal(
            StatusCode::FORBIDDEN,
            "carer-link-by-professional",
            "Only your clinical team can change this person's access",
            Some("They were given access by a professional. Contact your clinical team.".into()),
        )),
        Err(ChangeError::EndsInPast) => Err(ApiError::field("ends_on", "The end date must be in the future")),
        Err(ChangeError::Internal(err)) => Err(err.into()),
    }
}

#[utoipa::path(
    post,
    path = "/me/record/carers/{link_id}/end",
    operation_id = "end_own_with",
    tag = "carers",
    params(("link_id" = String, Path, description = "The carer link's id")),
    request_body = EndCarerLinkRequest,
    responses((status = 204, description = "Ended")),
    security(("session" = [], "csrf" = []))
)]
async fn end_own_with(
    state: State<AppState>,
    session: CurrentSession,
    ip: ClientIp,
    link_id: Path<String>,
    ApiJson(_body): ApiJson<EndCarerLinkRequest>,
) -> ApiResult<StatusCode> {
    end_own(state, session, ip, link_id).await
}

/// Withdraws an invitation not yet accepted: its link no longer works.
#[utoipa::path(
    delete,
    path = "/me/record/carers/invitations/{invitation_id}",
    operation_id = "withdraw",
    tag = "carers",
    params(("invitation_id" = String, Path, description = "The carer invitation's id")),
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn withdraw(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(invitation_id): Path<String>,
) -> ApiResult<StatusCode> {
    let record_id = own_record(&state, &session.account_id).await?;
    let withdrawn = invite::withdraw(&state, &record_id, &invitation_id, &session.account_id, &ip).await?;
    if withdrawn { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}

#[utoipa::path(
    get,
    path = "/me/record/access-history",
    operation_id = "access_history",
    tag = "carers",
    responses((status = 200, description = "OK", body = AccessHistoryResponse), (status = 404, description = "The account holds no record of its own")),
    security(("session" = []))
)]
async fn access_history(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> ApiResult<Json<AccessHistoryResponse>> {
    let record_id = own_record(&state, &session.account_id).await?;
    Ok(Json(AccessHistoryResponse { events: history::of_record(&state.db, &record_id).await? }))
}

#[utoipa::path(
    put,
    path = "/me/record/entries/{entry_id}/private",
    operation_id = "mark_private",
    tag = "carers",
    params(("entry_id" = String, Path, description = "The entry's id")),
    request_body = MarkEntryPrivateRequest,
    responses((status = 204, description = "Done; no body")),
    security(("session" = [], "csrf" = []))
)]
async fn mark_private(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    ClientIp(ip): ClientIp,
    Path(entry_id): Path<String>,
    ApiJson(body): ApiJson<MarkEntryPrivateRequest>,
) -> ApiResult<StatusCode> {
    let record_id = own_record(&state, &session.account_id).await?;
    let marked = privacy::mark(&state, &record_id, &entry_id, body.private, &session.account_id, &ip).await?;
    if marked { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
