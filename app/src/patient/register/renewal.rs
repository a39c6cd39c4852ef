//! `/register/date-of-birth` when the code has expired: the patient can ask
//! for a new one, sent only to the contact details their clinical team
//! holds. The answer is the same sentence whatever happened (see the
//! server's `registration::renewal`), and the page says no more than it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::StartRegistrationRequest;
use portico_types::problem::Problem;

use crate::api;
use crate::forms::{Button, ErrorItem, ErrorSummary};
use crate::page::focus_heading;
use crate::patient::router::Link;

const TEAM_PHONE: &str = "Your clinical team's phone number is on your letter or appointment card.";

/// The expired-code page, then what happens next once a new code is asked for.
#[component]
pub fn ExpiredCode(problem: Problem, request: StartRegistrationRequest) -> impl IntoView {
    let request = StoredValue::new(request);
    let title = problem.title;
    let answer = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let asked = api::ask_for_new_code(&request.get_value()).await;
            busy.set(false);
            match asked {
                Ok(sent) => {
                    answer.set(Some(sent.message));
                    request_animation_frame(focus_heading);
                }
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };

    view! {
        {move || match answer.get() {
            Some(message) => view! {
                <h1 tabindex="-1">"Check your email and text messages"</h1>
                <p>{message}</p>
                <p>
                    "Use the new code with your date of birth, as before. When it arrives, "
                    <Link href="/register">"enter your new registration code"</Link>"."
                </p>
                <div class="nhsuk-inset-text">
                    <span class="nhsuk-u-visually-hidden">"Information: "</span>
                    <p>"If nothing arrives within a day, contact your clinical team. " {TEAM_PHONE}</p>
                </div>
            }
            .into_any(),
            None => view! {
                <ErrorSummary errors=errors/>
                <h1 tabindex="-1">{title.clone()}</h1>
                <p>
                    "We can send you a new code. It goes only to the email address or mobile number "
                    "your clinical team already holds for you."
                </p>
                <form on:submit=submit novalidate>
                    <Button busy=busy>"Send me a new code"</Button>
                </form>
                <p>"Or contact your clinical team and ask them for a new invitation. " {TEAM_PHONE}</p>
            }
            .into_any(),
        }}
    }
}
