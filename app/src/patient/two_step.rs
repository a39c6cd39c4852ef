//! `/account/two-step-sign-in`: a patient chooses to sign in with a code from
//! an authenticator app as well as their password (professionals always do),
//! and may turn it off again with their password. NHS login sign-ins never ask
//! for it: NHS login has its own. A bundle of its own (`two-step`): wanted
//! once, by few, and too big to ride in another's first load.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{SecondFactorEnrolment, SecondFactorStatus};

use crate::api;
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, message_for};
use crate::loader::load;
use crate::page::{focus_heading, show_page};
use crate::patient::SERVICE;
use crate::patient::router::{Link, TWO_STEP_PATH};
use crate::second_factor::{RecoveryCodes, ScanAndConfirm};
use crate::success_banner::SuccessBanner;

/// The part of the `SecondFactorConfirmed` answer this page reads: it also
/// holds the whole session, staff profile and all, whose reader would weigh
/// on this bundle's first load (see `api::PatientSessionResponse`).
#[derive(serde::Deserialize)]
struct Confirmed {
    recovery_codes: Vec<String>,
}

/// Where the page is: the account's state, setting up, or the recovery codes just made.
#[derive(Clone)]
enum Step {
    Status,
    SettingUp(SecondFactorEnrolment),
    RecoveryCodes(Vec<String>),
}

#[component]
pub fn TwoStepSignIn() -> impl IntoView {
    show_page("Two-step sign-in", SERVICE);
    let status = load(api::second_factor_status);
    let step = RwSignal::new(Step::Status);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match (step.get(), status.get()) {
                    (Step::RecoveryCodes(codes), _) => {
                        let done = move |()| reload_saying("on");
                        view! { <RecoveryCodes codes=codes on_done=done/> }.into_any()
                    }
                    (Step::SettingUp(enrolment), _) => {
                        let confirmed = move |c: Confirmed| step.set(Step::RecoveryCodes(c.recovery_codes));
                        view! {
                            <ScanAndConfirm enrolment=enrolment on_confirmed=Callback::new(confirmed)>
                                <p>"From now on, signing in with your password will also ask for the code the app shows."</p>
                            </ScanAndConfirm>
                        }
                        .into_any()
                    }
                    (Step::Status, None) => view! {
                        <h1 tabindex="-1">"Two-step sign-in"</h1>
                        <p role="status">"Loading…"</p>
                    }
                    .into_any(),
                    (Step::Status, Some(Ok(status))) => view! { <Status status=status step=step/> }.into_any(),
                    (Step::Status, Some(Err(_))) => view! {
                        <h1 tabindex="-1">"Sign in to change two-step sign-in"</h1>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// The page afresh (its state read again), with the change said at the top.
fn reload_saying(turned: &str) {
    let _ = window().location().assign(&format!("{TWO_STEP_PATH}?turned={turned}"));
}

#[component]
fn Status(status: SecondFactorStatus, step: RwSignal<Step>) -> impl IntoView {
    let query = window().location().search().unwrap_or_default();
    let changed = if query.contains("turned=on") {
        Some("Two-step sign-in is on")
    } else if query.contains("turned=off") {
        Some("Two-step sign-in is off")
    } else {
        None
    };
    let failed = RwSignal::new(None::<String>);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match api::begin_authenticator().await {
                Ok(enrolment) => {
                    step.set(Step::SettingUp(enrolment));
                    request_animation_frame(focus_heading);
                }
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    view! {
        {changed.map(|text| view! { <SuccessBanner heading=text title_id="two-step-changed"/> })}
        <h1 tabindex="-1">"Two-step sign-in"</h1>
        {if status.set_up {
            view! {
                <p>"Two-step sign-in is on. Signing in with your password also asks for the code from your authenticator app."</p>
                <p>{format!("You have {} unused recovery {}.", status.recovery_codes_left, if status.recovery_codes_left == 1 { "code" } else { "codes" })}</p>
                {(!status.required).then(|| view! { <TurnOff/> })}
            }
            .into_any()
        } else {
            view! {
                <p>"Keep your record safer: as well as your password, signing in will ask for a 6-digit code from an authenticator app on your phone."</p>
                <p>"Signing in with NHS login does not change."</p>
                {move || failed.get().map(|message| view! { <p class="nhsuk-error-message" role="alert">{message}</p> })}
                <form on:submit=start novalidate>
                    <button class="nhsuk-button" type="submit">"Set up two-step sign-in"</button>
                </form>
            }
            .into_any()
        }}
        <p><Link href="/account">"Back to your account"</Link></p>
    }
}

/// Turning two-step sign-in off takes the password.
#[component]
fn TurnOff() -> impl IntoView {
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
        let typed = password.get_untracked();
        if typed.is_empty() {
            return errors.set(vec![ErrorItem::field("password", "Enter your password")]);
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::turn_off_second_factor(&typed).await;
            busy.set(false);
            match answer {
                Ok(()) => reload_saying("off"),
                Err(error) => {
                    password.set(String::new());
                    errors.set(forms::refusal_errors(&error, &["password"]));
                }
            }
        });
    };
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    view! {
        <h2>"Turn off two-step sign-in"</h2>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <PasswordInput id="password" label="Your password" value=password error=password_error shown=shown/>
            <Button busy=busy class="nhsuk-button--secondary">"Turn off two-step sign-in"</Button>
        </form>
    }
}
