//! The team's join page settings, on the sign-ups page for the team's
//! admins: open or closed, the message patients read, and how sign-ups are
//! admitted. Others see nothing of it (the server answers them 403).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::JoinPageSettings;

use crate::api::{self, ApiError};
use crate::forms::{self, Button, CharacterCount, ErrorItem, ErrorSummary, RadioOption, Radios, message_for};
use crate::loader::load;

/// The longest message the server keeps.
const MAX_MESSAGE_CHARS: usize = 600;
const FIELDS: [&str; 3] = ["enabled", "message", "admission"];

const OPEN: [RadioOption; 2] = [
    RadioOption { value: "open", label: "Open", hint: Some("Anyone with the address can ask to join the team") },
    RadioOption { value: "closed", label: "Closed", hint: Some("The address says the page is not found") },
];

const ADMISSION: [RadioOption; 2] = [
    RadioOption { value: "review_all", label: "The team checks every sign-up", hint: None },
    RadioOption {
        value: "admit_proven",
        label: "Admit sign-ups whose identity NHS login has proven",
        hint: Some(
            "Only at NHS login's highest level (P9), and never over a safeguarding exclusion. Others wait here.",
        ),
    },
];

/// Shown when the signed-in professional is the team's admin.
#[component]
pub fn JoinPageSettingsSection(team_id: String, slug: String) -> impl IntoView {
    let settings = {
        let team_id = team_id.clone();
        load(move || {
            let team_id = team_id.clone();
            async move { api::join_page_settings(&team_id).await }
        })
    };
    move || match settings.get() {
        Some(Ok(current)) => {
            view! { <SettingsForm team_id=team_id.clone() slug=slug.clone() current=current/> }.into_any()
        }
        _ => ().into_any(),
    }
}

#[component]
fn SettingsForm(team_id: String, slug: String, current: JoinPageSettings) -> impl IntoView {
    let open = RwSignal::new(if current.enabled { "open" } else { "closed" }.to_owned());
    let message = RwSignal::new(current.message);
    let admission = RwSignal::new(current.admission);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        if message.with_untracked(|m| m.trim().chars().count()) > MAX_MESSAGE_CHARS {
            return errors.set(vec![ErrorItem::field("message", "Message must be 600 characters or fewer")]);
        }
        let body = JoinPageSettings {
            enabled: open.get_untracked() == "open",
            message: message.get_untracked(),
            admission: admission.get_untracked(),
        };
        busy.set(true);
        let team_id = team_id.clone();
        spawn_local(async move {
            let answer = api::save_join_page_settings(&team_id, &body).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    errors.set(Vec::new());
                    saved.set(true);
                }
                Err(error @ ApiError::Refused(_)) => errors.set(forms::refusal_errors(&error, &FIELDS)),
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    view! {
        <h2>"Join page"</h2>
        <p>"Patients the team has not invited can ask to join at " <strong>{format!("/join/{slug}")}</strong> "."</p>
        <ErrorSummary errors=errors/>
        {move || saved.get().then(|| view! {
            <div class="nhsuk-inset-text" role="status">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"The join page settings are saved."</p>
            </div>
        })}
        <form on:submit=submit novalidate>
            <Radios id="enabled" legend="Is the join page open?" options=&OPEN value=open error=error("enabled") legend_class="nhsuk-fieldset__legend--s"/>
            <CharacterCount
                id="message"
                label="Message on the join page"
                hint="Who the page is for and how long the team takes to check a request. Plain text."
                value=message
                error=error("message")
                max_chars=MAX_MESSAGE_CHARS
                rows=4
            />
            <Radios id="admission" legend="Who joins without waiting?" options=&ADMISSION value=admission error=error("admission") legend_class="nhsuk-fieldset__legend--s"/>
            <Button busy=busy class="nhsuk-button--secondary">"Save the join page settings"</Button>
        </form>
    }
}
