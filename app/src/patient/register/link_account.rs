//! `/register/link-account`: a professional's own record joins the Portico
//! account they already use at work. The invitation went to that account's
//! email and the code and date of birth matched; its password is the last
//! proof. Then one account holds both, and they switch between the two.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::RegistrationView;
use portico_types::problem::Problem;

use super::Caption;
use super::email::WithRegistration;
use super::refusal::{Refusal, is_final};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, message_for};
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::router::{Link, navigate};

#[component]
pub fn LinkAccount() -> impl IntoView {
    show_page("Add your record to your account", SERVICE);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <WithRegistration page=|view| view! { <LinkForm registration=view/> }.into_any()/>
            </div>
        </div>
    }
}

#[component]
fn LinkForm(registration: RegistrationView) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<Problem>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        let typed = password.get_untracked();
        if typed.is_empty() {
            return errors.set(vec![ErrorItem::field("password", "Enter your password")]);
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::link_account(&typed).await;
            busy.set(false);
            match answer {
                // A work account's sign-in always waits for its second factor:
                // the sign-in page asks for the code (or sends a professional
                // with no authenticator to set one up), then opens the record.
                Ok(()) => navigate("/sign-in"),
                Err(ApiError::Refused(problem)) if is_final(&problem) => refused.set(Some(problem)),
                Err(error) => {
                    password.set(String::new());
                    errors.set(forms::refusal_errors(&error, &["password"]));
                }
            }
        });
    };
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    let account = registration.email.map(|e| e.as_str().to_owned()).unwrap_or_default();
    view! {
        {move || refused.get().map(|problem| view! { <Refusal problem=problem/> })}
        <Show when=move || refused.with(Option::is_none)>
            <ErrorSummary errors=errors/>
            <Caption/>
            <h1 tabindex="-1">"Add your record to your account"</h1>
            <p>
                {format!("Hello {}. You already have a Portico account for your work: ", registration.given_name)}
                <strong class="portico-break-anywhere">{account.clone()}</strong>"."
            </p>
            <p>
                "Enter its password and your own health record will be added to it. You will switch between "
                "your record and your staff pages, with one sign-in."
            </p>
            <form on:submit=submit novalidate>
                <PasswordInput
                    id="password"
                    label="Password"
                    value=password
                    error=password_error
                    shown=shown
                    autocomplete="current-password"
                />
                <Button busy=busy>"Add my record"</Button>
            </form>
            <p><Link href="/forgotten-password">"I have forgotten my password"</Link></p>
        </Show>
    }
}
