//! `/record`: the signed-in patient's own record, a timeline of what their
//! clinical teams have shared, newest first, readable on a phone. A carer
//! also sees here the records they may open (see `opened_record` for one
//! opened as a carer), and a carer with no record of their own lands on
//! that list.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{EntrySummary, MyRecordResponse, MyRecordsResponse};

use super::SERVICE;
use super::record_switcher::{RecordSwitcher, RecordsToOpen};
use super::router::Link;
use super::sign_up_status::SignUpStatus;
use crate::api::{self, ApiError};
use crate::dates::long_date;
use crate::loader::load;
use crate::page::show_page;

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "letter" => "Letter",
        "result" => "Test result",
        "appointment" => "Appointment",
        _ => "Note",
    }
}

#[component]
pub fn MyRecord() -> impl IntoView {
    show_page("Your record", SERVICE);
    let record = load(api::my_record);
    // What else the account may open; a failure here only hides the switcher.
    let records = load(api::my_records);
    let openable = Signal::derive(move || records.get().and_then(Result::ok));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match record.get() {
                    None => view! {
                        <h1 tabindex="-1">"Your record"</h1>
                        <p role="status">"Loading your record…"</p>
                    }
                    .into_any(),
                    Some(Ok(mine)) => view! { <OwnRecord mine=mine openable=openable/> }.into_any(),
                    Some(Err(ApiError::Unauthorised(_))) => view! {
                        <h1 tabindex="-1">"Sign in to see your record"</h1>
                        <p>"You need to be signed in to see your record."</p>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                        <p>
                            "If you have not registered yet, use the invitation your clinical team sent you "
                            "by letter, text message or email."
                        </p>
                    }
                    .into_any(),
                    // No record of their own: a carer sees the records they
                    // may open; otherwise a request to join a team may be waiting.
                    Some(Err(ApiError::Refused(_))) => view! { <NoOwnRecord records=records/> }.into_any(),
                    Some(Err(error)) => view! {
                        <h1 tabindex="-1">"Your record"</h1>
                        <p role="status">{error.message()}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// A signed-in account without a record: a carer's list, or the sign-up's state.
#[component]
fn NoOwnRecord(records: ReadSignal<Option<Result<MyRecordsResponse, ApiError>>>) -> impl IntoView {
    move || match records.get() {
        None => view! { <p role="status">"Loading…"</p> }.into_any(),
        Some(Ok(list)) if !list.records.is_empty() => {
            show_page("Records you can see", SERVICE);
            view! {
                <h1 tabindex="-1">"Records you can see"</h1>
                <p>"You can see these records as a carer. Choose whose record to open."</p>
                <RecordsToOpen records=list.records current=None/>
            }
            .into_any()
        }
        Some(_) => view! { <SignUpStatus/> }.into_any(),
    }
}

#[component]
fn OwnRecord(mine: MyRecordResponse, openable: Signal<Option<MyRecordsResponse>>) -> impl IntoView {
    let nhs_number = mine.nhs_number.map(|n| n.formatted());
    // Marks that make entries private matter only to a patient with carers.
    let has_carers = mine.has_carers;
    view! {
        <h1 tabindex="-1">"Your record"</h1>
        <RecordSwitcher openable=openable current=None/>
        <RecordDetails
            name=format!("{} {}", mine.given_name, mine.family_name)
            born=mine.date_of_birth.long()
            nhs_number=nhs_number
        />
        <p><Link href="/carers">"Carers who can see your record"</Link></p>
        <h2>"Letters, results and appointments"</h2>
        <Timeline entries=mine.entries can_mark=has_carers/>
    }
}

/// Whose record it is: name, date of birth and NHS number.
#[component]
pub fn RecordDetails(name: String, born: String, nhs_number: Option<String>) -> impl IntoView {
    view! {
        <dl class="nhsuk-summary-list">
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Name"</dt>
                <dd class="nhsuk-summary-list__value">{name}</dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Date of birth"</dt>
                <dd class="nhsuk-summary-list__value">{born}</dd>
            </div>
            {nhs_number.map(|n| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">"NHS number"</dt>
                    <dd class="nhsuk-summary-list__value">{n}</dd>
                </div>
            })}
        </dl>
    }
}

/// The entries, newest first. `can_mark`: the owner may make each private.
#[component]
pub fn Timeline(entries: Vec<EntrySummary>, #[prop(into)] can_mark: Signal<bool>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p>"Nothing has been shared yet. When a clinical team adds something, it will appear here."</p> }
            .into_any();
    }
    view! {
        {move || can_mark.get().then(|| view! {
            <p class="nhsuk-body-s">
                "You can make an entry private. Carers who see everything except private entries will not see it."
            </p>
        })}
        <ol class="nhsuk-list portico-timeline">
            {entries.into_iter().map(|entry| view! { <TimelineEntry entry=entry can_mark=can_mark/> }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn TimelineEntry(entry: EntrySummary, can_mark: Signal<bool>) -> impl IntoView {
    let private = RwSignal::new(entry.private_to_patient);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let id = entry.id.clone();
    let title = entry.title.clone();
    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        let (id, wanted) = (id.clone(), !private.get_untracked());
        busy.set(true);
        spawn_local(async move {
            let answer = api::mark_entry_private(&id, wanted).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    failed.set(None);
                    private.set(wanted);
                }
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    view! {
        <li class="nhsuk-card">
            <div class="nhsuk-card__content">
                <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">
                    <strong class="nhsuk-tag nhsuk-tag--grey">{kind_label(&entry.kind)}</strong>
                    " "
                    {move || private.get().then(|| view! { <strong class="nhsuk-tag nhsuk-tag--purple">"Private"</strong>" " })}
                    <time datetime=entry.occurred_at.clone()>{long_date(&entry.occurred_at)}</time>
                </p>
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{entry.title}</h3>
                {entry.body.map(|body| view! { <p class="nhsuk-card__description">{body}</p> })}
                {move || can_mark.get().then(|| {
                    let title = title.clone();
                    view! {
                        {move || failed.get().map(|message| view! {
                            <p class="nhsuk-error-message" role="alert">{message}</p>
                        })}
                        <button
                            type="button"
                            class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0 nhsuk-u-margin-top-3"
                            aria-disabled=move || busy.get().then_some("true")
                            on:click=toggle.clone()
                        >
                            {move || if private.get() { "Let all carers see this" } else { "Make private" }}
                            <span class="nhsuk-u-visually-hidden">{format!(": {title}")}</span>
                        </button>
                    }
                })}
            </div>
        </li>
    }
}
