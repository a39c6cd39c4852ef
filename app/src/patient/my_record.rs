//! `/record`: the signed-in patient's own record, a timeline of what their
//! clinical teams have shared, newest first, readable on a phone.

use leptos::prelude::*;
use portico_types::api::{EntrySummary, MyRecordResponse};

use super::SERVICE;
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
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match record.get() {
                    None => view! {
                        <h1 tabindex="-1">"Your record"</h1>
                        <p role="status">"Loading your record…"</p>
                    }
                    .into_any(),
                    Some(Ok(mine)) => view! { <Timeline mine=mine/> }.into_any(),
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
                    // No record yet: a request to join a team may be waiting.
                    Some(Err(ApiError::Refused(_))) => view! { <SignUpStatus/> }.into_any(),
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

#[component]
fn Timeline(mine: MyRecordResponse) -> impl IntoView {
    let nhs_number = mine.nhs_number.map(|n| n.formatted());
    let entries = mine.entries;
    view! {
        <h1 tabindex="-1">"Your record"</h1>
        <dl class="nhsuk-summary-list">
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Name"</dt>
                <dd class="nhsuk-summary-list__value">{format!("{} {}", mine.given_name, mine.family_name)}</dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Date of birth"</dt>
                <dd class="nhsuk-summary-list__value">{mine.date_of_birth.long()}</dd>
            </div>
            {nhs_number.map(|n| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">"NHS number"</dt>
                    <dd class="nhsuk-summary-list__value">{n}</dd>
                </div>
            })}
        </dl>
        <h2>"Letters, results and appointments"</h2>
        {if entries.is_empty() {
            view! { <p>"Nothing has been shared with you yet. When your clinical team adds something, it will appear here."</p> }
                .into_any()
        } else {
            view! {
                <ol class="nhsuk-list portico-timeline">
                    {entries.into_iter().map(|entry| view! { <TimelineEntry entry=entry/> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
    }
}

#[component]
fn TimelineEntry(entry: EntrySummary) -> impl IntoView {
    view! {
        <li class="nhsuk-card">
            <div class="nhsuk-card__content">
                <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">
                    <strong class="nhsuk-tag nhsuk-tag--grey">{kind_label(&entry.kind)}</strong>
                    " "
                    <time datetime=entry.occurred_at.clone()>{long_date(&entry.occurred_at)}</time>
                </p>
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{entry.title}</h3>
                {entry.body.map(|body| view! { <p class="nhsuk-card__description">{body}</p> })}
            </div>
        </li>
    }
}
