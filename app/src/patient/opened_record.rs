//! `/record/<id>`: a record the signed-in account opens as a carer (or as
//! its owner, by id). The heading names whose record it is, and a notice
//! says on what grounds and how much of it the carer sees. The server
//! checks the access on every request: a link ended a moment ago gives
//! "You can no longer see this record".

use leptos::prelude::*;
use portico_types::api::{CarerAccess, OpenedRecordResponse};

use super::SERVICE;
use super::carer_words;
use super::my_record::{RecordDetails, Timeline};
use super::record_switcher::RecordSwitcher;
use super::router::{Link, current_path, opened_record_id};
use crate::api::{self, ApiError};
use crate::dates::long_date;
use crate::loader::load;
use crate::page::show_page;

#[component]
pub fn OpenedRecord() -> impl IntoView {
    show_page("Record", SERVICE);
    let record_id = opened_record_id(&current_path()).unwrap_or_default().to_owned();
    let id = record_id.clone();
    let record = load(move || {
        let id = id.clone();
        async move { api::open_record(&id).await }
    });
    let records = load(api::my_records);
    let openable = Signal::derive(move || records.get().and_then(Result::ok));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match record.get() {
                    None => view! { <h1 tabindex="-1">"Record"</h1><p role="status">"Loading the record…"</p> }
                        .into_any(),
                    Some(Ok(opened)) => {
                        let current = Some(record_id.clone());
                        view! { <Opened opened=opened openable=openable current=current/> }.into_any()
                    }
                    Some(Err(ApiError::Unauthorised(_))) => view! {
                        <h1 tabindex="-1">"Sign in to see this record"</h1>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                    }
                    .into_any(),
                    Some(Err(ApiError::Refused(_))) => {
                        show_page("You cannot see this record", SERVICE);
                        view! {
                            <h1 tabindex="-1">"You cannot see this record"</h1>
                            <p>"Your access to this record has ended, or the address is wrong."</p>
                            <p>"If you think you should still see it, contact the person whose record it is, or their clinical team."</p>
                            <p><Link href="/record">"Go to the records you can see"</Link></p>
                        }
                        .into_any()
                    }
                    Some(Err(error)) => view! {
                        <h1 tabindex="-1">"Record"</h1>
                        <p role="status">{error.message()}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Opened(
    opened: OpenedRecordResponse,
    openable: Signal<Option<portico_types::api::MyRecordsResponse>>,
    current: Option<String>,
) -> impl IntoView {
    let whose = format!("{} {}", opened.given_name, opened.family_name);
    let heading = match opened.carer {
        Some(_) => format!("{whose}'s record"),
        None => "Your record".to_owned(),
    };
    show_page(&heading, SERVICE);
    let nhs_number = opened.nhs_number.map(|n| n.formatted());
    view! {
        <h1 tabindex="-1">{heading}</h1>
        {opened.carer.map(|access| view! { <CarerNotice given=opened.given_name.clone() access=access/> })}
        <RecordSwitcher openable=openable current=current/>
        <RecordDetails name=whose born=opened.date_of_birth.long() nhs_number=nhs_number/>
        <h2>"Letters, results and appointments"</h2>
        <Timeline entries=opened.entries can_mark=false/>
    }
}

/// Whose record a carer is looking at, as whom, and how much they see.
#[component]
fn CarerNotice(given: String, access: CarerAccess) -> impl IntoView {
    let role = carer_words::role(access.kind, access.relationship.as_deref());
    let until = access.ends_at.as_deref().map(|end| format!(" Your access ends on {}.", long_date(end)));
    view! {
        <div class="nhsuk-inset-text">
            <span class="nhsuk-u-visually-hidden">"Information: "</span>
            <p>
                {format!("You are looking at {given}'s record as their {role}. You can see {}.", carer_words::level(access.access_level))}
                {until}
            </p>
            <p class="nhsuk-body-s">"Each time you open it is recorded, and the record's owner can see when."</p>
        </div>
    }
}
