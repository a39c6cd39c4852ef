//! "Keep access as it is" on the record page's carers panel: a professional
//! keeps a parent's or guardian's access past the child's next age band,
//! until a later day (no later than the 18th birthday: the server checks),
//! with a reason kept in the audit log and shown to staff. The parent is
//! emailed the date, never the reason.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::ExtendCarerLinkRequest;

use super::carers::{MAX_REASON_CHARS, Open};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, CharacterCount, DateInput, DateParts, ErrorItem, message_for};

/// The day as the server takes it (`YYYY-MM-DD`) when the three boxes are
/// numbers, else what was typed (which the server refuses with its words).
fn day_text(day: &str, month: &str, year: &str) -> String {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    match (day.parse::<u8>(), month.parse::<u8>(), year.parse::<u16>()) {
        (Ok(d), Ok(m), Ok(y)) => format!("{y:04}-{m:02}-{d:02}"),
        _ if day.is_empty() && month.is_empty() && year.is_empty() => String::new(),
        _ => format!("{year}-{month}-{day}"),
    }
}

/// What the page can tell before asking the server, in page order.
fn extend_errors(until: &str, reason: &str) -> Vec<ErrorItem> {
    let mut errors = Vec::new();
    if until.is_empty() {
        errors.push(ErrorItem::field("extend-until-day", "Enter the date their access stays as it is until"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        errors.push(ErrorItem::field("extend-reason", "Enter why their access stays as it is"));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.push(ErrorItem::field("extend-reason", "Write 2,000 characters or fewer"));
    }
    errors
}

/// Keeps a parent's access as it is past the next age band, until a later
/// day, with a reason; the page reads the carers again after.
#[component]
pub(super) fn ExtendForm(
    record_id: String,
    link_id: String,
    name: String,
    open: Open,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let until = DateParts::new();
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let day = day_text(&until.day.get_untracked(), &until.month.get_untracked(), &until.year.get_untracked());
        let found = extend_errors(&day, &reason.get_untracked());
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        busy.set(true);
        let request = ExtendCarerLinkRequest { until: day, reason: reason.get_untracked().trim().to_owned() };
        let (record_id, link_id) = (record_id.clone(), link_id.clone());
        spawn_local(async move {
            let answer = api::extend_carer_link(&record_id, &link_id, &request).await;
            busy.set(false);
            match answer {
                Ok(()) => changed.run("Access kept as it is until the date you gave. The parent has been told."),
                Err(ApiError::Refused(p)) if p.status == 404 => changed.run("That access had already ended."),
                Err(ApiError::Refused(p)) if p.status == 422 && !p.errors.is_empty() => {
                    let mut named = Vec::new();
                    for (server, here) in [("until", "extend-until-day"), ("reason", "extend-reason")] {
                        named.extend(
                            forms::from_problem(&p, &[server]).into_iter().map(|e| ErrorItem::field(here, e.message)),
                        );
                    }
                    errors.set(named);
                }
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    let cancel = move |_| {
        errors.set(Vec::new());
        open.close();
    };
    view! {
        <form on:submit=submit novalidate class="nhsuk-u-margin-top-4">
            <DateInput
                id="extend-until"
                heading="Until when does their access stay as it is?"
                hint="A date after the next change, and no later than the child's 18th birthday. For example, 31 3 2027."
                parts=until
                error=error("extend-until-day")
                one_of_several=true
            />
            <CharacterCount
                id="extend-reason"
                label="Why does their access stay as it is?"
                hint="Kept in the audit log with your name, and shown here to staff. The parent is told the date, not the reason."
                value=reason
                error=error("extend-reason")
                max_chars=MAX_REASON_CHARS
                rows=3
            />
            <div class="nhsuk-button-group nhsuk-u-margin-bottom-0">
                <Button busy=busy>
                    "Keep access until then"<span class="nhsuk-u-visually-hidden">{format!(" for {name}")}</span>
                </Button>
                <button type="button" class="nhsuk-button nhsuk-button--secondary" on:click=cancel>"Cancel"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keep_access_form_names_each_empty_field_and_sends_the_day_as_the_server_reads_it() {
        let fields: Vec<_> = extend_errors("", " ").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, [Some("extend-until-day".into()), Some("extend-reason".into())]);
        assert!(extend_errors("2030-06-01", "Exams").is_empty());
        assert_eq!(day_text("1", "6", "2030"), "2030-06-01");
        assert_eq!(day_text(" ", "", ""), "");
        assert_eq!(day_text("x", "6", "2030"), "2030-6-x");
    }
}
