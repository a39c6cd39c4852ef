//! On an excluded record, a safeguarding lead sends the carer the patient
//! chose the invitation the exclusion stops the patient sending themselves,
//! with the reason for overriding it (audited). Shown to safeguarding leads
//! only; the server refuses anyone else.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::EmailAddress;
use portico_types::api::OverrideCarerInvitationRequest;

use super::carer_words::ACCESS_LEVELS;
use crate::api::{self, ApiError};
use crate::forms::{self, Button, CharacterCount, DateInput, DateParts, ErrorItem, Radios, TextInput, message_for};

const MAX_REASON_CHARS: usize = 2000;

/// The server's field names, and the ids of this form's fields (unique on the record page).
const FIELDS: [(&str, &str); 4] = [
    ("email", "override-email"),
    ("access_level", "override-access"),
    ("ends_on", "override-ends-day"),
    ("reason", "override-reason"),
];

/// The end date as the server takes it: empty for none, `YYYY-MM-DD` when
/// the three boxes are numbers, or what was typed (which the server refuses
/// with its own words).
fn end_day(day: &str, month: &str, year: &str) -> String {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return String::new();
    }
    match (day.parse::<u8>(), month.parse::<u8>(), year.parse::<u16>()) {
        (Ok(d), Ok(m), Ok(y)) => format!("{y:04}-{m:02}-{d:02}"),
        _ => format!("{year}-{month}-{day}"),
    }
}

/// What the page can tell before asking the server, in page order.
fn form_errors(email: &str, level: &str, reason: &str) -> Vec<ErrorItem> {
    let mut errors = Vec::new();
    if let Err(e) = EmailAddress::parse(email) {
        errors.push(ErrorItem::field("override-email", e.to_string()));
    }
    if level.is_empty() {
        errors.push(ErrorItem::field("override-access", "Choose what the carer can see"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        errors.push(ErrorItem::field("override-reason", "Enter why the exclusion is overridden"));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.push(ErrorItem::field("override-reason", "Write 2,000 characters or fewer"));
    }
    errors
}

/// The server's refusal on this form's fields, or on the whole form.
fn refusal(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(problem) => {
            let named: Vec<ErrorItem> = FIELDS
                .iter()
                .flat_map(|(server, here)| {
                    forms::from_problem(problem, &[server]).into_iter().map(|e| ErrorItem::field(here, e.message))
                })
                .collect();
            if named.is_empty() { vec![ErrorItem::field("override-email", error.message())] } else { named }
        }
        other => vec![ErrorItem::form(other.message())],
    }
}

#[component]
pub fn OverrideForm(
    record_id: String,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let ends = DateParts::new();
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let found = form_errors(&email.get_untracked(), &level.get_untracked(), &reason.get_untracked());
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        busy.set(true);
        let request = OverrideCarerInvitationRequest {
            email: email.get_untracked().trim().to_owned(),
            access_level: level.get_untracked(),
            ends_on: end_day(&ends.day.get_untracked(), &ends.month.get_untracked(), &ends.year.get_untracked()),
            reason: reason.get_untracked().trim().to_owned(),
        };
        let record_id = record_id.clone();
        spawn_local(async move {
            let answer = api::override_carer_invitation(&record_id, &request).await;
            busy.set(false);
            match answer {
                Ok(_) => changed.run("Invitation sent to the patient's carer, overriding the exclusion."),
                Err(error) => errors.set(refusal(&error)),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    view! {
        <h3>"Invite the patient's carer, overriding the exclusion"</h3>
        <p>
            "The exclusion stops the patient inviting a carer themselves. As a safeguarding lead, you can send "
            "the invitation for them. Your reason is kept in the audit log with your name."
        </p>
        <form on:submit=submit novalidate>
            <TextInput
                id="override-email"
                label="Carer's email address"
                value=email
                error=error("override-email")
                input_type="email"
                autocomplete="off"
                no_spellcheck=true
            />
            <Radios
                id="override-access"
                legend="What can the carer see?"
                legend_class="nhsuk-fieldset__legend--s"
                options=&ACCESS_LEVELS
                value=level
                error=error("override-access")
            />
            <DateInput
                id="override-ends"
                heading="When does their access end? (optional)"
                hint="For example, 31 3 2027. Leave it empty for no end date."
                parts=ends
                error=error("override-ends-day")
                one_of_several=true
            />
            <CharacterCount
                id="override-reason"
                label="Why is the exclusion being overridden?"
                value=reason
                error=error("override-reason")
                max_chars=MAX_REASON_CHARS
                rows=3
            />
            <Button busy=busy class="nhsuk-button--secondary">"Send the invitation"</Button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_day_is_sent_as_the_server_reads_it() {
        assert_eq!(end_day("", " ", ""), "");
        assert_eq!(end_day("3", "9", "2027"), "2027-09-03");
        assert_eq!(end_day("x", "9", "2027"), "2027-9-x");
    }

    #[test]
    fn an_empty_form_names_each_field_in_page_order() {
        let fields: Vec<_> = form_errors("", "", " ").into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [Some("override-email".into()), Some("override-access".into()), Some("override-reason".into())]
        );
        assert!(form_errors("carer@example.org", "everything", "Agreed at the strategy meeting").is_empty());
    }
}
