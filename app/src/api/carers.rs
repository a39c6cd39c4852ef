//! Carers, from the patient's and the carer's side: the records an account
//! may open, the patient's carers and invitations, the access history, and
//! accepting an invitation. (The staff console's carer calls are its own.)

use gloo_net::http::Request;
use portico_types::api::{
    AcceptCarerInvitationRequest, AcceptedCarerInvitation, AccessHistoryResponse, CarerInvitationLookup,
    CarerInvitationView, ChangeCarerAccessRequest, InviteCarerRequest, MarkEntryPrivateRequest, MyCarersResponse,
    MyRecordsResponse, OpenedRecordResponse, RegisterCarerRequest,
};

use super::{ApiError, JsonBody, accepted, encode, read, url, write};

/// `GET /api/v1/me/records`: the account's own record (if any), then each it holds as a carer.
pub async fn my_records() -> Result<MyRecordsResponse, ApiError> {
    read(Request::get(&url("/me/records")).send().await).await
}

/// `GET /api/v1/me/records/{id}`: one record, as its owner or a carer may see it.
pub async fn open_record(record_id: &str) -> Result<OpenedRecordResponse, ApiError> {
    read(Request::get(&url(&format!("/me/records/{}", encode(record_id)))).send().await).await
}

/// `GET /api/v1/me/record/carers`: who holds access to the patient's own record.
pub async fn my_carers() -> Result<MyCarersResponse, ApiError> {
    read(Request::get(&url("/me/record/carers")).send().await).await
}

/// `POST /api/v1/me/record/carers`: the patient invites a carer by email.
pub async fn invite_carer(body: &InviteCarerRequest) -> Result<CarerInvitationView, ApiError> {
    let request = write(Request::post(&url("/me/record/carers"))).json_body(body)?;
    read(request.send().await).await
}

/// `DELETE /api/v1/me/record/carers/{link_id}`: the patient ends a carer's access.
pub async fn end_carer(link_id: &str) -> Result<(), ApiError> {
    accepted(write(Request::delete(&url(&format!("/me/record/carers/{}", encode(link_id))))).send().await).await
}

/// `PUT /api/v1/me/record/carers/{link_id}`: the patient changes what a carer sees, and until when.
pub async fn change_carer(link_id: &str, body: &ChangeCarerAccessRequest) -> Result<(), ApiError> {
    let path = format!("/me/record/carers/{}", encode(link_id));
    let request = write(Request::put(&url(&path))).json_body(body)?;
    accepted(request.send().await).await
}

/// `DELETE /api/v1/me/record/carers/invitations/{id}`: withdraws an invitation not yet accepted.
pub async fn withdraw_carer_invitation(invitation_id: &str) -> Result<(), ApiError> {
    let path = format!("/me/record/carers/invitations/{}", encode(invitation_id));
    accepted(write(Request::delete(&url(&path))).send().await).await
}

/// `GET /api/v1/me/record/access-history`: carers' views of the record and changes to their access.
pub async fn access_history() -> Result<AccessHistoryResponse, ApiError> {
    read(Request::get(&url("/me/record/access-history")).send().await).await
}

/// `PUT /api/v1/me/record/entries/{id}/private`: hides an entry from carers with limited access, or shows it again.
pub async fn mark_entry_private(entry_id: &str, private: bool) -> Result<(), ApiError> {
    let path = format!("/me/record/entries/{}/private", encode(entry_id));
    let request = write(Request::put(&url(&path))).json_body(&MarkEntryPrivateRequest { private })?;
    accepted(request.send().await).await
}

/// `POST /api/v1/carer-invitations/lookup`: what an invitation's link offers (uses nothing).
pub async fn look_up_carer_invitation(token: &str) -> Result<CarerInvitationLookup, ApiError> {
    let body = AcceptCarerInvitationRequest { token: token.to_owned() };
    let request = write(Request::post(&url("/carer-invitations/lookup"))).json_body(&body)?;
    read(request.send().await).await
}

/// `POST /api/v1/carer-invitations/accept`: the signed-in account accepts.
pub async fn accept_carer_invitation(token: &str) -> Result<AcceptedCarerInvitation, ApiError> {
    let body = AcceptCarerInvitationRequest { token: token.to_owned() };
    let request = write(Request::post(&url("/carer-invitations/accept"))).json_body(&body)?;
    read(request.send().await).await
}

/// `POST /api/v1/carer-invitations/register`: a new account for the invited address accepts, signed in.
pub async fn register_carer(body: &RegisterCarerRequest) -> Result<AcceptedCarerInvitation, ApiError> {
    let request = write(Request::post(&url("/carer-invitations/register"))).json_body(body)?;
    read(request.send().await).await
}
