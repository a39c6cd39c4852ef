//! `/staff/sign-in`: email and password.
//!
//! The page checks what it can (an email address that parses, a password
//! that is not empty) with the same rules as the server, and shows the
//! server's own words for everything else: wrong details, too many attempts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portico_types::EmailAddress;
use portico_types::api::SignInRequest;

use super::session::{Notice, StaffSession};
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, TextInput, message_for};
use crate::page::show_page;

const FIELDS: [&str; 2] = ["email", "password"];

/// The sign-in form, with the notice that brought the person here, if any.
#[component]
pub fn SignIn() -> impl IntoView {
    show_page("Sign in", SERVICE);
    let session = StaffSession::get();
    // Shown until the person acts: after a submit, the errors say what matters.
    let notice = RwSignal::new(session.take_notice());
    let navigate = use_navigate();

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);

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
            let answer = api::sign_in(&request).await;
            busy.set(false);
            match answer {
                Ok(current) => {
                    session.current.set(Some(current));
                    navigate(HOME_PATH, Default::default());
                }
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

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || notice.get().map(|n| view! { <NoticeBanner notice=n/> })}
                <ErrorSummary errors=errors/>
                <h1 tabindex="-1">"Sign in"</h1>
                <p>"Sign in with the email address and password of your Portico staff account."</p>
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
                    <PasswordInput
                        id="password"
                        label="Password"
                        value=password
                        error=password_error
                        shown=shown
                    />
                    <Button busy=busy>"Sign in"</Button>
                </form>
            </div>
        </div>
    }
}

/// What the page itself can tell before asking the server.
fn check(email: &str, password: &str) -> Vec<ErrorItem> {
    let mut errors = Vec::new();
    if let Err(e) = EmailAddress::parse(email) {
        errors.push(ErrorItem::field("email", e.to_string()));
    }
    if password.is_empty() {
        errors.push(ErrorItem::field("password", "Enter your password"));
    }
    errors
}

/// The server's refusal as errors on the form. Wrong details point at the
/// email field, the first a person would check.
fn refusal_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        // The title ("Email or password is incorrect") is the NHS.UK-style short message.
        ApiError::Unauthorised(problem) => vec![ErrorItem::field("email", problem.title.clone())],
        ApiError::Refused(problem) => {
            let per_field = forms::from_problem(problem, &FIELDS);
            if !per_field.is_empty() {
                return per_field;
            }
            // Too many attempts: what happened, then how long to wait.
            let message = match problem.retry_after {
                Some(seconds) => format!("{}. {}", problem.title.trim_end_matches('.'), wait_sentence(seconds)),
                None => error.message(),
            };
            vec![ErrorItem::form(message)]
        }
        ApiError::Unavailable => vec![ErrorItem::form(error.message())],
    }
}

/// "You can try again in 5 minutes." from a `retry_after` in seconds.
fn wait_sentence(seconds: u64) -> String {
    let wait = match seconds {
        0..=1 => "1 second".to_owned(),
        2..=59 => format!("{seconds} seconds"),
        60 => "1 minute".to_owned(),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    };
    format!("You can try again in {wait}.")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_sentence(1), "You can try again in 1 second.");
        assert_eq!(wait_sentence(30), "You can try again in 30 seconds.");
        assert_eq!(wait_sentence(60), "You can try again in 1 minute.");
        assert_eq!(wait_sentence(61), "You can try again in 2 minutes.");
        assert_eq!(wait_sentence(900), "You can try again in 15 minutes.");
    }

    #[test]
    fn the_page_catches_empty_and_malformed_input() {
        let errors = check("not-an-email", "");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field.as_deref(), Some("email"));
        assert_eq!(errors[1].message, "Enter your password");
        assert!(check("jo@example.com", "secret").is_empty());
    }
}
