//! Campaigns and the uptake report: the calls of the staff pages that
//! invite a team's records in bulk and show how many registered.

use gloo_net::http::Request;
use portico_types::api::{
    API_PREFIX, CampaignView, CampaignsResponse, CohortPreview, CohortRequest, InvitationSettings,
    StartCampaignRequest, UptakeReport,
};

use super::{ApiError, JsonBody, encode, read, team_url, url, write};

/// `POST /api/v1/staff/teams/{team_id}/campaigns/preview`: counts a cohort, sending nothing.
pub async fn preview_cohort(team_id: &str, body: &CohortRequest) -> Result<CohortPreview, ApiError> {
    let request = write(Request::post(&team_url(team_id, "/campaigns/preview"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/staff/teams/{team_id}/campaigns`: starts a campaign; it runs in the background.
pub async fn start_campaign(team_id: &str, body: &StartCampaignRequest) -> Result<CampaignView, ApiError> {
    let request = write(Request::post(&team_url(team_id, "/campaigns"))).json_body(body)?;
    read(request.send().await).await
}

/// `GET /api/v1/staff/teams/{team_id}/campaigns`: newest first.
pub async fn team_campaigns(team_id: &str) -> Result<CampaignsResponse, ApiError> {
    read(Request::get(&team_url(team_id, "/campaigns")).send().await).await
}

/// `GET /api/v1/staff/campaigns/{campaign_id}`: a campaign as it stands now.
pub async fn campaign(campaign_id: &str) -> Result<CampaignView, ApiError> {
    read(Request::get(&campaign_url(campaign_id, "")).send().await).await
}

/// What staff can do to a running campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignAction {
    Pause,
    Resume,
    Cancel,
}

/// `POST /api/v1/staff/campaigns/{campaign_id}/{pause,resume,cancel}`
pub async fn campaign_action(campaign_id: &str, action: CampaignAction) -> Result<CampaignView, ApiError> {
    let rest = match action {
        CampaignAction::Pause => "/pause",
        CampaignAction::Resume => "/resume",
        CampaignAction::Cancel => "/cancel",
    };
    read(write(Request::post(&campaign_url(campaign_id, rest))).send().await).await
}

/// `GET /api/v1/staff/reports/uptake?team_id=…`: one team's uptake by channel.
pub async fn team_uptake(team_id: &str) -> Result<UptakeReport, ApiError> {
    read(Request::get(&url("/staff/reports/uptake")).query([("team_id", team_id)]).send().await).await
}

/// Where the same report downloads as CSV: a plain link, which the session
/// cookie authorises as it does every GET.
pub fn team_uptake_csv_href(team_id: &str) -> String {
    url(&format!("/staff/reports/uptake.csv?team_id={}", encode(team_id)))
}

/// The address of a file the API names by its path under `/api/v1` (a
/// letter batch's PDF or manifest).
pub fn api_file_href(path: &str) -> String {
    if path.starts_with(API_PREFIX) { path.to_owned() } else { url(path) }
}

fn campaign_url(campaign_id: &str, rest: &str) -> String {
    url(&format!("/staff/campaigns/{}{rest}", encode(campaign_id)))
}

/// `GET /api/v1/staff/teams/{team_id}/invitation-settings`
pub async fn invitation_settings(team_id: &str) -> Result<InvitationSettings, ApiError> {
    read(Request::get(&team_url(team_id, "/invitation-settings")).send().await).await
}

/// `PUT /api/v1/staff/teams/{team_id}/invitation-settings`
pub async fn save_invitation_settings(
    team_id: &str,
    body: &InvitationSettings,
) -> Result<InvitationSettings, ApiError> {
    let request = write(Request::put(&team_url(team_id, "/invitation-settings"))).json_body(body)?;
    read(request.send().await).await
}
