//! `/staff/organisation/carer-settings`: when a child's parent and guardian
//! links come up (an age from 12 to 18; 16 unless changed), and whether they
//! end then or stay until a professional reviews them. The organisation's
//! admins change it (linked from their teams page); anyone else reads it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{CarerSettings, Role};

use super::loader::load;
use super::session::sign_in_on_unauthorised;
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, RadioOption, Radios, TextInput, message_for};
use crate::page::show_page;
use crate::summary_list::SummaryList;

pub const CARER_SETTINGS_PATH: &str = "/staff/organisation/carer-settings";

const AGES: std::ops::RangeInclusive<u8> = 12..=18;
const FIELDS: [&str; 2] = ["review_age", "at_review"];

const AT_REVIEW: [RadioOption; 2] = [
    RadioOption {
        value: "end",
        label: "Their access ends",
        hint: Some("The young person is invited to their own record, and decides who else sees it"),
    },
    RadioOption {
        value: "review",
        label: "Their access stays until a professional reviews it",
        hint: Some("The record page shows each link as due for review"),
    },
];

/// The age as entered, if it is one the server takes.
fn parse_age(text: &str) -> Result<u8, &'static str> {
    match text.trim().parse::<u8>() {
        Ok(age) if AGES.contains(&age) => Ok(age),
        _ if text.trim().is_empty() => Err("Enter the age, from 12 to 18"),
        _ => Err("Enter an age from 12 to 18"),
    }
}

fn at_review_words(at_review: &str) -> &'static str {
    AT_REVIEW.iter().find(|o| o.value == at_review).map_or("Not known", |o| o.label)
}

#[component]
pub fn CarerSettingsPage() -> impl IntoView {
    show_page("Carer settings", SERVICE);
    let found = load(|| async {
        let settings = api::carer_settings().await?;
        let teams = api::staff_teams().await?;
        Ok::<_, ApiError>((settings, teams.teams.iter().any(|t| t.roles.contains(&Role::Admin))))
    });
    sign_in_on_unauthorised(found);
    view! {
        <a class="nhsuk-back-link" href=HOME_PATH>"Back to your teams"</a>
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match found.get() {
                    None => view! {
                        <h1 tabindex="-1">"Parents' access as a child grows up"</h1>
                        <p role="status">"Loading…"</p>
                    }
                    .into_any(),
                    Some(Ok((settings, true))) => view! { <SettingsForm current=settings/> }.into_any(),
                    Some(Ok((settings, false))) => view! { <Settings current=settings/> }.into_any(),
                    Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
                    Some(Err(error)) => view! {
                        <h1 tabindex="-1">"Parents' access as a child grows up"</h1>
                        <p>{error.message()}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Intro() -> impl IntoView {
    view! {
        <p>
            "When a child reaches this age, the access of each parent or guardian a professional added to their "
            "record ends, or stays until a professional reviews it. These settings apply to every team in your "
            "organisation."
        </p>
    }
}

/// For professionals who are not an admin: what the settings are.
#[component]
fn Settings(current: CarerSettings) -> impl IntoView {
    let rows =
        vec![("Age", current.review_age.to_string()), ("At that age", at_review_words(&current.at_review).to_owned())];
    view! {
        <h1 tabindex="-1">"Parents' access as a child grows up"</h1>
        <Intro/>
        <SummaryList rows=rows/>
        <p>"Only an admin of one of your organisation's teams can change these settings."</p>
    }
}

/// For the organisation's admins: the form.
#[component]
fn SettingsForm(current: CarerSettings) -> impl IntoView {
    let age = RwSignal::new(current.review_age.to_string());
    let at_review = RwSignal::new(current.at_review);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        let review_age = match parse_age(&age.get_untracked()) {
            Ok(age) => age,
            Err(message) => return errors.set(vec![ErrorItem::field("review_age", message)]),
        };
        let body = CarerSettings { review_age, at_review: at_review.get_untracked() };
        busy.set(true);
        spawn_local(async move {
            let answer = api::save_carer_settings(&body).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    errors.set(Vec::new());
                    saved.set(true);
                }
                Err(ApiError::Refused(p)) if p.status == 403 => errors.set(vec![ErrorItem::form(
                    "Only an admin of one of your organisation's teams can change these settings.",
                )]),
                Err(error @ ApiError::Refused(_)) => errors.set(forms::refusal_errors(&error, &FIELDS)),
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    view! {
        <ErrorSummary errors=errors/>
        <div role="status">
            {move || saved.get().then(|| view! {
                <div class="nhsuk-notification-banner nhsuk-notification-banner--success">
                    <div class="nhsuk-notification-banner__header">
                        <p class="nhsuk-notification-banner__title">"Success"</p>
                    </div>
                    <div class="nhsuk-notification-banner__content">
                        <p class="nhsuk-notification-banner__heading">"The carer settings are saved."</p>
                    </div>
                </div>
            })}
        </div>
        <h1 tabindex="-1">"Parents' access as a child grows up"</h1>
        <Intro/>
        <form on:submit=submit novalidate>
            <TextInput
                id="review_age"
                label="At what age does a parent's access come up?"
                hint="From 12 to 18. Links already made move to the new age."
                value=age
                error=error("review_age")
                class="nhsuk-input--width-2"
                no_spellcheck=true
            />
            <Radios
                id="at_review"
                legend="What happens at that age?"
                options=&AT_REVIEW
                value=at_review
                error=error("at_review")
            />
            <Button busy=busy>"Save the carer settings"</Button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_the_server_s() {
        assert_eq!(parse_age(" 16 "), Ok(16));
        assert_eq!(parse_age("12"), Ok(12));
        assert_eq!(parse_age("18"), Ok(18));
        assert!(parse_age("11").is_err() && parse_age("19").is_err() && parse_age("sixteen").is_err());
        assert_eq!(parse_age(""), Err("Enter the age, from 12 to 18"));
        assert_eq!(at_review_words("review"), "Their access stays until a professional reviews it");
    }
}
