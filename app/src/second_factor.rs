//! The step after the password for an account with a second factor: the
//! code from the authenticator app, or one of the recovery codes. Both
//! sign-in pages (staff and patient) show it the same way.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::SessionResponse;

use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::sign_in::wait_sentence;

/// The code form. `on_signed_in` gets the session once the code is right.
#[component]
pub fn CodeStep(#[prop(into)] on_signed_in: Callback<SessionResponse>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(typed) = code_to_send(code, errors, busy, "Enter the code from your authenticator app") else {
            return;
        };
        spawn_local(async move {
            let answer = api::second_factor(&typed).await;
            busy.set(false);
            match answer {
                Ok(session) => on_signed_in.run(session),
                Err(error) => refused(code, errors, &error),
            }
        });
    };
    let code_error = Signal::derive(move || errors.with(|e| message_for(e, "code")));

    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">"Enter the code from your authenticator app"</h1>
        <p>"Open the authenticator app on your phone and enter the 6-digit code it shows for Portico."</p>
        <form on:submit=submit novalidate>
            <TextInput
                id="code"
                label="Security code"
                hint="For example, 123 456. If you cannot use your phone, enter one of your recovery codes instead."
                value=code
                error=code_error
                autocomplete="one-time-code"
                no_spellcheck=true
                class="nhsuk-input--width-10"
            />
            <Button busy=busy>"Continue"</Button>
        </form>
    }
}

/// The typed code, when the form may send it (nothing on its way already, and
/// something typed); `busy` is then set until the answer comes.
pub fn code_to_send(
    code: RwSignal<String>,
    errors: RwSignal<Vec<ErrorItem>>,
    busy: RwSignal<bool>,
    when_empty: &str,
) -> Option<String> {
    if busy.get_untracked() {
        return None;
    }
    let typed = code.get_untracked();
    if typed.trim().is_empty() {
        errors.set(vec![ErrorItem::field("code", when_empty)]);
        return None;
    }
    busy.set(true);
    Some(typed)
}

/// A code refused: its errors on the form, and the field emptied for the next one.
pub fn refused(code: RwSignal<String>, errors: RwSignal<Vec<ErrorItem>>, error: &ApiError) {
    code.set(String::new());
    errors.set(code_errors(error));
}

/// A refusal of a code as errors on the form.
fn code_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(problem) => {
            let per_field = crate::forms::from_problem(problem, &["code"]);
            if !per_field.is_empty() {
                return per_field;
            }
            let message = match problem.retry_after {
                Some(seconds) => format!("{}. {}", problem.title.trim_end_matches('.'), wait_sentence(seconds)),
                None => error.message(),
            };
            vec![ErrorItem::form(message)]
        }
        ApiError::Unauthorised(_) => vec![ErrorItem::form("Your sign-in has ended. Sign in again.")],
        ApiError::Unavailable => vec![ErrorItem::form(error.message())],
    }
}
