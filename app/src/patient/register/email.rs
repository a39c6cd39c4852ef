//! `/register/email` and `/register/check-email`: the address to prove, and
//! the six-digit code from the email that proves it (or its link, opened
//! anywhere).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::EmailAddress;
use portico_types::api::{ConfirmEmailRequest, RegistrationStep, RegistrationView};
use portico_types::problem::Problem;

use super::refusal::{Refusal, is_final};
use super::{Caption, path_of};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::router::{Link, navigate};

/// Loads the registration; shows `page` with it, or the refusal (timed out).
#[component]
pub(super) fn WithRegistration(page: fn(RegistrationView) -> AnyView) -> impl IntoView {
    let registration = load(api::registration);
    move || match registration.get() {
        None => view! { <p role="status">"Loading…"</p> }.into_any(),
        Some(Ok(view)) => page(view),
        Some(Err(ApiError::Refused(problem))) => view! { <Refusal problem=problem/> }.into_any(),
        Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
    }
}

#[component]
pub fn EnterEmail() -> impl IntoView {
    show_page("What is your email address?", SERVICE);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <WithRegistration page=|view| view! { <EmailForm registration=view/> }.into_any()/>
            </div>
        </div>
    }
}

#[component]
fn EmailForm(registration: RegistrationView) -> impl IntoView {
    let email = RwSignal::new(registration.email.map(|e| e.as_str().to_owned()).unwrap_or_default());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<Problem>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = email.get_untracked();
        if let Err(e) = EmailAddress::parse(&typed) {
            return errors.set(vec![ErrorItem::field("email", e.to_string())]);
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::registration_email(typed.trim()).await;
            busy.set(false);
            match answer {
                Ok(view) => navigate(path_of(view.step)),
                Err(ApiError::Refused(problem)) if is_final(&problem) => refused.set(Some(problem)),
                Err(error) => errors.set(forms::refusal_errors(&error, &["email"])),
            }
        });
    };
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "email")));
    view! {
        {move || refused.get().map(|problem| view! { <Refusal problem=problem/> })}
        <Show when=move || refused.with(Option::is_none)>
            <ErrorSummary errors=errors/>
            <Caption/>
            <h1 tabindex="-1">{format!("Hello {}, what is your email address?", registration.given_name)}</h1>
            <p>"We'll send an email to check it's yours. You'll use this address to sign in."</p>
            <form on:submit=submit novalidate>
                <TextInput
                    id="email"
                    label="Email address"
                    value=email
                    error=email_error
                    input_type="email"
                    autocomplete="email"
                    no_spellcheck=true
                />
                <Button busy=busy>"Send the email"</Button>
            </form>
        </Show>
    }
}

#[component]
pub fn CheckEmail() -> impl IntoView {
    show_page("Check your email", SERVICE);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <WithRegistration page=|view| view! { <CodeForm registration=view/> }.into_any()/>
            </div>
        </div>
    }
}

#[component]
fn CodeForm(registration: RegistrationView) -> impl IntoView {
    if registration.step == RegistrationStep::Password {
        navigate(path_of(registration.step));
    }
    let address = registration.email.map(|e| e.as_str().to_owned()).unwrap_or_default();
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<Problem>);
    let resent = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = code.get_untracked();
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.is_empty() {
            return errors.set(vec![ErrorItem::field("code", "Enter the 6 digit code from the email")]);
        }
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return errors.set(vec![ErrorItem::field("code", "The code must be 6 numbers, like 123 456")]);
        }
        busy.set(true);
        spawn_local(async move {
            let answer =
                api::confirm_registration_email(&ConfirmEmailRequest { code: Some(digits), token: None }).await;
            busy.set(false);
            match answer {
                Ok(view) => navigate(path_of(view.step)),
                Err(ApiError::Refused(problem)) if is_final(&problem) => refused.set(Some(problem)),
                Err(error) => errors.set(forms::refusal_errors(&error, &["code"])),
            }
        });
    };
    let send_again = {
        let address = address.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let address = address.clone();
            spawn_local(async move {
                match api::registration_email(&address).await {
                    Ok(_) => {
                        resent.set(true);
                        errors.set(Vec::new());
                    }
                    Err(ApiError::Refused(problem)) if is_final(&problem) => refused.set(Some(problem)),
                    Err(error) => errors.set(forms::refusal_errors(&error, &["code"])),
                }
            });
        }
    };
    let code_error = Signal::derive(move || errors.with(|e| message_for(e, "code")));
    view! {
        {move || refused.get().map(|problem| view! { <Refusal problem=problem/> })}
        <Show when=move || refused.with(Option::is_none)>
            <ErrorSummary errors=errors/>
            {move || resent.get().then(|| view! {
                <div class="nhsuk-inset-text" role="status">
                    <span class="nhsuk-u-visually-hidden">"Information: "</span>
                    <p>"We have sent a new email. Use the code in the newest one."</p>
                </div>
            })}
            <Caption/>
            <h1 tabindex="-1">"Check your email"</h1>
            <p>"We have sent an email to " <strong>{address.clone()}</strong> "."</p>
            <p>"Open the link in the email, on this device or any other, or enter the 6 digit code from it here. They work for 1 hour."</p>
            <p>"If you already have a Portico account with this email address, the email tells you how to sign in instead."</p>
            <form on:submit=submit novalidate>
                <TextInput
                    id="code"
                    label="Code from the email"
                    hint="For example, 123 456"
                    value=code
                    error=code_error
                    autocomplete="one-time-code"
                    no_spellcheck=true
                    class="nhsuk-input--width-10"
                />
                <Button busy=busy>"Continue"</Button>
            </form>
            <h2 class="nhsuk-heading-s">"Not got the email?"</h2>
            <p>"It can take a few minutes to arrive. Check your spam or junk folder."</p>
            <form on:submit=send_again.clone() novalidate>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Send the email again"</button>
            </form>
            <p><Link href="/register/email">"Use a different email address"</Link></p>
        </Show>
    }
}
