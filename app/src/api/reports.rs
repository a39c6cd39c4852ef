//! The uptake report's drop-off funnel: where a team's invited patients
//! stopped registering, and why their codes were refused.

use gloo_net::http::Request;
use portico_types::api::FunnelReport;

use super::{ApiError, encode, read, url};

/// `GET /api/v1/staff/reports/funnel?team_id=…`: one team's funnel by channel.
pub async fn team_funnel(team_id: &str) -> Result<FunnelReport, ApiError> {
    read(Request::get(&url("/staff/reports/funnel")).query([("team_id", team_id)]).send().await).await
}

/// Where the same funnel downloads as CSV: a plain link, which the session
/// cookie authorises as it does every GET.
pub fn team_funnel_csv_href(team_id: &str) -> String {
    url(&format!("/staff/reports/funnel.csv?team_id={}", encode(team_id)))
}
