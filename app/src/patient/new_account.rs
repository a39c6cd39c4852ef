//! The two questions every new patient-side account answers: a password
//! (length over rules: 15 characters or more) and the terms of use.
//! Registration and a carer's invitation ask them alike, in the same words.

use leptos::prelude::*;
use portico_types::new_password;

use crate::forms::{Checkbox, ErrorItem, PasswordInput, message_for};

/// What the page can tell before asking the server: the password's length
/// and the terms, as errors on their fields.
pub fn check(password: &str, accepted: bool) -> Vec<ErrorItem> {
    let mut found = Vec::new();
    if let Err(e) = new_password::check_length(password) {
        found.push(ErrorItem::field("password", e.to_string()));
    }
    if !accepted {
        found.push(ErrorItem::field("accept_terms", "Confirm that you accept the terms of use"));
    }
    found
}

/// The password box (with its hint) and the terms checkbox, for a form
/// whose errors name `password` and `accept_terms`.
#[component]
pub fn PasswordAndTerms(
    label: &'static str,
    password: RwSignal<String>,
    shown: RwSignal<bool>,
    accept: RwSignal<bool>,
    errors: RwSignal<Vec<ErrorItem>>,
) -> impl IntoView {
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    let terms_error = Signal::derive(move || errors.with(|e| message_for(e, "accept_terms")));
    view! {
        <PasswordInput
            id="password"
            label=label
            hint="Use 15 characters or more. Three or four random words are easy to remember and hard to guess, like 'mango river lantern'."
            value=password
            error=password_error
            shown=shown
            autocomplete="new-password"
        />
        <Checkbox id="accept_terms" legend="Terms of use" label="I accept the terms of use" checked=accept error=terms_error>
            <p class="nhsuk-body">
                "Read the "
                <a href="/terms" target="_blank" rel="noopener">"terms of use (opens in a new tab)"</a>
                "."
            </p>
        </Checkbox>
    }
}
