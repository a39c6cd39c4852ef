//! Moving between records: a carer's own record and each they hold as a
//! carer. Shown on every record page of an account that may open more than
//! one, below the heading that says whose record is on screen.

use leptos::prelude::*;
use portico_types::api::{MyRecordsResponse, OpenableRecord};

use super::carer_words;
use super::router::Link;

/// Where a record opens: the own record at `/record`, another at `/record/<id>`.
pub fn path_of(record: &OpenableRecord) -> String {
    if record.own { "/record".to_owned() } else { format!("/record/{}", record.record_id) }
}

/// How a record is named in the list.
fn name_of(record: &OpenableRecord) -> String {
    match &record.carer {
        None => "Your record".to_owned(),
        Some(access) => format!(
            "{} {} (you are their {})",
            record.given_name,
            record.family_name,
            carer_words::role(access.kind, access.relationship.as_deref())
        ),
    }
}

/// "Switch to another record", folded away, when there is another to open.
/// `current`: the record on screen (`None` for the own record).
#[component]
pub fn RecordSwitcher(openable: Signal<Option<MyRecordsResponse>>, current: Option<String>) -> impl IntoView {
    move || {
        let records = openable.get()?.records;
        (records.len() > 1).then(|| {
            let current = current.clone();
            view! {
                <details class="nhsuk-details portico-record-switcher">
                    <summary class="nhsuk-details__summary">
                        <span class="nhsuk-details__summary-text">"Switch to another record"</span>
                    </summary>
                    <div class="nhsuk-details__text">
                        <RecordsToOpen records=records current=current/>
                    </div>
                </details>
            }
        })
    }
}

/// Every record the account may open, as links; the one on screen is marked.
#[component]
pub fn RecordsToOpen(records: Vec<OpenableRecord>, current: Option<String>) -> impl IntoView {
    view! {
        <nav aria-label="Records you can see">
            <ul class="nhsuk-list">
                {records
                    .into_iter()
                    .map(|record| {
                        let here = match &current {
                            None => record.own,
                            Some(id) => *id == record.record_id,
                        };
                        view! {
                            <li>
                                <Link href=path_of(&record) current=here.then_some("page")>{name_of(&record)}</Link>
                                {here.then_some(" (on screen)")}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
