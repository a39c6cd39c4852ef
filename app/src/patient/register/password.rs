//! `/register/password`: a password (length over rules: 15 characters or
//! more, three or four random words work well) and the terms of use. Then
//! the account exists, and the patient lands on their record.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::CompleteRegistrationRequest;
use portico_types::problem::Problem;

use super::Caption;
use super::refusal::{Refusal, is_final};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary};
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::new_account::{self, PasswordAndTerms};
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
        let found = new_account::check(&password.get_untracked(), accept.get_untracked());
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

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || refused.get().map(|problem| view! { <Refusal problem=problem/> })}
                <Show when=move || refused.with(Option::is_none)>
                    <ErrorSummary errors=errors/>
                    <Caption/>
                    <h1 tabindex="-1">"Choose a password"</h1>
                    <form on:submit=submit novalidate>
                        <PasswordAndTerms label="Password" password=password shown=shown accept=accept errors=errors/>
                        <Button busy=busy>"Create your account"</Button>
                    </form>
                </Show>
            </div>
        </div>
    }
}
