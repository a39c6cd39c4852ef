//! `/forgotten-password` and `/reset-password?token=…`. Asking always gets
//! the same answer, account or not; the link works once, for an hour, and
//! using it signs the account out everywhere.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::EmailAddress;
use portico_types::api::CompletePasswordResetRequest;
use portico_types::new_password;

use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, TextInput, message_for};
use crate::page::{focus_heading, show_page};
use crate::patient::SERVICE;
use crate::patient::query::take_param;
use crate::patient::router::Link;

#[component]
pub fn ForgottenPassword() -> impl IntoView {
    show_page("Reset your password", SERVICE);
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let sent_to = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = email.get_untracked();
        let address = match EmailAddress::parse(&typed) {
            Ok(address) => address,
            Err(e) => return errors.set(vec![ErrorItem::field("email", e.to_string())]),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api::ask_for_password_reset(address.as_str()).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    sent_to.set(Some(address.as_str().to_owned()));
                    request_animation_frame(focus_heading);
                }
                Err(error) => errors.set(forms::refusal_errors(&error, &["email"])),
            }
        });
    };
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "email")));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match sent_to.get() {
                    Some(address) => view! {
                        <h1 tabindex="-1">"Check your email"</h1>
                        <p>"If " <strong>{address}</strong> " is the email address of a Portico account, we have sent it a link to reset the password."</p>
                        <p>"The link works for 1 hour. If nothing arrives in a few minutes, check your spam or junk folder."</p>
                        <p><Link href="/sign-in">"Back to sign in"</Link></p>
                    }
                    .into_any(),
                    None => view! {
                        <ErrorSummary errors=errors/>
                        <h1 tabindex="-1">"Reset your password"</h1>
                        <p>"Enter the email address you use to sign in. We'll send you a link to choose a new password."</p>
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
                            <Button busy=busy>"Send the link"</Button>
                        </form>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    show_page("Choose a new password", SERVICE);
    // Kept out of the address bar, and in a Copy handle the form can share.
    let token = StoredValue::new(take_param("token").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let link_used = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        if let Err(e) = new_password::check_length(&password.get_untracked()) {
            return errors.set(vec![ErrorItem::field("password", e.to_string())]);
        }
        busy.set(true);
        let request = CompletePasswordResetRequest { token: token.get_value(), password: password.get_untracked() };
        spawn_local(async move {
            let answer = api::reset_password(&request).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    done.set(true);
                    request_animation_frame(focus_heading);
                }
                Err(ApiError::Refused(problem)) if problem.kind == "link-used" => {
                    link_used.set(Some(problem.title));
                    request_animation_frame(focus_heading);
                }
                Err(error) => errors.set(forms::refusal_errors(&error, &["password"])),
            }
        });
    };
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match (done.get(), link_used.get()) {
                    (true, _) => view! {
                        <h1 tabindex="-1">"Your password has been changed"</h1>
                        <p>"You have been signed out on every device. Sign in with your new password."</p>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                    }
                    .into_any(),
                    (false, Some(title)) => view! {
                        <h1 tabindex="-1">{title}</h1>
                        <p>"Reset links work once, for 1 hour."</p>
                        <p><Link href="/forgotten-password">"Ask for a new link"</Link></p>
                    }
                    .into_any(),
                    (false, None) => view! {
                        <ErrorSummary errors=errors/>
                        <h1 tabindex="-1">"Choose a new password"</h1>
                        <form on:submit=submit novalidate>
                            <PasswordInput
                                id="password"
                                label="New password"
                                hint="Use 15 characters or more. Three or four random words are easy to remember and hard to guess."
                                value=password
                                error=password_error
                                shown=shown
                                autocomplete="new-password"
                            />
                            <Button busy=busy>"Change password"</Button>
                        </form>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}
