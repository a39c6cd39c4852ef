//! `/sign-in`: a patient signs in with the email and password they chose
//! when registering, and lands on their record.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{SecondFactorStep, SignInRequest};

use super::SERVICE;
use super::nhs_login_button::ContinueWithNhsLogin;
use super::router::{Link, navigate};
use super::session::PatientSession;
use crate::api::{self, ApiError, PatientSessionResponse};
use crate::forms::{Button, ErrorItem, ErrorSummary, PasswordInput, TextInput, message_for};
use crate::page::{focus_heading, show_page};
use crate::second_factor::CodeStep;
use crate::sign_in::{check, refusal_errors};

#[component]
pub fn SignIn() -> impl IntoView {
    show_page("Sign in", SERVICE);
    let session = PatientSession::get();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    // The password was right and the account's authenticator code is next
    // (also when the page opens on a session already waiting for it).
    let waiting = RwSignal::new(false);
    spawn_local(async move {
        match api::session::<PatientSessionResponse>().await.ok().and_then(|current| current.second_factor) {
            Some(SecondFactorStep::Verify) => waiting.set(true),
            // A professional yet to set their authenticator up does so in the staff console.
            Some(SecondFactorStep::Enrol) => navigate("/staff/set-up-authenticator"),
            None => {}
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        let found = check(&email.get_untracked(), &password.get_untracked());
        if !found.is_empty() {
            return errors.set(found);
        }
        busy.set(true);
        let request =
            SignInRequest { email: email.get_untracked().trim().to_owned(), password: password.get_untracked() };
        spawn_local(async move {
            let answer = api::sign_in::<PatientSessionResponse>(&request).await;
            busy.set(false);
            match answer {
                Ok(current) => match current.second_factor {
                    Some(SecondFactorStep::Verify) => {
                        waiting.set(true);
                        request_animation_frame(focus_heading);
                    }
                    // A professional who has yet to set their authenticator up does so in the staff console.
                    Some(SecondFactorStep::Enrol) => navigate("/staff/set-up-authenticator"),
                    None => {
                        session.current.set(Some(current));
                        navigate("/record");
                    }
                },
                Err(error) => {
                    if matches!(error, ApiError::Unauthorised(_)) {
                        password.set(String::new());
                    }
                    errors.set(refusal_errors(&error));
                }
            }
        });
    };
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "email")));
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));

    let signed_in = move |current: PatientSessionResponse| {
        session.current.set(Some(current));
        navigate("/record");
    };

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
            <Show when=move || !waiting.get() fallback=move || view! { <CodeStep on_signed_in=Callback::new(signed_in)/> }>
                <ErrorSummary errors=errors/>
                <h1 tabindex="-1">"Sign in"</h1>
                <ContinueWithNhsLogin from="sign-in"/>
                <p>"Sign in with the email address and password you chose when you registered."</p>
                <form on:submit=submit novalidate>
                    <TextInput
                        id="email"
                        label="Email address"
                        value=email
                        error=email_error
                        input_type="email"
                        autocomplete="username"
                        no_spellcheck=true
                    />
                    <PasswordInput id="password" label="Password" value=password error=password_error shown=shown/>
                    <Button busy=busy>"Sign in"</Button>
                </form>
                <p><Link href="/forgotten-password">"Forgotten your password?"</Link></p>
                <p>"Not registered yet? "<Link href="/register">"Register with your invitation code"</Link></p>
            </Show>
            </div>
        </div>
    }
}
