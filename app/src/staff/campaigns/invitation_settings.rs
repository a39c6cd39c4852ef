//! `/staff/teams/:team_id/invitation-settings`, for the team's admins:
//! whether the team's campaigns hold an invitation until the patient's
//! record has something in it. A campaign may still choose otherwise; the
//! new-campaign form starts with this choice.

use leptos::prelude::*;
use portico_types::api::{InvitationSettings, TeamSummary};

use super::{AdminTeamPage, campaigns_href, encode};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, RadioOption, Radios, message_for};
use crate::loader::load;
use crate::page::show_page;
use crate::staff::session::sign_in_on_unauthorised;
use crate::staff::{HOME_PATH, SERVICE};

const FIELD: &str = "hold_until_entries";

const CHOICES: [RadioOption; 2] = [
    RadioOption {
        value: "hold",
        label: "Yes, wait until the record has something in it",
        hint: Some(
            "The invitation goes out by itself when the first letter, result or appointment arrives. \
             Invitations given at the desk or the kiosk are never held: the patient is there.",
        ),
    },
    RadioOption { value: "invite", label: "No, invite patients whatever their record holds", hint: None },
];

/// The team's invitation settings page.
pub fn invitation_settings_href(team_id: &str) -> String {
    format!("{HOME_PATH}/teams/{}/invitation-settings", encode(team_id))
}

#[component]
pub fn InvitationSettingsPage() -> impl IntoView {
    show_page("Invitation settings", SERVICE);
    view! {
        <AdminTeamPage doing="change its invitation settings" page=|team| view! { <Settings team=team/> }.into_any()/>
    }
}

#[component]
fn Settings(team: TeamSummary) -> impl IntoView {
    let team_id = team.id.clone();
    let current = load(move || {
        let team_id = team_id.clone();
        async move { api::invitation_settings(&team_id).await }
    });
    sign_in_on_unauthorised(current);
    let team_id = StoredValue::new(team.id.clone());
    view! {
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{team.name}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            "Invitation settings"
        </h1>
        {move || match current.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Ok(settings)) => view! { <SettingsForm team_id=team_id.get_value() current=settings/> }.into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
        }}
        <p><a href=campaigns_href(&team.id)>"Back to the team's campaigns"</a></p>
    }
}

#[component]
fn SettingsForm(team_id: String, current: InvitationSettings) -> impl IntoView {
    let choice = RwSignal::new(if current.hold_until_entries { "hold" } else { "invite" }.to_owned());
    // One save at a time: its answer is what the page says.
    let save = Action::new_local(move |body: &InvitationSettings| {
        let (team_id, body) = (team_id.clone(), body.clone());
        async move { api::save_invitation_settings(&team_id, &body).await }
    });
    let answer = save.value();
    let errors = Signal::derive(move || match answer.get() {
        Some(Err(error @ ApiError::Refused(_))) => forms::refusal_errors(&error, &[FIELD]),
        Some(Err(error)) => vec![ErrorItem::form(error.message())],
        _ => Vec::new(),
    });
    let saved = move || matches!(answer.get(), Some(Ok(_))) && !save.pending().get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !save.pending().get_untracked() {
            answer.set(None);
            save.dispatch(InvitationSettings { hold_until_entries: choice.get_untracked() == "hold" });
        }
    };
    let error = Signal::derive(move || errors.with(|e| message_for(e, FIELD)));
    view! {
        <ErrorSummary errors=errors/>
        {move || saved().then(|| view! {
            <div class="nhsuk-inset-text" role="status">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"The invitation settings are saved. New campaigns start with this choice."</p>
            </div>
        })}
        <p>
            "Patients expect to see their information when they sign up. "
            "A campaign can hold the invitation of a patient whose record has nothing in it yet."
        </p>
        <form on:submit=on_submit novalidate>
            <Radios
                id=FIELD
                legend="Hold campaign invitations until the record has something to see?"
                options=&CHOICES
                value=choice
                error=error
            />
            <Button busy=save.pending()>"Save the invitation settings"</Button>
        </form>
    }
}
