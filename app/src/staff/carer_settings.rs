//! `/staff/organisation/carer-settings`: how a parent's or guardian's access
//! to a child's record changes as the child grows up (at each age the
//! organisation chooses, from 12 to 18: it narrows, a professional reviews
//! it, or it ends; by default it ends at 16), and the age at which the young
//! person is invited to their own record. The organisation's admins change
//! it (linked from their teams page); anyone else reads it. The server
//! checks the bands (ages rising, access only narrowing, the last ending
//! it) and names the age of each problem.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{AgeBand, CarerSettings, Role};

use super::loader::load;
use super::record::carer_words::band_words;
use super::session::sign_in_on_unauthorised;
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::page::show_page;
use crate::summary_list::SummaryList;

pub const CARER_SETTINGS_PATH: &str = "/staff/organisation/carer-settings";

const FIRST_AGE: u8 = 12;
const LAST_AGE: u8 = 18;
/// One question per age, from 12 to 18: its select's id and label.
const AGE_IDS: [&str; 7] = ["at-12", "at-13", "at-14", "at-15", "at-16", "at-17", "at-18"];
const AGE_LABELS: [&str; 7] = ["At 12", "At 13", "At 14", "At 15", "At 16", "At 17", "At 18"];

/// What a band can do, as the server names it, and in the select's words.
const CHANGES: [(&str, &str); 4] = [
    ("", "No change"),
    ("not_private", "Narrows: no private or sensitive entries"),
    ("review", "A professional reviews it"),
    ("end", "It ends"),
];

/// The age as entered, if it is one the server takes.
fn parse_age(text: &str) -> Result<u8, &'static str> {
    match text.trim().parse::<u8>() {
        Ok(age) if (FIRST_AGE..=LAST_AGE).contains(&age) => Ok(age),
        _ if text.trim().is_empty() => Err("Enter the age, from 12 to 18"),
        _ => Err("Enter an age from 12 to 18"),
    }
}

/// The bands the selects describe, youngest first: one per age with a change.
fn bands_of(chosen: &[String]) -> Vec<AgeBand> {
    (FIRST_AGE..=LAST_AGE)
        .zip(chosen)
        .filter(|(_, change)| !change.is_empty())
        .map(|(age, change)| AgeBand { age, access_becomes: change.clone() })
        .collect()
}

/// The id of the select for a field the server named: `bands[i]…` is the
/// i-th band sent; `bands` as a whole is the first age.
fn field_id(field: &str, sent: &[AgeBand]) -> Option<&'static str> {
    if field == "invite_age" {
        return Some("invite_age");
    }
    if field == "bands" {
        return Some(AGE_IDS[0]);
    }
    let index: usize = field.strip_prefix("bands[")?.split(']').next()?.parse().ok()?;
    let age = sent.get(index)?.age;
    AGE_IDS.get(usize::from(age.checked_sub(FIRST_AGE)?)).copied()
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
            "As a child grows up, the access of each parent or guardian a professional added to their record "
            "can narrow (no entries the child marks private or a professional labels sensitive), come up for a "
            "professional's review, and end. Each parent is emailed three months before each change. These "
            "settings apply to every team in your organisation."
        </p>
    }
}

/// For professionals who are not an admin: what the settings are.
#[component]
fn Settings(current: CarerSettings) -> impl IntoView {
    let mut rows: Vec<(&'static str, String)> = current
        .bands
        .iter()
        .filter_map(|b| {
            let label = AGE_LABELS.get(usize::from(b.age.checked_sub(FIRST_AGE)?))?;
            Some((*label, capitalised(&band_words(&b.access_becomes))))
        })
        .collect();
    rows.push(("Young person invited to their own record", format!("At {}", current.invite_age)));
    view! {
        <h1 tabindex="-1">"Parents' access as a child grows up"</h1>
        <Intro/>
        <SummaryList rows=rows/>
        <p>"Only an admin of one of your organisation's teams can change these settings."</p>
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// For the organisation's admins: the form.
#[component]
fn SettingsForm(current: CarerSettings) -> impl IntoView {
    let chosen: [RwSignal<String>; 7] = std::array::from_fn(|i| {
        let age = FIRST_AGE + u8::try_from(i).unwrap_or(0);
        let now = current.bands.iter().find(|b| b.age == age).map(|b| b.access_becomes.clone());
        RwSignal::new(now.unwrap_or_default())
    });
    let invite_age = RwSignal::new(current.invite_age.to_string());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        let invite_age = match parse_age(&invite_age.get_untracked()) {
            Ok(age) => age,
            Err(message) => return errors.set(vec![ErrorItem::field("invite_age", message)]),
        };
        let picked: Vec<String> = chosen.iter().map(|c| c.get_untracked()).collect();
        let body = CarerSettings { bands: bands_of(&picked), invite_age };
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
                Err(ApiError::Refused(p)) if !p.errors.is_empty() => errors.set(
                    p.errors
                        .iter()
                        .map(|e| match field_id(&e.field, &body.bands) {
                            Some(id) => ErrorItem::field(id, e.message.clone()),
                            None => ErrorItem::form(e.message.clone()),
                        })
                        .collect(),
                ),
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
            <div class="nhsuk-form-group">
                <fieldset class="nhsuk-fieldset" aria-describedby="bands-hint">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
                        "What happens to a parent's access at each age?"
                    </legend>
                    <div class="nhsuk-hint" id="bands-hint">
                        "Access can only narrow as the child grows older, and must end at 18 at the latest. "
                        "Links already made move to the new ages."
                    </div>
                    {(0..AGE_IDS.len())
                        .map(|i| view! {
                            <AgeSelect id=AGE_IDS[i] label=AGE_LABELS[i] value=chosen[i] error=error(AGE_IDS[i])/>
                        })
                        .collect_view()}
                </fieldset>
            </div>
            <TextInput
                id="invite_age"
                label="At what age is the young person invited to their own record?"
                hint="From 12 to 18. They are invited by email, or by text message if their record has no email address."
                value=invite_age
                error=error("invite_age")
                class="nhsuk-input--width-2"
                no_spellcheck=true
            />
            <Button busy=busy>"Save the carer settings"</Button>
        </form>
    }
}

/// One age's question: an NHS.UK select.
#[component]
fn AgeSelect(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let group = move || {
        if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }
    };
    let select_class =
        move || if error.with(Option::is_some) { "nhsuk-select nhsuk-select--error" } else { "nhsuk-select" };
    view! {
        <div class=group>
            <label class="nhsuk-label" for=id>{label}</label>
            {move || error.get().map(|message| view! {
                <span class="nhsuk-error-message" id=format!("{id}-error")>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>{message}
                </span>
            })}
            <select
                class=select_class
                id=id
                name=id
                aria-describedby=move || error.with(Option::is_some).then(|| format!("{id}-error"))
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {CHANGES
                    .iter()
                    .map(|(option, words)| view! {
                        <option value=*option selected=move || value.get() == *option>{*words}</option>
                    })
                    .collect_view()}
            </select>
        </div>
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
    }

    #[test]
    fn the_selects_make_the_bands_and_the_server_s_fields_find_their_select() {
        let mut picked = vec![String::new(); 7];
        picked[1] = "not_private".into();
        picked[4] = "review".into();
        picked[6] = "end".into();
        let bands = bands_of(&picked);
        let ages: Vec<u8> = bands.iter().map(|b| b.age).collect();
        assert_eq!(ages, [13, 16, 18]);
        assert_eq!(field_id("bands[1].access_becomes", &bands), Some("at-16"));
        assert_eq!(field_id("bands[2].age", &bands), Some("at-18"));
        assert_eq!(field_id("bands", &bands), Some("at-12"));
        assert_eq!(field_id("invite_age", &bands), Some("invite_age"));
        assert_eq!(field_id("bands[9].age", &bands), None);
        assert_eq!(capitalised(&band_words("end")), "Their access ends");
    }
}
