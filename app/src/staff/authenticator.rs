//! `/staff/set-up-authenticator`: a professional without a second factor sets
//! up an authenticator app after their password, before any staff page opens:
//! scan the QR code (or type the key), enter its first code, then keep the
//! recovery codes, shown this once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portico_types::api::SecondFactorEnrolment;

use super::session::{StaffSession, sign_in_on_unauthorised};
use super::{HOME_PATH, SERVICE};
use crate::api;
use crate::forms::{Button, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::loader::load;
use crate::page::{focus_heading, show_page};
use crate::second_factor::{code_to_send, refused};

#[component]
pub fn SetUpAuthenticator() -> impl IntoView {
    show_page("Set up your authenticator app", SERVICE);
    let enrolment = load(api::begin_authenticator);
    sign_in_on_unauthorised(enrolment);
    let recovery_codes = RwSignal::new(None::<Vec<String>>);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match (recovery_codes.get(), enrolment.get()) {
                    (Some(codes), _) => view! { <RecoveryCodes codes=codes/> }.into_any(),
                    (None, None) => view! { <p role="status">"Loading…"</p> }.into_any(),
                    (None, Some(Ok(enrolment))) => {
                        view! { <ScanAndConfirm enrolment=enrolment recovery_codes=recovery_codes/> }.into_any()
                    }
                    (None, Some(Err(error))) => view! {
                        <h1 tabindex="-1">"Set up your authenticator app"</h1>
                        <p>{error.message()}</p>
                        <p><a class="nhsuk-link" href="/staff/sign-in">"Sign in again"</a></p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn ScanAndConfirm(enrolment: SecondFactorEnrolment, recovery_codes: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let session = StaffSession::get();
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(typed) = code_to_send(code, errors, busy, "Enter the 6-digit code from your authenticator app") else {
            return;
        };
        spawn_local(async move {
            let answer = api::confirm_authenticator(&typed).await;
            busy.set(false);
            match answer {
                Ok(confirmed) => {
                    session.current.set(Some(confirmed.session));
                    recovery_codes.set(Some(confirmed.recovery_codes));
                    request_animation_frame(focus_heading);
                }
                Err(error) => refused(code, errors, &error),
            }
        });
    };
    let code_error = Signal::derive(move || errors.with(|e| message_for(e, "code")));
    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">"Set up your authenticator app"</h1>
        <p>"Staff accounts reach many patients' records, so signing in takes a code from an app on your phone as well as your password."</p>
        <ol class="nhsuk-list nhsuk-list--number">
            <li>"Install an authenticator app on your phone if you do not have one (for example Microsoft Authenticator or Google Authenticator)."</li>
            <li>"In the app, add an account and scan this QR code."</li>
        </ol>
        <div class="portico-qr" role="img" aria-label="QR code to add Portico to your authenticator app" inner_html=enrolment.qr_svg></div>
        <details class="nhsuk-details">
            <summary class="nhsuk-details__summary">
                <span class="nhsuk-details__summary-text">"I cannot scan the QR code"</span>
            </summary>
            <div class="nhsuk-details__text">
                <p>"Choose to enter a setup key in the app, and type this key:"</p>
                <p><code class="portico-secret">{enrolment.secret}</code></p>
                <p>"It is time-based, and the account name can be your email address."</p>
            </div>
        </details>
        <form on:submit=submit novalidate>
            <TextInput
                id="code"
                label="Enter the 6-digit code the app shows"
                hint="For example, 123 456"
                value=code
                error=code_error
                autocomplete="one-time-code"
                no_spellcheck=true
                class="nhsuk-input--width-10"
            />
            <Button busy=busy>"Continue"</Button>
        </form>
    }
}

/// The recovery codes, this once: each signs in once without the phone.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="set-up-title">
            <div class="nhsuk-notification-banner__header">
                <h2 class="nhsuk-notification-banner__title" id="set-up-title">"Success"</h2>
            </div>
            <div class="nhsuk-notification-banner__content">
                <p class="nhsuk-notification-banner__heading">"Your authenticator app is set up"</p>
            </div>
        </div>
        <h1 tabindex="-1">"Save your recovery codes"</h1>
        <p>"If you lose your phone, each of these codes lets you sign in once instead of a code from the app. We will not show them again."</p>
        <ul class="nhsuk-list portico-recovery-codes">
            {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
        </ul>
        <p>"Keep them somewhere safe that is not your phone, such as a password manager or on paper in a locked drawer."</p>
        <button class="nhsuk-button" type="button" on:click=move |_| navigate(HOME_PATH, Default::default())>
            "I have saved my recovery codes"
        </button>
    }
}
