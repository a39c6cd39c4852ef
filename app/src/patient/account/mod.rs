//! `/account`: the signed-in patient's own account: the email address they
//! sign in with (and changing it, proved at the new address), signing out on
//! every device.

mod confirm_email;
mod password_reset;

pub use confirm_email::ConfirmEmailChange;
pub use password_reset::{ForgottenPassword, ResetPassword};

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::EmailAddress;
use portico_types::api::ChangeEmailRequest;

use crate::api::{self, PatientSessionResponse};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, TextInput, message_for};
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::notifications::SETTINGS_PATH;
use crate::patient::router::{Link, TWO_STEP_PATH, navigate};
use crate::patient::session::PatientSession;
use crate::summary_list::SummaryList;

#[component]
pub fn Account() -> impl IntoView {
    show_page("Your account", SERVICE);
    let session = PatientSession::get();
    let current = crate::loader::load(api::session::<PatientSessionResponse>);
    Effect::new(move |_| {
        if let Some(Ok(mine)) = current.get() {
            session.current.set(Some(mine));
        }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match current.get() {
                    None => view! { <h1 tabindex="-1">"Your account"</h1><p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(mine)) => view! { <Details mine=mine/> }.into_any(),
                    Some(Err(_)) => view! {
                        <h1 tabindex="-1">"Sign in to see your account"</h1>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Details(mine: PatientSessionResponse) -> impl IntoView {
    let rows =
        vec![("Name", mine.account.display_name.clone()), ("Email address", mine.account.email.as_str().to_owned())];
    view! {
        <h1 tabindex="-1">"Your account"</h1>
        <SummaryList rows=rows/>
        <p><Link href="/record">"Go to your record"</Link></p>
        <h2>"Emails from Portico"</h2>
        <p>"Choose which emails you get about your account, and how often."</p>
        <p><Link href=SETTINGS_PATH>"Change your email settings"</Link></p>
        <h2>"Two-step sign-in"</h2>
        <p>"Ask for a code from an authenticator app on your phone as well as your password when you sign in."</p>
        <p><Link href=TWO_STEP_PATH>"Change two-step sign-in"</Link></p>
        <ChangeEmail/>
        <SignOutEverywhere/>
    }
}

#[component]
fn ChangeEmail() -> impl IntoView {
    let new_email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let sent_to = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        let mut found = Vec::new();
        let typed = new_email.get_untracked();
        if let Err(e) = EmailAddress::parse(&typed) {
            found.push(ErrorItem::field("new_email", e.to_string()));
        }
        if password.get_untracked().is_empty() {
            found.push(ErrorItem::field("password", "Enter your password"));
        }
        if !found.is_empty() {
            return errors.set(found);
        }
        busy.set(true);
        let request = ChangeEmailRequest { new_email: typed.trim().to_owned(), password: password.get_untracked() };
        spawn_local(async move {
            let answer = api::change_email(&request).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    password.set(String::new());
                    errors.set(Vec::new());
                    sent_to.set(Some(request.new_email));
                }
                // A wrong password, or a throttle, lands on the password.
                Err(error) => errors.set(forms::refusal_errors(&error, &["password", "new_email"])),
            }
        });
    };
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "new_email")));
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    view! {
        <h2 id="change-email">"Change your email address"</h2>
        {move || sent_to.get().map(|address| view! {
            <div class="nhsuk-inset-text" role="status">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"We have sent a link to " <strong>{address}</strong> ". Open it to confirm the new address. Until then, keep signing in with your current one."</p>
            </div>
        })}
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextInput
                id="new_email"
                label="New email address"
                value=new_email
                error=email_error
                input_type="email"
                autocomplete="email"
                no_spellcheck=true
            />
            <PasswordInput
                id="password"
                label="Your password"
                hint="To check it is you"
                value=password
                error=password_error
                shown=shown
            />
            <Button busy=busy class="nhsuk-button--secondary">"Send a link to the new address"</Button>
        </form>
    }
}

#[component]
fn SignOutEverywhere() -> impl IntoView {
    let session = PatientSession::get();
    let failed = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match api::sign_out_everywhere().await {
                Ok(()) => {
                    session.current.set(None);
                    navigate("/signed-out");
                }
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    view! {
        <h2>"Sign out on every device"</h2>
        <p>"If you signed in on a device that is not yours, or lost a phone, sign out everywhere. You'll need to sign in again here too."</p>
        {move || failed.get().map(|message| view! { <p class="nhsuk-error-message" role="alert">{message}</p> })}
        <form on:submit=submit novalidate>
            <button class="nhsuk-button nhsuk-button--warning" type="submit">"Sign out on every device"</button>
        </form>
    }
}
