//! The safeguarding exclusion on the record page: the flag (an NHS.UK
//! warning callout) for staff the API shows it to, and for safeguarding
//! leads the forms that set it and lift it.
//!
//! The page checks what it can with the server's own rules and words (a
//! reason chosen, a note of at most 2,000 characters), and shows the
//! server's answer for everything else.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{ExclusionView, LiftExclusionRequest, SetExclusionRequest};

use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::forms::{self, Button, CharacterCount, ErrorItem, RadioOption, Radios, message_for};
use crate::summary_list::SummaryList;

/// The longest note the server keeps.
const MAX_NOTE_CHARS: usize = 2000;

const REASONS: [RadioOption; 5] = [
    RadioOption {
        value: "safeguarding_concern",
        label: "Safeguarding concern",
        hint: Some("Contact about this record could put the patient or someone else at risk"),
    },
    RadioOption {
        value: "court_order",
        label: "Court order",
        hint: Some("A court has restricted contact with the patient or access to their information"),
    },
    RadioOption {
        value: "clinical_decision",
        label: "Clinical decision",
        hint: Some("A clinician has decided that online access is likely to cause the patient serious harm"),
    },
    RadioOption {
        value: "deceased",
        label: "The patient has died",
        hint: Some("No invitation should ever be sent for this record"),
    },
    RadioOption { value: "other", label: "Another reason", hint: Some("Explain the reason in the note") },
];

/// A reason category's label, or the category itself if this page does not know it.
fn reason_label(reason: &str) -> String {
    REASONS.iter().find(|r| r.value == reason).map_or_else(|| reason.replace('_', " "), |r| r.label.to_owned())
}

/// The note's error, with the server's words, if it has one.
fn note_error(note: &str) -> Option<&'static str> {
    let trimmed = note.trim();
    if trimmed.is_empty() {
        Some("Enter a note explaining the decision")
    } else if trimmed.chars().count() > MAX_NOTE_CHARS {
        Some("The note must be 2,000 characters or fewer")
    } else {
        None
    }
}

/// What is wrong with a set-exclusion form, field by field, in page order.
fn set_errors(reason: &str, note: &str) -> Vec<ErrorItem> {
    let mut errors = Vec::new();
    if !REASONS.iter().any(|r| r.value == reason) {
        errors.push(ErrorItem::field("reason", "Choose a reason for the exclusion"));
    }
    if let Some(message) = note_error(note) {
        errors.push(ErrorItem::field("note", message));
    }
    errors
}

/// The server's refusal as the form's errors; `note_field` is the id of the
/// form's note (the server calls it `note` in both forms).
fn refusal_errors(error: &ApiError, note_field: &str) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(p) if p.status == 422 => {
            let mut items: Vec<ErrorItem> = forms::from_problem(p, &["reason", "note"])
                .into_iter()
                .map(|e| {
                    if e.field.as_deref() == Some("note") {
                        ErrorItem { field: Some(note_field.to_owned()), ..e }
                    } else {
                        e
                    }
                })
                .collect();
            if items.is_empty() {
                items.push(ErrorItem::form(error.message()));
            }
            items
        }
        ApiError::Refused(p) if p.status == 403 => {
            vec![ErrorItem::form("Only a safeguarding lead of one of this record's teams can change its exclusion")]
        }
        _ => vec![ErrorItem::form(error.message())],
    }
}

/// The flag: why the record is excluded, the note, who set it and when.
#[component]
pub fn Flag(flag: ExclusionView) -> impl IntoView {
    let rows = vec![
        ("Reason", reason_label(&flag.reason)),
        ("Note", flag.note),
        ("Set by", format!("{} on {}", flag.set_by_name, local_long_date_time(&flag.set_at))),
    ];
    view! {
        <div class="nhsuk-card nhsuk-card--warning" id="exclusion">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading">
                    <span class="nhsuk-u-visually-hidden">"Important: "</span>
                    "Excluded from invitations"
                </h2>
                <p class="nhsuk-card__description nhsuk-u-margin-bottom-3">
                    "No invitation of any kind will be sent for this record, and sign-ups that would claim it are "
                    "held for review. Data feeds keep updating it. The patient is never shown this flag."
                </p>
                <SummaryList rows=rows class="nhsuk-summary-list--no-border nhsuk-u-margin-bottom-0"/>
            </div>
        </div>
    }
}

/// A safeguarding lead excludes the record: a reason and a note.
#[component]
pub fn SetForm(record_id: String, errors: RwSignal<Vec<ErrorItem>>, changed: Callback<&'static str>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let found = set_errors(&reason.get_untracked(), &note.get_untracked());
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        busy.set(true);
        let request =
            SetExclusionRequest { reason: reason.get_untracked(), note: note.get_untracked().trim().to_owned() };
        let record_id = record_id.clone();
        spawn_local(async move {
            let answer = api::set_exclusion(&record_id, &request).await;
            busy.set(false);
            match answer {
                Ok(()) => changed.run("This record is now excluded from invitations."),
                Err(error) => errors.set(refusal_errors(&error, "note")),
            }
        });
    };
    let reason_error = Signal::derive(move || errors.with(|e| message_for(e, "reason")));
    let note_error = Signal::derive(move || errors.with(|e| message_for(e, "note")));
    view! {
        <h2>"Exclude from invitations"</h2>
        <p>
            "As a safeguarding lead, you can stop every invitation for this record. Sign-ups that would claim it "
            "are held for review, and data feeds keep updating it."
        </p>
        <form on:submit=submit novalidate>
            <Radios
                id="reason"
                legend="Why is this record being excluded?"
                legend_class="nhsuk-fieldset__legend--s"
                options=&REASONS
                value=reason
                error=reason_error
            />
            <CharacterCount
                id="note"
                label="Note"
                hint="Say what was decided, by whom, and when it will be reviewed. Clinicians and safeguarding leads of the record's teams will read it."
                value=note
                error=note_error
                max_chars=MAX_NOTE_CHARS
            />
            <Button busy=busy class="nhsuk-button--warning">"Exclude this record"</Button>
        </form>
    }
}

/// A safeguarding lead lifts the exclusion, saying why.
#[component]
pub fn LiftForm(record_id: String, errors: RwSignal<Vec<ErrorItem>>, changed: Callback<&'static str>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if let Some(message) = note_error(&note.get_untracked()) {
            errors.set(vec![ErrorItem::field("lift-note", message)]);
            return;
        }
        busy.set(true);
        let request = LiftExclusionRequest { note: note.get_untracked().trim().to_owned() };
        let record_id = record_id.clone();
        spawn_local(async move {
            let answer = api::lift_exclusion(&record_id, &request).await;
            busy.set(false);
            match answer {
                Ok(()) => changed.run("The exclusion has been lifted. Invitations can be sent for this record again."),
                // Someone else lifted it meanwhile: show the record as it now is.
                Err(ApiError::Refused(p)) if p.status == 404 => changed.run("The exclusion had already been lifted."),
                Err(error) => errors.set(refusal_errors(&error, "lift-note")),
            }
        });
    };
    let note_error = Signal::derive(move || errors.with(|e| message_for(e, "lift-note")));
    view! {
        <h2>"Lift the exclusion"</h2>
        <p>"Once the exclusion is lifted, invitations can be sent for this record again."</p>
        <form on:submit=submit novalidate>
            <CharacterCount
                id="lift-note"
                label="Why is the exclusion being lifted?"
                hint="The note is kept in the audit log with your name."
                value=note
                error=note_error
                max_chars=MAX_NOTE_CHARS
            />
            <Button busy=busy class="nhsuk-button--secondary">"Lift the exclusion"</Button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_form_names_both_fields_in_page_order() {
        let errors = set_errors("", "  ");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, [Some("reason"), Some("note")]);
        assert!(set_errors("court_order", "Order of 1 November").is_empty());
        assert_eq!(set_errors("because", "x").len(), 1);
    }

    #[test]
    fn the_note_limit_is_the_server_s() {
        assert_eq!(note_error(&"a".repeat(2000)), None);
        assert!(note_error(&"a".repeat(2001)).is_some());
        assert!(note_error(&format!("  {}  ", "a".repeat(2000))).is_none(), "spaces around are trimmed");
    }

    #[test]
    fn reasons_have_labels() {
        assert_eq!(reason_label("court_order"), "Court order");
        assert_eq!(reason_label("new_reason"), "new reason");
    }
}
