//! The staff side of carers: a record's carers and the invitations waiting,
//! adding a parent/guardian or the carer of an adult who lacks capacity,
//! ending a link with a reason, extending one past an age band, a safeguarding lead's override of an
//! exclusion, the organisation's carer settings; and the emails sent for a
//! record, which the same page shows.

use gloo_net::http::Request;
use portico_types::api::{
    AddCarerRequest, CarerInvitationView, CarerSettings, EndCarerLinkRequest, ExtendCarerLinkRequest,
    OverrideCarerInvitationRequest, RecordCarersResponse, RecordNotificationsResponse,
};

use super::{ApiError, JsonBody, accepted, encode, read, record_url, url, write};

/// `GET /api/v1/staff/records/{record_id}/carers`: links, and invitations not yet accepted.
pub async fn record_carers(record_id: &str) -> Result<RecordCarersResponse, ApiError> {
    read(Request::get(&record_url(record_id, "/carers")).send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/carers`: invites a parent/guardian
/// or the carer of an adult who lacks capacity, by email.
pub async fn add_carer(record_id: &str, body: &AddCarerRequest) -> Result<CarerInvitationView, ApiError> {
    let request = write(Request::post(&record_url(record_id, "/carers"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/carers/override`: a safeguarding
/// lead invites the patient's carer to an excluded record.
pub async fn override_carer_invitation(
    record_id: &str,
    body: &OverrideCarerInvitationRequest,
) -> Result<CarerInvitationView, ApiError> {
    let request = write(Request::post(&record_url(record_id, "/carers/override"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/carers/{link_id}/end`: ends a link now, with a reason.
pub async fn end_carer_link(record_id: &str, link_id: &str, body: &EndCarerLinkRequest) -> Result<(), ApiError> {
    let rest = format!("/carers/{}/end", encode(link_id));
    let request = write(Request::post(&record_url(record_id, &rest))).json_body(body)?;
    accepted(request.send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/carers/{link_id}/extend`: keep a
/// parent's access as it is past the next age band, with a reason.
pub async fn extend_carer_link(record_id: &str, link_id: &str, body: &ExtendCarerLinkRequest) -> Result<(), ApiError> {
    let rest = format!("/carers/{}/extend", encode(link_id));
    let request = write(Request::post(&record_url(record_id, &rest))).json_body(body)?;
    accepted(request.send().await).await
}

/// `GET /api/v1/staff/organisation/carer-settings`
pub async fn carer_settings() -> Result<CarerSettings, ApiError> {
    read(Request::get(&url("/staff/organisation/carer-settings")).send().await).await
}

/// `PUT /api/v1/staff/organisation/carer-settings`: for the organisation's admins.
pub async fn save_carer_settings(body: &CarerSettings) -> Result<CarerSettings, ApiError> {
    let request = write(Request::put(&url("/staff/organisation/carer-settings"))).json_body(body)?;
    read(request.send().await).await
}

/// `GET /api/v1/staff/records/{record_id}/notifications`: emails and texts sent for the record, newest first.
pub async fn record_notifications(record_id: &str) -> Result<RecordNotificationsResponse, ApiError> {
    read(Request::get(&record_url(record_id, "/notifications")).send().await).await
}
