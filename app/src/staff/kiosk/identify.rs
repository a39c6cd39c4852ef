//! Checking in: the date of birth, then one of the surname, the NHS number
//! or the reference on the appointment letter.
//!
//! The forms say `autocomplete="off"`: a shared screen must not offer one
//! patient what the last one typed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::DateOfBirth;
use portico_types::api::{KioskCheckInRequest, KioskCheckInResponse};
use portico_types::problem::Problem;

use super::{SERVICE, Step};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, DateInput, DateParts, ErrorItem, ErrorSummary, TextInput};
use crate::page::show_page;

#[component]
pub fn DateOfBirthStep(step: RwSignal<Step>) -> impl IntoView {
    show_page("What is your date of birth?", SERVICE);
    let parts = DateParts::new();
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Without a clock reading, the server still refuses a date in the future.
        let today = crate::dates::today().unwrap_or(time::Date::MAX);
        let date = DateOfBirth::from_parts(
            &parts.day.get_untracked(),
            &parts.month.get_untracked(),
            &parts.year.get_untracked(),
            today,
        );
        match date {
            Ok(date) => step.set(Step::Identify(date)),
            Err(e) => errors.set(vec![ErrorItem::field("dob-day", e.to_string())]),
        }
    };
    let dob_error = Signal::derive(move || errors.with(|e| forms::message_for(e, "dob-day")));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <form on:submit=submit autocomplete="off" novalidate>
                    <DateInput
                        id="dob"
                        heading="What is your date of birth?"
                        hint="For example, 15 3 1984"
                        parts=parts
                        error=dob_error
                    />
                    <Button>"Continue"</Button>
                </form>
            </div>
        </div>
    }
}

/// The three ways to say who you are, besides the date of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    FamilyName,
    NhsNumber,
    LetterReference,
}

impl By {
    const ALL: [By; 3] = [By::FamilyName, By::NhsNumber, By::LetterReference];

    /// The field's id, as the error summary links to it.
    fn field(self) -> &'static str {
        match self {
            By::FamilyName => "family-name",
            By::NhsNumber => "nhs-number",
            By::LetterReference => "letter-reference",
        }
    }

    /// The same field as the server names it.
    fn server_field(self) -> &'static str {
        match self {
            By::FamilyName => "family_name",
            By::NhsNumber => "nhs_number",
            By::LetterReference => "letter_reference",
        }
    }

    fn label(self) -> &'static str {
        match self {
            By::FamilyName => "Your surname",
            By::NhsNumber => "Your NHS number",
            By::LetterReference => "The reference on your appointment letter",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            By::FamilyName => "Your family name, as your clinic has it",
            By::NhsNumber => "10 digits, for example 485 777 3456",
            By::LetterReference => "It is printed on the letter about your appointment",
        }
    }

    /// The button that switches to this way.
    fn switch(self) -> &'static str {
        match self {
            By::FamilyName => "Use your surname instead",
            By::NhsNumber => "Use your NHS number instead",
            By::LetterReference => "Use your appointment letter instead",
        }
    }

    fn empty(self) -> &'static str {
        match self {
            By::FamilyName => "Enter your surname",
            By::NhsNumber => "Enter your NHS number",
            By::LetterReference => "Enter the reference from your appointment letter",
        }
    }

    fn request(self, date_of_birth: &DateOfBirth, value: String) -> KioskCheckInRequest {
        let mut request = KioskCheckInRequest { date_of_birth: date_of_birth.iso(), ..Default::default() };
        match self {
            By::FamilyName => request.family_name = Some(value),
            By::NhsNumber => request.nhs_number = Some(value),
            By::LetterReference => request.letter_reference = Some(value),
        }
        request
    }
}

#[component]
pub fn IdentifyStep(step: RwSignal<Step>, date_of_birth: DateOfBirth) -> impl IntoView {
    show_page("Confirm who you are", SERVICE);
    let by = RwSignal::new(By::FamilyName);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let submit = move |(value, by): (String, By)| {
        if busy.get_untracked() {
            return;
        }
        if value.trim().is_empty() {
            return errors.set(vec![ErrorItem::field(by.field(), by.empty())]);
        }
        busy.set(true);
        let request = by.request(&date_of_birth, value);
        spawn_local(async move {
            let answer = api::kiosk_check_in(&request).await;
            busy.set(false);
            match answer {
                Ok(KioskCheckInResponse::Invitable { token, options, .. }) => step.set(Step::Choose { token, options }),
                Ok(KioskCheckInResponse::AlreadyRegistered) => step.set(Step::AlreadyRegistered),
                Ok(KioskCheckInResponse::NotFound) => step.set(Step::NotFound),
                Err(ApiError::Refused(problem)) if problem.kind == "check-in-locked" => step.set(Step::AskAtReception),
                Err(error) => match Step::closed_by(&error) {
                    Some(closed) => step.set(closed),
                    None => errors.set(refusal(&error, by)),
                },
            }
        });
    };
    let switch_to = move |other: By| {
        by.set(other);
        errors.set(Vec::new());
        request_animation_frame(move || crate::page::focus_selector(&format!("#{}", other.field())));
    };
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <h1 tabindex="-1">"Confirm who you are"</h1>
                // One field at a time; switching ways clears what was typed.
                {move || {
                    let current = by.get();
                    view! { <IdentityField by=current errors=errors busy=busy submit=submit/> }
                }}
                <div class="portico-kiosk__alternatives">
                    {move || {
                        By::ALL
                            .into_iter()
                            .filter(|other| *other != by.get())
                            .map(|other| view! {
                                <button
                                    class="nhsuk-button nhsuk-button--secondary"
                                    type="button"
                                    on:click=move |_| switch_to(other)
                                >
                                    {other.switch()}
                                </button>
                            })
                            .collect_view()
                    }}
                </div>
            </div>
        </div>
    }
}

/// One way's field and its Continue button.
#[component]
fn IdentityField(
    by: By,
    errors: RwSignal<Vec<ErrorItem>>,
    busy: RwSignal<bool>,
    submit: impl Fn((String, By)) + Copy + 'static,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = Signal::derive(move || errors.with(|e| forms::message_for(e, by.field())));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit((value.get_untracked(), by));
    };
    view! {
        <form on:submit=on_submit autocomplete="off" novalidate>
            <TextInput
                id=by.field()
                label=by.label()
                hint=by.hint()
                value=value
                error=error
                autocomplete="off"
                no_spellcheck=true
                class="nhsuk-u-width-full"
            />
            <Button busy=busy>"Continue"</Button>
        </form>
    }
}

/// A refusal shown on the form: on the field where the server named it, or
/// as the server's words (a busy kiosk says how long to wait).
fn refusal(error: &ApiError, by: By) -> Vec<ErrorItem> {
    let ApiError::Refused(problem) = error else { return vec![ErrorItem::form(error.message())] };
    let named: Vec<ErrorItem> = problem
        .errors
        .iter()
        .filter(|e| e.field == by.server_field())
        .map(|e| ErrorItem::field(by.field(), e.message.clone()))
        .collect();
    if named.is_empty() { vec![ErrorItem::form(busy_or(problem))] } else { named }
}

fn busy_or(problem: &Problem) -> String {
    match problem.retry_after {
        Some(_) => {
            "This kiosk has had a lot of check-ins. Wait a minute and try again, or ask at reception.".to_owned()
        }
        None => problem.detail.clone().unwrap_or_else(|| problem.title.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_names_its_own_field() {
        let dob = DateOfBirth::from_stored("1984-03-15").unwrap();
        let request = By::NhsNumber.request(&dob, "485 777 3456".into());
        assert_eq!(request.nhs_number.as_deref(), Some("485 777 3456"));
        assert!(request.family_name.is_none() && request.letter_reference.is_none());
        assert_eq!(request.date_of_birth, "1984-03-15");
    }
}
