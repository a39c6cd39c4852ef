//! `/register/date-of-birth`: the date of birth, sent with the code. Neither
//! alone opens a record; a wrong pair counts against the code, and the
//! answer never says which of the two was wrong.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::StartRegistrationRequest;
use portico_types::problem::Problem;

use super::refusal::{Refusal, is_final};
use super::renewal::ExpiredCode;
use super::{Caption, Draft, path_of};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, DateInput, DateParts, ErrorItem, ErrorSummary};
use crate::page::{focus_heading, show_page};
use crate::patient::SERVICE;
use crate::patient::router::{Link, navigate};

#[component]
pub fn EnterDateOfBirth() -> impl IntoView {
    show_page("What is your date of birth?", SERVICE);
    let draft = Draft::get();
    if draft.code.get_untracked().is_empty() {
        // Opened directly, or after a reload: the code comes first.
        navigate("/register");
    }
    let parts = DateParts::new();
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    // With the request refused, which an expired code's page sends again to ask for a new one.
    let refused = RwSignal::new(None::<(Problem, StartRegistrationRequest)>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        // Without a clock reading, the server still refuses a date in the future.
        let today = crate::dates::today().unwrap_or(time::Date::MAX);
        let date = portico_types::DateOfBirth::from_parts(
            &parts.day.get_untracked(),
            &parts.month.get_untracked(),
            &parts.year.get_untracked(),
            today,
        );
        let date = match date {
            Ok(date) => date,
            Err(e) => return errors.set(vec![ErrorItem::field("dob-day", e.to_string())]),
        };
        busy.set(true);
        let request = StartRegistrationRequest { code: draft.code.get_untracked(), date_of_birth: date.iso() };
        spawn_local(async move {
            let answer = api::start_registration(&request).await;
            busy.set(false);
            match answer {
                Ok(view) => {
                    super::forget_join_page();
                    navigate(path_of(view.step));
                }
                Err(ApiError::Refused(problem)) if is_final(&problem) => {
                    refused.set(Some((problem, request)));
                    // A new page in all but address: a screen reader starts from its heading.
                    request_animation_frame(focus_heading);
                }
                Err(error) => errors.set(refusal_errors(&error)),
            }
        });
    };
    let dob_error = Signal::derive(move || errors.with(|e| forms::message_for(e, "dob-day")));

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match refused.get() {
                    Some((problem, request)) if problem.kind == "invitation-expired" => {
                        view! { <ExpiredCode problem=problem request=request/> }.into_any()
                    }
                    Some((problem, _)) => view! { <Refusal problem=problem/> }.into_any(),
                    None => view! {
                        <ErrorSummary errors=errors/>
                        <Caption/>
                        <form on:submit=submit novalidate>
                            <DateInput
                                id="dob"
                                heading="What is your date of birth?"
                                hint="For example, 15 3 1984"
                                parts=parts
                                error=dob_error
                                autocomplete_prefix="bday"
                            />
                            <Button busy=busy>"Continue"</Button>
                        </form>
                        <p><Link href="/register">"Change your registration code"</Link></p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// A refusal to correct and try again: shown on the form.
fn refusal_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(problem) => {
            let per_field = forms::from_problem(problem, &["code", "date_of_birth"]);
            if !per_field.is_empty() {
                return per_field
                    .into_iter()
                    .map(|e| {
                        if e.field.as_deref() == Some("date_of_birth") {
                            ErrorItem::field("dob-day", e.message)
                        } else {
                            e
                        }
                    })
                    .collect();
            }
            let detail = problem.detail.clone().unwrap_or_default();
            vec![ErrorItem::field("dob-day", format!("{}. {detail}", problem.title.trim_end_matches('.')))]
        }
        other => vec![ErrorItem::form(other.message())],
    }
}
