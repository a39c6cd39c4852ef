//! `/register/password`: a password (length over rules: 15 characters or
//! more, three or four random words work well) and the terms of use. Then
//! the account exists, and the patient lands on their record.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::CompleteRegistrationRequest;
use portico_types::new_password;
use portico_types::problem::Problem;

use super::Caption;
use super::refusal::{Refusal, is_final};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, Checkbox, ErrorItem, ErrorSummary, PasswordInput, message_for};
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::router::navigate;

const FIELDS: [&str; 2] = ["password", "accept_terms"];

#[component]
pub fn ChoosePassword() -> impl IntoView {
    show_page("Choose a password", SERVICE);
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let accept = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<Problem>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        let mut found = Vec::new();
        if let Err(e) = new_password::check_length(&password.get_untracked()) {
            found.push(ErrorItem::field("password", e.to_string()));
        }
        if !accept.get_untracked() {
            found.push(ErrorItem::field("accept_terms", "Confirm that you accept the terms of use"));
        }
        if !found.is_empty() {
            return errors.set(found);
        }
        busy.set(true);
        let request =
            CompleteRegistrationRequest { password: password.get_untracked(), accept_terms: accept.get_untracked() };
        spawn_local(async move {
            let answer = api::complete_registration(&request).await;
            busy.set(false);
            match answer {
                // On a device handed over at the desk, it goes back to staff.
                Ok(true) => navigate("/register/hand-back"),
                // The record is another bundle's page: a page load, signed in.
                Ok(false) => navigate("/record"),
                Err(ApiError::Refused(problem)) if is_final(&problem) => refused.set(Some(problem)),
                Err(error) => errors.set(forms::refusal_errors(&error, &FIELDS)),
            }
        });
    };
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    let terms_error = Signal::derive(move || errors.with(|e| message_for(e, "accept_terms")));

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || refused.get().map(|problem| view! { <Refusal problem=problem/> })}
                <Show when=move || refused.with(Option::is_none)>
                    <ErrorSummary errors=errors/>
                    <Caption/>
                    <h1 tabindex="-1">"Choose a password"</h1>
                    <form on:submit=submit novalidate>
                        <PasswordInput
                            id="password"
                            label="Password"
                            hint="Use 15 characters or more. Three or four random words are easy to remember and hard to guess, like 'mango river lantern'."
                            value=password
                            error=password_error
                            shown=shown
                            autocomplete="new-password"
                        />
                        <Checkbox
                            id="accept_terms"
                            legend="Terms of use"
                            label="I accept the terms of use"
                            checked=accept
                            error=terms_error
                        >
                            <p class="nhsuk-body">
                                "Read the "
                                <a href="/terms" target="_blank" rel="noopener">"terms of use (opens in a new tab)"</a>
                                "."
                            </p>
                        </Checkbox>
                        <Button busy=busy>"Create your account"</Button>
                    </form>
                </Show>
            </div>
        </div>
    }
}
