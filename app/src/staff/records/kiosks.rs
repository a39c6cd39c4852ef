//! The team page's section for its admins and receptionists: the team's
//! kiosks, each with a way to switch it off, and the form that makes the
//! device in hand a kiosk.
//!
//! Setting a device up ends the staff session on it (the server clears the
//! cookie), so the page then loads `/kiosk` afresh: nothing of the staff
//! console stays in the memory of a device that patients will touch.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::KioskSummary;

use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::forms::{self, Button, ErrorItem, TextInput};
use crate::loader::load;

const HEADING_ID: &str = "kiosks";
const NAME_FIELD: &str = "kiosk-name";
const HEADINGS: [&str; 4] = ["Kiosk", "Set up", "Last used", "Status"];

/// The section, for a team the signed-in professional may manage kiosks of.
/// Failed requests go to the page's `errors`.
#[component]
pub fn Kiosks(team_id: String, errors: RwSignal<Vec<ErrorItem>>) -> impl IntoView {
    // Bumped after a kiosk is switched off, to read the list again.
    let changes = RwSignal::new(0u32);
    let list = {
        let team_id = team_id.clone();
        load(move || {
            changes.track();
            let team_id = team_id.clone();
            async move { api::team_kiosks(&team_id).await }
        })
    };
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let name_error = Signal::derive(move || errors.with(|e| forms::message_for(e, NAME_FIELD)));

    let set_up = {
        let team_id = team_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let typed = name.get_untracked();
            if typed.trim().is_empty() {
                errors.set(vec![ErrorItem::field(NAME_FIELD, "Enter a name for this kiosk, such as where it stands")]);
                return;
            }
            busy.set(true);
            let team_id = team_id.clone();
            spawn_local(async move {
                match api::set_up_kiosk(&team_id, &typed).await {
                    // A page load, not a move within the app: see the module's comment.
                    Ok(_) => {
                        let _ = window().location().set_href("/kiosk");
                    }
                    Err(error) => {
                        busy.set(false);
                        errors.set(refusal(&error));
                    }
                }
            });
        }
    };
    let revoke = Callback::new(move |kiosk_id: String| {
        let team_id = team_id.clone();
        spawn_local(async move {
            match api::revoke_kiosk(&team_id, &kiosk_id).await {
                Ok(()) => errors.set(Vec::new()),
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
            changes.update(|n| *n += 1);
        });
    });

    view! {
        <section aria-labelledby=HEADING_ID>
            <h2 id=HEADING_ID>"Kiosks"</h2>
            <p>
                "A kiosk is a tablet in the waiting room where patients checking in for an appointment can "
                "get their invitation to register, by text message, by email or as a code to scan. It never "
                "shows anything from their record."
            </p>
            {move || list.with(|l| match l {
                Some(Ok(answer)) if !answer.kiosks.is_empty() => {
                    view! { <KiosksTable kiosks=answer.kiosks.clone() revoke=revoke/> }.into_any()
                }
                Some(Ok(_)) => view! { <p>"This team has no kiosks yet."</p> }.into_any(),
                _ => ().into_any(),
            })}
            <form on:submit=set_up novalidate>
                <h3>"Set up this device as a kiosk"</h3>
                <p>"You will be signed out on this device, and it will show the check-in page until the kiosk is switched off here."</p>
                <TextInput
                    id=NAME_FIELD
                    label="Name of this kiosk"
                    hint="Where it stands, so your team can tell kiosks apart. For example, Waiting room, level 2"
                    value=name
                    error=name_error
                    class="nhsuk-u-width-two-thirds"
                />
                <Button busy=busy class="nhsuk-button--secondary">"Set up this device as a kiosk"</Button>
            </form>
        </section>
    }
}

/// A refusal of the set-up, on the name field where the server named it.
fn refusal(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(problem) if !problem.errors.is_empty() => {
            problem.errors.iter().map(|e| ErrorItem::field(NAME_FIELD, e.message.clone())).collect()
        }
        other => vec![ErrorItem::form(other.message())],
    }
}

/// An NHS.UK responsive table of the kiosks, each live one with its button.
#[component]
fn KiosksTable(kiosks: Vec<KioskSummary>, revoke: Callback<String>) -> impl IntoView {
    view! {
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"This team's kiosks"</caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {HEADINGS.iter().map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {kiosks.into_iter().map(|kiosk| view! { <Row kiosk=kiosk revoke=revoke/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(kiosk: KioskSummary, revoke: Callback<String>) -> impl IntoView {
    let KioskSummary { id, name, created_by, created_at, last_seen_at, revoked_at } = kiosk;
    let [name_h, set_up_h, seen_h, status_h] = HEADINGS;
    let set_up = format!("{} by {created_by}", local_long_date_time(&created_at));
    let seen = last_seen_at.as_deref().map_or_else(|| "Not yet".to_owned(), local_long_date_time);
    let status = match revoked_at {
        Some(at) => view! {
            <strong class="nhsuk-tag nhsuk-tag--grey">"Switched off"</strong>
            <span class="nhsuk-body-s">" on "{local_long_date_time(&at)}</span>
        }
        .into_any(),
        None => {
            let switch_off = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                revoke.run(id.clone());
            };
            view! {
                <form class="portico-inline-form" on:submit=switch_off novalidate>
                    <button class="nhsuk-button nhsuk-button--warning nhsuk-button--small" type="submit">
                        "Revoke"<span class="nhsuk-u-visually-hidden">" "{name.clone()}</span>
                    </button>
                </form>
            }
            .into_any()
        }
    };
    view! {
        <tr class="nhsuk-table__row" role="row">
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{name_h}" "</span>
                <span class="portico-prose">{name}</span>
            </td>
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{set_up_h}" "</span>
                {set_up}
            </td>
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{seen_h}" "</span>
                {seen}
            </td>
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{status_h}" "</span>
                {status}
            </td>
        </tr>
    }
}
