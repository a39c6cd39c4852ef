//! `/staff/teams/:team_id/campaigns`: the team's campaigns, newest first,
//! each with how far it has got, and the way to start another.

use leptos::prelude::*;
use portico_types::api::{CampaignSummary, TeamSummary};

use super::invitation_settings::invitation_settings_href;
use super::{AdminTeamPage, campaign_href, channel_words, new_campaign_href, progress_words, state_tag};
use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::loader::load;
use crate::page::show_page;
use crate::staff::SERVICE;
use crate::staff::session::sign_in_on_unauthorised;
use crate::staff::uptake::uptake_href;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    show_page("Campaigns", SERVICE);
    view! { <AdminTeamPage doing="see its campaigns" page=|team| view! { <Campaigns team=team/> }.into_any()/> }
}

#[component]
fn Campaigns(team: TeamSummary) -> impl IntoView {
    let team_id = team.id.clone();
    let campaigns = load(move || {
        let team_id = team_id.clone();
        async move { api::team_campaigns(&team_id).await }
    });
    sign_in_on_unauthorised(campaigns);
    view! {
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{team.name}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            "Campaigns"
        </h1>
        <p>
            "A campaign invites many of the team's patients to register at once, by letter, text message or email. "
            "You see how many it will invite before it starts."
        </p>
        <a class="nhsuk-button" href=new_campaign_href(&team.id) role="button" draggable="false">"Start a new campaign"</a>
        <p><a href=uptake_href(&team.id)>"See how many registered (uptake report)"</a></p>
        <p><a href=invitation_settings_href(&team.id)>"Invitation settings"</a>": hold invitations until the record has something to see"</p>
        {move || match campaigns.get() {
            None => view! { <p role="status">"Loading campaigns…"</p> }.into_any(),
            Some(Ok(answer)) if answer.campaigns.is_empty() => {
                view! { <p>"This team has not run a campaign yet."</p> }.into_any()
            }
            Some(Ok(answer)) => view! { <CampaignsTable campaigns=answer.campaigns/> }.into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
        }}
    }
}

const HEADINGS: [&str; 5] = ["Name", "Sent as", "State", "Progress", "Started"];

/// The NHS.UK responsive table (cards at 320 px), with the state as a tag.
#[component]
fn CampaignsTable(campaigns: Vec<CampaignSummary>) -> impl IntoView {
    view! {
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption">"The team's campaigns, newest first"</caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {HEADINGS.iter().map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {campaigns.into_iter().map(|c| view! { <CampaignRow campaign=c/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CampaignRow(campaign: CampaignSummary) -> impl IntoView {
    let (state, colour) = state_tag(&campaign.state);
    let progress = format!("{} records", progress_words(campaign.progress.processed, campaign.progress.total));
    let started = format!("{} by {}", local_long_date_time(&campaign.created_at), campaign.created_by);
    let cell = |n: usize| {
        view! { <span class="nhsuk-table__heading" aria-hidden="true">{HEADINGS[n]}" "</span> }
    };
    view! {
        <tr class="nhsuk-table__row" role="row">
            <td class="nhsuk-table__cell" role="cell">{cell(0)}<a href=campaign_href(&campaign.id)>{campaign.name}</a></td>
            <td class="nhsuk-table__cell" role="cell">{cell(1)}{channel_words(&campaign.channel)}</td>
            <td class="nhsuk-table__cell" role="cell">{cell(2)}<strong class=format!("nhsuk-tag {colour}")>{state}</strong></td>
            <td class="nhsuk-table__cell" role="cell">{cell(3)}{progress}</td>
            <td class="nhsuk-table__cell" role="cell">{cell(4)}{started}</td>
        </tr>
    }
}
