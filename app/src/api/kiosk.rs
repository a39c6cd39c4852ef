//! Kiosks: the staff calls that set one up and switch it off, and the
//! kiosk's own calls (authenticated by its cookie alone).

use gloo_net::http::Request;
use portico_types::api::{
    CreateKioskRequest, KioskCheckInRequest, KioskCheckInResponse, KioskInvitation, KioskInvitationRequest,
    KioskInviteVia, KioskSummary, KioskView, KiosksResponse,
};

use super::{ApiError, JsonBody, accepted, encode, read, team_url, url, write};

/// `GET /api/v1/staff/teams/{team_id}/kiosks`: for the team's admins and receptionists.
pub async fn team_kiosks(team_id: &str) -> Result<KiosksResponse, ApiError> {
    read(Request::get(&team_url(team_id, "/kiosks")).send().await).await
}

/// `POST /api/v1/staff/teams/{team_id}/kiosks`: this device becomes the
/// team's kiosk; the staff session on it ends.
pub async fn set_up_kiosk(team_id: &str, name: &str) -> Result<KioskSummary, ApiError> {
    let body = CreateKioskRequest { name: name.to_owned() };
    let request = write(Request::post(&team_url(team_id, "/kiosks"))).json_body(&body)?;
    read(request.send().await).await
}

/// `DELETE /api/v1/staff/teams/{team_id}/kiosks/{kiosk_id}`: switches a kiosk off.
pub async fn revoke_kiosk(team_id: &str, kiosk_id: &str) -> Result<(), ApiError> {
    let path = format!("/kiosks/{}", encode(kiosk_id));
    accepted(write(Request::delete(&team_url(team_id, &path))).send().await).await
}

/// `GET /api/v1/kiosk`: the kiosk's team, or a 401 saying why it is not one.
pub async fn kiosk() -> Result<KioskView, ApiError> {
    read(Request::get(&url("/kiosk")).send().await).await
}

/// `POST /api/v1/kiosk/check-ins`: a patient identifies themselves.
pub async fn kiosk_check_in(body: &KioskCheckInRequest) -> Result<KioskCheckInResponse, ApiError> {
    let request = write(Request::post(&url("/kiosk/check-ins"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/kiosk/invitations`: and chooses how to get their invitation.
pub async fn kiosk_invitation(token: &str, via: KioskInviteVia) -> Result<KioskInvitation, ApiError> {
    let body = KioskInvitationRequest { token: token.to_owned(), via: via.as_str().to_owned() };
    let request = write(Request::post(&url("/kiosk/invitations"))).json_body(&body)?;
    read(request.send().await).await
}
