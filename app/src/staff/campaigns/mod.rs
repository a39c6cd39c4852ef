//! Mass registration, for a team's admins: the team's campaigns
//! (`/staff/teams/:team_id/campaigns`), a new one counted before it starts
//! (`…/campaigns/new`), and one campaign's live progress, controls and letter
//! batches (`/staff/campaigns/:campaign_id`), and the team's invitation
//! settings (`/staff/teams/:team_id/invitation-settings`).
//!
//! The server does the work in the background and alone decides who is
//! invited; these pages ask it, show what it says, and never name a patient.

mod batches;
mod cohort_form;
mod controls;
mod invitation_settings;
mod list;
mod new;
mod page;
mod plan_form;
mod plan_view;
mod preview;
mod progress;
mod team_gate;

pub use invitation_settings::InvitationSettingsPage;
pub use list::CampaignsPage;
pub use new::NewCampaignPage;
pub use page::CampaignPage;
pub use team_gate::AdminTeamPage;

use super::HOME_PATH;

fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}

/// A team's campaigns, newest first.
pub fn campaigns_href(team_id: &str) -> String {
    format!("{HOME_PATH}/teams/{}/campaigns", encode(team_id))
}

/// The form that starts a team's campaign.
pub fn new_campaign_href(team_id: &str) -> String {
    format!("{HOME_PATH}/teams/{}/campaigns/new", encode(team_id))
}

/// One campaign.
pub fn campaign_href(campaign_id: &str) -> String {
    format!("{HOME_PATH}/campaigns/{}", encode(campaign_id))
}

/// How a channel reads as what a campaign sends.
fn channel_words(channel: &str) -> &'static str {
    match channel {
        "letter" => "Letters to print",
        "sms" => "Text messages",
        "email" => "Emails",
        _ => "Other",
    }
}

/// A campaign state's tag: its words and colour.
fn state_tag(state: &str) -> (&'static str, &'static str) {
    match state {
        "running" => ("Running", "nhsuk-tag--blue"),
        "paused" => ("Paused", "nhsuk-tag--yellow"),
        "finished" => ("Finished", "nhsuk-tag--green"),
        "cancelled" => ("Cancelled", "nhsuk-tag--grey"),
        _ => ("Unknown", "nhsuk-tag--white"),
    }
}

/// "1,234 of 5,000".
fn progress_words(processed: u64, total: u64) -> String {
    use crate::numbers::grouped;
    format!("{} of {}", grouped(processed), grouped(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_a_count_of_the_whole() {
        assert_eq!(progress_words(1_234, 5_000), "1,234 of 5,000");
        assert_eq!(progress_words(0, 0), "0 of 0");
    }

    #[test]
    fn every_state_has_a_tag() {
        for state in ["running", "paused", "finished", "cancelled"] {
            assert_ne!(state_tag(state).0, "Unknown", "{state}");
        }
    }
}
