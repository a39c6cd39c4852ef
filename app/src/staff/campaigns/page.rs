//! `/staff/campaigns/:campaign_id`: one campaign as it stands. While it
//! runs the page asks again every 2 seconds; it stops asking when the
//! campaign is paused, finished or cancelled, or when the page is left.
//! Each part of the page follows the latest answer on its own, so a poll
//! changes numbers without moving the person's focus.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use portico_types::api::CampaignView;

use super::batches::Batches;
use super::controls::Controls;
use super::plan_view::PlanSteps;
use super::progress::{Failures, Progress};
use super::{campaign_href, campaigns_href, channel_words, state_tag};
use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::forms::{ErrorItem, ErrorSummary};
use crate::loader::load;
use crate::page::show_page;
use crate::staff::session::sign_in_on_unauthorised;
use crate::staff::{HOME_PATH, SERVICE};
use crate::summary_list::SummaryList;

/// How often a page showing a running campaign asks how far it has got.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// What the page shows, changing only when the kind of answer changes, so a
/// poll that brings new numbers does not rebuild the page under the
/// person's focus.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    Campaign,
    SignedOut,
    NotFound,
    Failed(String),
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    show_page("Campaign", SERVICE);
    let params = use_params_map();
    let campaign_id = Memo::new(move |_| params.with(|p| p.get("campaign_id")).unwrap_or_default());
    // Bumped to read the campaign again: by the poll, and after an action.
    let asked = RwSignal::new(0u32);
    let answer = load(move || {
        let id = campaign_id.get();
        asked.track();
        async move { api::campaign(&id).await }
    });
    sign_in_on_unauthorised(answer);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    // The latest campaign the server sent, kept through a failed poll; a
    // new address starts afresh.
    let latest = Memo::new(move |before: Option<&Option<CampaignView>>| {
        answer.with(|a| match a {
            Some(Ok(view)) => Some(view.clone()),
            _ => before.cloned().flatten().filter(|v| v.campaign.id == campaign_id.get()),
        })
    });
    let shown = Memo::new(move |_| {
        answer.with(|a| match a {
            _ if latest.with(Option::is_some) => Shown::Campaign,
            None => Shown::Loading,
            Some(Ok(_)) => Shown::Campaign,
            Some(Err(ApiError::Unauthorised(_))) => Shown::SignedOut,
            Some(Err(ApiError::Refused(p))) if matches!(p.status, 403 | 404) => Shown::NotFound,
            Some(Err(error)) => Shown::Failed(error.message()),
        })
    });
    let poll_failed = Memo::new(move |_| answer.with(|a| matches!(a, Some(Err(_)))) && latest.with(Option::is_some));

    // Each answer about a running campaign sets up the next question; the
    // timer is cleared when the next answer comes and when the page goes.
    Effect::new(move |_| {
        let running = answer.with(|a| matches!(a, Some(Ok(view)) if view.campaign.state == "running"));
        if running {
            let next = set_timeout_with_handle(move || asked.try_update(|n| *n += 1).unwrap_or(()), POLL_EVERY);
            if let Ok(next) = next {
                on_cleanup(move || next.clear());
            }
        }
    });
    let name = Memo::new(move |_| latest.with(|v| v.as_ref().map(|v| v.campaign.name.clone())));
    Effect::new(move |_| {
        if let Some(name) = name.get() {
            document().set_title(&format!("{name} – {SERVICE}"));
        }
    });

    view! {
        <ErrorSummary errors=errors/>
        {move || match shown.get() {
            Shown::Loading => view! { <p role="status">"Loading the campaign…"</p> }.into_any(),
            Shown::Campaign => view! { <Campaign latest=latest poll_failed=poll_failed errors=errors asked=asked/> }.into_any(),
            Shown::SignedOut => ().into_any(),
            Shown::NotFound => view! {
                <h1 tabindex="-1">"Campaign not found"</h1>
                <p>"Check the address. Campaigns can be seen only by admins of the team that runs them."</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
            Shown::Failed(message) => view! {
                <p role="status">{message}</p>
                <p>"Refresh the page to try again."</p>
            }
            .into_any(),
        }}
    }
}

/// The campaign. Its heading, buttons and batch links stay in place while
/// polls bring new numbers; the rest is redrawn from each answer.
#[component]
fn Campaign(
    latest: Memo<Option<CampaignView>>,
    poll_failed: Memo<bool>,
    errors: RwSignal<Vec<ErrorItem>>,
    asked: RwSignal<u32>,
) -> impl IntoView {
    let batches = Memo::new(move |_| latest.with(|v| v.as_ref().map(|v| v.batches.clone()).unwrap_or_default()));
    let state = Memo::new(move |_| latest.with(|v| v.as_ref().map(|v| v.campaign.state.clone()).unwrap_or_default()));
    // A finished campaign still has work while it holds invitations or its plan has steps to come.
    let more_to_come = Memo::new(move |_| {
        latest.with(|v| {
            v.as_ref().is_some_and(|v| {
                v.campaign.progress.held > 0
                    || v.plan.as_ref().is_some_and(|plan| {
                        plan.steps
                            .iter()
                            .any(|s| s.step > 0 && !matches!(s.state.as_deref(), Some("finished" | "cancelled")))
                    })
            })
        })
    });
    let Some(first) = latest.with_untracked(|v| v.as_ref().map(|v| v.campaign.clone())) else { return ().into_any() };
    let letters = first.channel == "letter";
    let kind = if first.kind == "reminder" { "Reminder campaign" } else { "Campaign" };
    let step_of = latest.with_untracked(|v| v.as_ref().and_then(|v| v.step_of.clone()));
    view! {
        <a class="nhsuk-back-link" href=campaigns_href(&first.team_id)>"Back to the team's campaigns"</a>
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{kind}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            {move || latest.with(|v| v.as_ref().map(|v| v.campaign.name.clone()).unwrap_or_default())}
        </h1>
        {step_of.map(|of| view! {
            <p>"Reminder "{of.step}" of "<a href=campaign_href(&of.campaign_id)>"its campaign's plan"</a>"."</p>
        })}
        {move || poll_failed.get().then(|| view! {
            <p class="nhsuk-body-s" role="status">"Could not check for updates. Refresh the page to see the latest."</p>
        })}
        {move || latest.get().map(|view| view! { <Status view=view/> })}
        <Controls campaign_id=first.id.clone() state=state more_to_come=more_to_come errors=errors asked=asked/>
        {move || latest.with(|v| v.as_ref().and_then(|v| v.plan.clone()).map(|plan| view! { <PlanSteps plan=plan/> }))}
        {move || latest.with(|v| v.as_ref().map(|v| view! { <Failures failures=v.failures.clone()/> }))}
        {letters.then(|| view! { <Batches batches=batches asked=asked/> })}
    }
    .into_any()
}

/// What the campaign is and how far it has got: text only, nothing to
/// focus, so it is redrawn whole from each answer.
#[component]
fn Status(view: CampaignView) -> impl IntoView {
    let CampaignView { campaign, cohort, .. } = view;
    let (state, colour) = state_tag(&campaign.state);
    let who = if cohort.is_empty() { "The whole team".to_owned() } else { cohort.join("\n") };
    let mut facts = vec![
        ("Sent as", channel_words(&campaign.channel).to_owned()),
        ("Who", who),
        ("Started", format!("{} by {}", local_long_date_time(&campaign.created_at), campaign.created_by)),
    ];
    if let Some(finished) = &campaign.finished_at {
        facts.push(("Ended", local_long_date_time(finished)));
    }
    let letters = campaign.channel == "letter";
    view! {
        <p><strong class=format!("nhsuk-tag {colour}")>{state}</strong></p>
        <SummaryList rows=facts/>
        <Progress progress=campaign.progress state=campaign.state letters=letters/>
    }
}
