//! Taking the device back after handing it to a patient to register: the
//! staff session was suspended on the server, and only the professional's
//! password resumes it (signing in anew, throttled like any sign-in). Shown
//! by the sign-in page, where every staff page sends a suspended session.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portico_types::api::HandoverView;

use super::HOME_PATH;
use super::session::StaffSession;
use crate::api;
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, message_for};

#[component]
pub fn HandBack(handover: HandoverView, #[prop(into)] on_someone_else: Callback<()>) -> impl IntoView {
    let session = StaffSession::get();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let back_to = handover.record_id.as_ref().map_or_else(|| HOME_PATH.to_owned(), |id| format!("/staff/records/{id}"));

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
        let navigate = navigate.clone();
        let back_to = back_to.clone();
        spawn_local(async move {
            let answer = api::resume_session(&typed).await;
            busy.set(false);
            match answer {
                Ok(current) => {
                    session.current.set(Some(current));
                    navigate(&back_to, Default::default());
                }
                Err(error) => {
                    password.set(String::new());
                    errors.set(forms::refusal_errors(&error, &["password"]));
                }
            }
        });
    };
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));

    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">"Take the device back"</h1>
        <p>
            {format!("{} handed this device to a patient to register. ", handover.staff_name)}
            "Enter your password to carry on where you were."
        </p>
        <p class="nhsuk-body-s portico-break-anywhere">{format!("Account: {}", handover.staff_email.as_str())}</p>
        <form on:submit=submit novalidate>
            <PasswordInput id="password" label="Password" value=password error=password_error shown=shown/>
            <Button busy=busy>"Continue"</Button>
        </form>
        <p>
            <a href="#" on:click=move |ev| {
                ev.prevent_default();
                on_someone_else.run(());
            }>"Sign in as someone else"</a>
        </p>
    }
}
