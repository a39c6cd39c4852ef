//! `/staff/sign-in`: email and password.
//!
//! The page checks what it can (an email address that parses, a password
//! that is not empty) with the same rules as the server, and shows the
//! server's own words for everything else: wrong details, too many attempts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portico_types::api::{SecondFactorStep, SessionResponse, SignInRequest};

use super::hand_back::HandBack;
use super::session::{Notice, StaffSession};
use super::{HOME_PATH, SERVICE, SET_UP_AUTHENTICATOR_PATH};
use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem, ErrorSummary, PasswordInput, TextInput, message_for};
use crate::loader::load;
use crate::page::{focus_heading, show_page};
use crate::second_factor::CodeStep;
use crate::sign_in::{check, refusal_errors};

/// The sign-in form, with the notice that brought the person here, if any;
/// or, for a device handed to a patient, its professional's way back.
#[component]
pub fn SignIn() -> impl IntoView {
    show_page("Sign in", SERVICE);
    let session = StaffSession::get();
    let notice = session.take_notice();
    let handover = load(api::handover);
    let someone_else = RwSignal::new(false);
    move || match handover.get() {
        None => view! { <p role="status">"Loading…"</p> }.into_any(),
        Some(Ok(view)) if !someone_else.get() => view! {
            <div class="nhsuk-grid-row">
                <div class="nhsuk-grid-column-two-thirds">
                    <HandBack handover=view on_someone_else=move |()| someone_else.set(true)/>
                </div>
            </div>
        }
        .into_any(),
        Some(_) => view! { <SignInForm notice=notice/> }.into_any(),
    }
}

#[component]
fn SignInForm(notice: Option<Notice>) -> impl IntoView {
    let session = StaffSession::get();
    // Shown until the person acts: after a submit, the errors say what matters.
    let notice = RwSignal::new(notice);
    let navigate = use_navigate();

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    // The password was right and the account's authenticator code is next
    // (also when the page opens on a session already waiting for it).
    let waiting = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(current) = api::session::<SessionResponse>().await
            && current.second_factor == Some(SecondFactorStep::Verify)
        {
            waiting.set(true);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        notice.set(None);
        let found = check(&email.get_untracked(), &password.get_untracked());
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        busy.set(true);
        let request =
            SignInRequest { email: email.get_untracked().trim().to_owned(), password: password.get_untracked() };
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = api::sign_in::<SessionResponse>(&request).await;
            busy.set(false);
            match answer {
                Ok(current) => match current.second_factor {
                    Some(SecondFactorStep::Verify) => {
                        waiting.set(true);
                        request_animation_frame(focus_heading);
                    }
                    Some(SecondFactorStep::Enrol) => navigate(SET_UP_AUTHENTICATOR_PATH, Default::default()),
                    None => {
                        session.current.set(Some(current));
                        navigate(HOME_PATH, Default::default());
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
    let navigate = use_navigate();
    let signed_in = move |current: SessionResponse| {
        session.current.set(Some(current));
        navigate(HOME_PATH, Default::default());
    };

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
            <Show
                when=move || !waiting.get()
                fallback=move || view! { <CodeStep on_signed_in=Callback::new(signed_in.clone())/> }
            >
                {move || notice.get().map(|n| view! { <NoticeBanner notice=n/> })}
                <ErrorSummary errors=errors/>
                <h1 tabindex="-1">"Sign in"</h1>
                <p>"Sign in with the email address and password of your Portico staff account."</p>
                <form on:submit=submit.clone() novalidate>
                    <TextInput
                        id="email"
                        label="Email address"
                        value=email
                        error=email_error
                        input_type="email"
                        autocomplete="username"
                        no_spellcheck=true
                    />
                    <PasswordInput
                        id="password"
                        label="Password"
                        value=password
                        error=password_error
                        shown=shown
                    />
                    <Button busy=busy>"Sign in"</Button>
                </form>
            </Show>
            </div>
        </div>
    }
}

/// The NHS.UK notification banner for the notice that brought the person here.
#[component]
fn NoticeBanner(notice: Notice) -> impl IntoView {
    let (success, text) = match notice {
        Notice::SignedOut => (true, "You have signed out"),
        Notice::SessionEnded => (false, "Your session has ended. Sign in again to continue."),
        Notice::SignInNeeded => (false, "Sign in to see that page."),
        Notice::SignOutFailed => (false, "We could not confirm that you signed out. To be safe, close your browser."),
    };
    let class = if success {
        "nhsuk-notification-banner nhsuk-notification-banner--success"
    } else {
        "nhsuk-notification-banner"
    };
    view! {
        <div
            class=class
            role=if success { "alert" } else { "region" }
            aria-labelledby="notice-title"
        >
            <div class="nhsuk-notification-banner__header">
                <h2 class="nhsuk-notification-banner__title" id="notice-title">
                    {if success { "Success" } else { "Important" }}
                </h2>
            </div>
            <div class="nhsuk-notification-banner__content">
                <p class="nhsuk-notification-banner__heading">{text}</p>
            </div>
        </div>
    }
}
