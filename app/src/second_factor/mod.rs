//! The second factor's pages, the same for staff and patients: the step
//! after the password (the code from the authenticator app, or one of the
//! recovery codes), and setting an authenticator up with its recovery codes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::SecondFactorEnrolment;
use serde::de::DeserializeOwned;

use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::page::focus_heading;
use crate::sign_in::wait_sentence;

/// The code form. `on_signed_in` gets the session once the code is right,
/// read as its side reads one (`SessionResponse`, or `api::PatientSessionResponse`).
#[component]
pub fn CodeStep<S>(on_signed_in: Callback<S>) -> impl IntoView
where
    S: DeserializeOwned + Send + Sync + 'static,
{
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(typed) = code_to_send(code, errors, busy, "Enter the code from your authenticator app") else {
            return;
        };
        spawn_local(async move {
            let answer = api::second_factor::<S>(&typed).await;
            busy.set(false);
            match answer {
                Ok(session) => on_signed_in.run(session),
                Err(error) => refused(code, errors, &error),
            }
        });
    };
    let code_error = Signal::derive(move || errors.with(|e| message_for(e, "code")));

    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">"Enter the code from your authenticator app"</h1>
        <p>"Open the authenticator app on your phone and enter the 6-digit code it shows for Portico."</p>
        <form on:submit=submit novalidate>
            <TextInput
                id="code"
                label="Security code"
                hint="For example, 123 456. If you cannot use your phone, enter one of your recovery codes instead."
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

/// Setting an authenticator up: scan the QR code (or type the key), then its
/// first code. `children` say why, above the steps. `on_confirmed` gets the
/// `SecondFactorConfirmed` answer, read as much as its side needs.
#[component]
pub fn ScanAndConfirm<C>(
    enrolment: SecondFactorEnrolment,
    on_confirmed: Callback<C>,
    children: Children,
) -> impl IntoView
where
    C: DeserializeOwned + Send + Sync + 'static,
{
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(typed) = code_to_send(code, errors, busy, "Enter the 6-digit code from your authenticator app") else {
            return;
        };
        spawn_local(async move {
            let answer = api::confirm_authenticator::<C>(&typed).await;
            busy.set(false);
            match answer {
                Ok(confirmed) => {
                    on_confirmed.run(confirmed);
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
        {children()}
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
pub fn RecoveryCodes(codes: Vec<String>, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
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
        <button class="nhsuk-button" type="button" on:click=move |_| on_done.run(())>
            "I have saved my recovery codes"
        </button>
    }
}

/// The typed code, when the form may send it (nothing on its way already, and
/// something typed); `busy` is then set until the answer comes.
pub fn code_to_send(
    code: RwSignal<String>,
    errors: RwSignal<Vec<ErrorItem>>,
    busy: RwSignal<bool>,
    when_empty: &str,
) -> Option<String> {
    if busy.get_untracked() {
        return None;
    }
    let typed = code.get_untracked();
    if typed.trim().is_empty() {
        errors.set(vec![ErrorItem::field("code", when_empty)]);
        return None;
    }
    busy.set(true);
    Some(typed)
}

/// A code refused: its errors on the form, and the field emptied for the next one.
pub fn refused(code: RwSignal<String>, errors: RwSignal<Vec<ErrorItem>>, error: &ApiError) {
    code.set(String::new());
    errors.set(code_errors(error));
}

/// A refusal of a code as errors on the form.
fn code_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(problem) => {
            let per_field = crate::forms::from_problem(problem, &["code"]);
            if !per_field.is_empty() {
                return per_field;
            }
            let message = match problem.retry_after {
                Some(seconds) => format!("{}. {}", problem.title.trim_end_matches('.'), wait_sentence(seconds)),
                None => error.message(),
            };
            vec![ErrorItem::form(message)]
        }
        ApiError::Unauthorised(_) => vec![ErrorItem::form("Your sign-in has ended. Sign in again.")],
        ApiError::Unavailable => vec![ErrorItem::form(error.message())],
    }
}
