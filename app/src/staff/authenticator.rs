//! `/staff/set-up-authenticator`: a professional without a second factor sets
//! up an authenticator app after their password, before any staff page opens
//! (the steps are [`crate::second_factor`]'s, shared with patients).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portico_types::api::SecondFactorConfirmed;

use super::session::{StaffSession, sign_in_on_unauthorised};
use super::{HOME_PATH, SERVICE};
use crate::api;
use crate::loader::load;
use crate::page::show_page;
use crate::second_factor::{RecoveryCodes, ScanAndConfirm};

#[component]
pub fn SetUpAuthenticator() -> impl IntoView {
    show_page("Set up your authenticator app", SERVICE);
    let enrolment = load(api::begin_authenticator);
    sign_in_on_unauthorised(enrolment);
    let recovery_codes = RwSignal::new(None::<Vec<String>>);
    let session = StaffSession::get();
    let navigate = use_navigate();
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match (recovery_codes.get(), enrolment.get()) {
                    (Some(codes), _) => {
                        let navigate = navigate.clone();
                        let done = move |()| navigate(HOME_PATH, Default::default());
                        view! { <RecoveryCodes codes=codes on_done=done/> }.into_any()
                    }
                    (None, None) => view! { <p role="status">"Loading…"</p> }.into_any(),
                    (None, Some(Ok(enrolment))) => {
                        let confirmed = move |confirmed: SecondFactorConfirmed| {
                            session.current.set(Some(confirmed.session));
                            recovery_codes.set(Some(confirmed.recovery_codes));
                        };
                        view! {
                            <ScanAndConfirm enrolment=enrolment on_confirmed=Callback::new(confirmed)>
                                <p>"Staff accounts reach many patients' records, so signing in takes a code from an app on your phone as well as your password."</p>
                            </ScanAndConfirm>
                        }
                        .into_any()
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
