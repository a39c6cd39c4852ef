//! `/kiosk`: check-in on a tablet in a clinic's waiting room, set up from
//! the team page. Full-screen, large type, big touch targets, and its own
//! frame: no staff header, nothing to sign in to.
//!
//! The steps are one page whose state is the current [`Step`]: the date of
//! birth, then a surname, NHS number or letter reference, then how to get
//! the invitation, then what happened. Starting again (the button, a minute
//! without a touch, or finishing) drops every step's state, so nothing a
//! patient typed outlives their turn. The kiosk never shows anything from a
//! record; the server never sends it any.

mod choose;
mod done;
mod identify;
mod idle;

use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;
use portico_types::DateOfBirth;
use portico_types::api::{KioskInvitation, KioskInviteVia, KioskView};
use portico_types::problem::Problem;

use crate::api::{self, ApiError};
use crate::layout::{MAIN_ID, NhsLogo};
use crate::loader::load;
use crate::not_found::NotFound;
use crate::page::show_page;

/// The service name in every kiosk page's title.
pub const SERVICE: &str = "Portico check-in";
/// Where a kiosk starts.
pub const HOME_PATH: &str = "/kiosk";
/// The class on `<html>` that gives the kiosk its large type.
const MODE_CLASS: &str = "portico-kiosk-mode";

/// Whether `path` is the kiosk's, rather than the staff console's.
pub fn is_kiosk_path(path: &str) -> bool {
    path == HOME_PATH || path.starts_with("/kiosk/")
}

/// Where a patient is in checking in.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Start,
    DateOfBirth,
    Identify(DateOfBirth),
    Choose {
        token: String,
        options: Vec<KioskInviteVia>,
    },
    Sent(KioskInviteVia),
    OnScreen(KioskInvitation),
    AlreadyRegistered,
    NotFound,
    /// Too many wrong dates of birth for one identity.
    AskAtReception,
    /// The check-in timed out between identifying and choosing.
    TimedOut,
    /// The kiosk was switched off (or never set up): the server's words.
    Closed(Problem),
}

impl Step {
    /// The step an answer of the kiosk's API leads to, when it is not one to
    /// show on the form: the kiosk switched off.
    pub fn closed_by(error: &ApiError) -> Option<Step> {
        match error {
            ApiError::Unauthorised(problem) => Some(Step::Closed(problem.clone())),
            _ => None,
        }
    }
}

/// The root of the kiosk, in place of the staff console's.
#[component]
pub fn KioskRoot() -> impl IntoView {
    if let Some(html) = document().document_element() {
        html.set_class_name(MODE_CLASS);
    }
    view! {
        <Router>
            <FlatRoutes fallback=|| view! {
                <KioskFrame>
                    <NotFound service=SERVICE home=HOME_PATH home_text="Go to the check-in page"/>
                </KioskFrame>
            }>
                <Route path=path!("/kiosk") view=Kiosk/>
            </FlatRoutes>
        </Router>
    }
}

/// The kiosk's own frame: the NHS logo and the service's name, the page, and
/// nothing that leads anywhere else.
#[component]
fn KioskFrame(children: Children) -> impl IntoView {
    view! {
        <div class="portico-kiosk">
            <header class="nhsuk-header" role="banner">
                <div class="nhsuk-header__container nhsuk-width-container">
                    <div class="nhsuk-header__service">
                        // A page load: the surest way to start again.
                        <a class="nhsuk-header__service-logo" href=HOME_PATH rel="external" aria-label="NHS check-in: start again">
                            <NhsLogo/>
                            <span class="nhsuk-header__service-name">"Check in"</span>
                        </a>
                    </div>
                </div>
            </header>
            // The flex item is this wrapper, not the width container: a flex
            // item with auto margins shrinks to its content.
            <div class="portico-kiosk__page">
                <div class="nhsuk-width-container">
                    <main class="nhsuk-main-wrapper" id=MAIN_ID tabindex="-1">
                        {children()}
                    </main>
                </div>
            </div>
        </div>
    }
}

/// The kiosk page: its team, the current step, and the idle clock.
#[component]
fn Kiosk() -> impl IntoView {
    let step = RwSignal::new(Step::Start);
    // Read again each time the kiosk starts again, so a kiosk switched off
    // while it waited says so.
    let starts = RwSignal::new(0u32);
    let kiosk = load(move || {
        starts.track();
        api::kiosk()
    });
    let start_again = Callback::new(move |()| {
        step.set(Step::Start);
        starts.update(|n| *n += 1);
    });
    let reset_after = Memo::new(move |before: Option<&u32>| match kiosk.get() {
        Some(Ok(view)) => view.idle_reset_secs.max(idle::WARNING_SECS + 10),
        _ => before.copied().unwrap_or(60),
    });
    let counting = Signal::derive(move || step.with(|s| *s != Step::Start));
    let idle = idle::watch(counting, reset_after.into(), start_again);

    view! {
        <KioskFrame>
            <Show when=move || idle.warning.get()>
                <idle::IdleWarning/>
            </Show>
            {move || match kiosk.get() {
                None => view! { <p role="status">"Loading…"</p> }.into_any(),
                Some(Err(error)) => match Step::closed_by(&error) {
                    Some(Step::Closed(problem)) => view! { <done::Closed problem=problem/> }.into_any(),
                    _ => view! { <done::Unavailable/> }.into_any(),
                },
                Some(Ok(view)) => view! { <Steps step=step kiosk=view/> }.into_any(),
            }}
            <Show when=move || counting.get()>
                <div class="portico-kiosk__start-again">
                    <button
                        class="nhsuk-button nhsuk-button--secondary"
                        type="button"
                        on:click=move |_| start_again.run(())
                    >
                        "Start again"
                    </button>
                </div>
            </Show>
        </KioskFrame>
    }
}

/// The current step's screen. Each screen owns what is typed on it, so a
/// screen that goes takes its fields' contents with it.
#[component]
fn Steps(step: RwSignal<Step>, kiosk: KioskView) -> impl IntoView {
    let team = StoredValue::new(kiosk.team_name);
    // Only a change of step re-renders: a screen's own signals live in it.
    let current = Memo::new(move |_| step.get());
    move || match current.get() {
        Step::Start => view! { <Welcome team=team.get_value() step=step/> }.into_any(),
        Step::DateOfBirth => view! { <identify::DateOfBirthStep step=step/> }.into_any(),
        Step::Identify(date_of_birth) => {
            view! { <identify::IdentifyStep step=step date_of_birth=date_of_birth/> }.into_any()
        }
        Step::Choose { token, options } => {
            view! { <choose::ChooseStep step=step token=token options=options/> }.into_any()
        }
        Step::Sent(via) => view! { <done::Sent via=via/> }.into_any(),
        Step::OnScreen(invitation) => view! { <done::OnScreen invitation=invitation/> }.into_any(),
        Step::AlreadyRegistered => view! { <done::AlreadyRegistered/> }.into_any(),
        Step::NotFound => view! { <done::NotFound/> }.into_any(),
        Step::AskAtReception => view! { <done::AskAtReception/> }.into_any(),
        Step::TimedOut => view! { <done::TimedOut/> }.into_any(),
        Step::Closed(problem) => view! { <done::Closed problem=problem/> }.into_any(),
    }
}

/// What the kiosk shows while nobody is using it.
#[component]
fn Welcome(team: String, step: RwSignal<Step>) -> impl IntoView {
    show_page("Check in for your appointment", SERVICE);
    view! {
        <span class="nhsuk-caption-l">{team}</span>
        <h1 tabindex="-1">"Check in for your appointment"</h1>
        <p class="nhsuk-body-l">
            "Check in here to get your invitation to see your health record online, on your own phone."
        </p>
        <p>"You will need your date of birth, and your surname, your NHS number or your appointment letter."</p>
        <button class="nhsuk-button portico-kiosk__go" type="button" on:click=move |_| step.set(Step::DateOfBirth)>
            "Check in"
        </button>
    }
}
