//! Registering on a device a professional handed over at the desk: every
//! registration page says whose device it is and how to give it back (so a
//! patient can stop at any point), and the last page sends it back.
//!
//! Giving it back goes to the staff sign-in page, where only the
//! professional's password resumes their session.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Caption;
use crate::api;
use crate::page::show_page;
use crate::patient::SERVICE;

/// Where the professional takes the device back.
const HAND_BACK_PATH: &str = "/staff/sign-in";

/// Who handed this device over (their name), if anyone: asked once when the bundle starts.
#[derive(Debug, Clone, Copy)]
pub struct Handover(RwSignal<Option<String>>);

impl Handover {
    pub fn provide() {
        let handover = Self(RwSignal::new(None));
        provide_context(handover);
        spawn_local(async move {
            // A refusal (404) means the device is the patient's own.
            if let Ok(name) = api::handed_over_by().await {
                handover.0.set(Some(name));
            }
        });
    }

    fn get() -> Option<String> {
        use_context::<Self>().and_then(|Self(view)| view.get())
    }
}

/// Above every registration page on a handed-over device.
#[component]
pub fn HandoverBanner() -> impl IntoView {
    move || {
        Handover::get().map(|staff_name| {
            view! {
                <div class="nhsuk-inset-text portico-handover">
                    <span class="nhsuk-u-visually-hidden">"Information: "</span>
                    <p>
                        {format!("You are registering on a device that belongs to {staff_name}. ")}
                        "Nothing about you stays on it when you give it back."
                    </p>
                    <p>
                        <a href=HAND_BACK_PATH>{format!("Stop and give the device back to {staff_name}")}</a>
                    </p>
                </div>
            }
        })
    }
}

/// `/register/hand-back`: registered on the desk's device; back it goes.
#[component]
pub fn HandBack() -> impl IntoView {
    show_page("You have registered", SERVICE);
    let staff = move || Handover::get().unwrap_or_else(|| "the member of staff".to_owned());
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <Caption/>
                <div class="nhsuk-panel nhsuk-panel--confirmation">
                    <h1 class="nhsuk-panel__title" tabindex="-1">"You have registered"</h1>
                    <div class="nhsuk-panel__body">"Your Portico account is ready"</div>
                </div>
                <h2>"What happens next"</h2>
                <p>
                    "You are not signed in on this device. To see your record, sign in on your own phone or "
                    "computer with your email address and the password you chose."
                </p>
                <p>{move || format!("Now give the device back to {}.", staff())}</p>
                <a class="nhsuk-button" href=HAND_BACK_PATH role="button" draggable="false">
                    {move || format!("Give the device back to {}", staff())}
                </a>
            </div>
        </div>
    }
}
