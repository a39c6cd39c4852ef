//! Self-registration: a team's join page (the patient's calls), and the
//! team's queue and join page settings (staff's).

use gloo_net::http::Request;
#[cfg(feature = "staff")]
use portico_types::api::{
    DeclineSignUpRequest, JoinPageSettings, LinkSignUpRequest, SignUpDecided, SignUpQueueResponse,
};
use portico_types::api::{JoinPageView, JoinRequest, MySignUpsResponse, RegistrationView};

#[cfg(feature = "staff")]
use super::team_url;
use super::{ApiError, JsonBody, encode, read, url, write};

/// `GET /api/v1/join/{slug}`: a team's open join page, with its proof-of-work challenge.
pub async fn join_page(slug: &str) -> Result<JoinPageView, ApiError> {
    read(Request::get(&url(&format!("/join/{}", encode(slug)))).send().await).await
}

/// `POST /api/v1/join/{slug}`: the form; begins a registration (its cookie) and sends the email.
pub async fn join(slug: &str, body: &JoinRequest) -> Result<RegistrationView, ApiError> {
    let request = write(Request::post(&url(&format!("/join/{}", encode(slug))))).json_body(body)?;
    read(request.send().await).await
}

/// `GET /api/v1/me/sign-ups`: the signed-in person's requests to join teams.
pub async fn my_sign_ups() -> Result<MySignUpsResponse, ApiError> {
    read(Request::get(&url("/me/sign-ups")).send().await).await
}

/// `GET /api/v1/staff/teams/{team_id}/sign-ups`: the team's queue.
#[cfg(feature = "staff")]
pub async fn sign_up_queue(team_id: &str) -> Result<SignUpQueueResponse, ApiError> {
    read(Request::get(&team_url(team_id, "/sign-ups")).send().await).await
}

#[cfg(feature = "staff")]
fn sign_up_url(id: &str, action: &str) -> String {
    url(&format!("/staff/sign-ups/{}/{action}", encode(id)))
}

/// `POST /api/v1/staff/sign-ups/{id}/link`: the account becomes the record's owner.
#[cfg(feature = "staff")]
pub async fn link_sign_up(id: &str, record_id: &str) -> Result<SignUpDecided, ApiError> {
    let body = LinkSignUpRequest { record_id: record_id.to_owned() };
    let request = write(Request::post(&sign_up_url(id, "link"))).json_body(&body)?;
    read(request.send().await).await
}

/// `POST /api/v1/staff/sign-ups/{id}/new-record`: a new record of the team, owned by the account.
#[cfg(feature = "staff")]
pub async fn new_record_for_sign_up(id: &str) -> Result<SignUpDecided, ApiError> {
    read(write(Request::post(&sign_up_url(id, "new-record"))).send().await).await
}

/// `POST /api/v1/staff/sign-ups/{id}/decline`, with the reason the patient is told.
#[cfg(feature = "staff")]
pub async fn decline_sign_up(id: &str, reason: &str) -> Result<SignUpDecided, ApiError> {
    let body = DeclineSignUpRequest { reason: reason.to_owned() };
    let request = write(Request::post(&sign_up_url(id, "decline"))).json_body(&body)?;
    read(request.send().await).await
}

/// `GET /api/v1/staff/teams/{team_id}/join-page`: for the team's admin.
#[cfg(feature = "staff")]
pub async fn join_page_settings(team_id: &str) -> Result<JoinPageSettings, ApiError> {
    read(Request::get(&team_url(team_id, "/join-page")).send().await).await
}

/// `PUT /api/v1/staff/teams/{team_id}/join-page`
#[cfg(feature = "staff")]
pub async fn save_join_page_settings(team_id: &str, body: &JoinPageSettings) -> Result<JoinPageSettings, ApiError> {
    let request = write(Request::put(&team_url(team_id, "/join-page"))).json_body(body)?;
    read(request.send().await).await
}
