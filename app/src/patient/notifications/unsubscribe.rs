//! `/notifications/unsubscribe?token=…`: the page an email's "stop emails
//! like this one" link opens. Says what the link turns off and turns it off
//! with one button; no sign-in needed (the token is the proof). The token
//! leaves the address bar at once, so it is not left in the history.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::UnsubscribeView;

use super::{SETTINGS_PATH, unsubscribe_phrase};
use crate::api::{self, ApiError};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::query::take_param;
use crate::patient::router::Link;

#[component]
pub fn Unsubscribe() -> impl IntoView {
    show_page("Turn off emails", SERVICE);
    let token = StoredValue::new(take_param("token").unwrap_or_default());
    let found = load(move || {
        let token = token.get_value();
        async move {
            if token.is_empty() {
                // Nothing to ask about: as the server says of an unknown token.
                return Err(Unknown);
            }
            api::unsubscribe_view(&token).await.map_err(|e| match e {
                ApiError::Refused(problem) if problem.status == 404 => Unknown,
                other => Failed(other.message()),
            })
        }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match found.get() {
                    None => view! { <h1 tabindex="-1">"Turn off emails"</h1><p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(view)) => view! { <TurnOff view=view token=token/> }.into_any(),
                    Some(Err(Unknown)) => view! { <LinkDoesNotWork/> }.into_any(),
                    Some(Err(Failed(message))) => view! {
                        <h1 tabindex="-1">"Sorry, there is a problem with the service"</h1>
                        <p>{message}</p>
                        <p>"Your emails have not been changed. Try the link again later."</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// Why the link's page cannot be shown.
#[derive(Debug, Clone, PartialEq)]
enum LinkProblem {
    /// No token, or one the server does not know (404).
    Unknown,
    /// Anything else, in words for the person.
    Failed(String),
}
use LinkProblem::{Failed, Unknown};

#[component]
fn TurnOff(view: UnsubscribeView, token: StoredValue<String>) -> impl IntoView {
    let phrase = unsubscribe_phrase(&view.kind);
    let already_off = view.kind != "all" && view.delivery == "off";
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // One button and no fields: a failure is one message by it, as the
    // account page's sign-out-everywhere does (the form components would
    // weigh on this bundle's first load for it).
    let failed = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::unsubscribe(&token.get_value()).await;
            busy.set(false);
            match answer {
                Ok(_) => done.set(true),
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    view! {
        {move || if done.get() || already_off {
            view! {
                <div class="nhsuk-panel">
                    <h1 class="nhsuk-panel__heading" tabindex="-1">"Emails turned off"</h1>
                    <div class="nhsuk-panel__body">{format!("You will not get {phrase} any more.")}</div>
                </div>
                <p>"We will still email you about security, such as when your password is changed, to help keep your account safe."</p>
                <p><Link href=SETTINGS_PATH>"Change your email settings"</Link></p>
            }
            .into_any()
        } else {
            view! {
                <h1 tabindex="-1">"Turn off emails"</h1>
                <p>{format!("This will turn off {phrase}.")}</p>
                <p>"You can turn them back on at any time in your email settings."</p>
                {move || failed.get().map(|message| view! { <p class="nhsuk-error-message" role="alert">{message}</p> })}
                <form on:submit=submit novalidate>
                    <button
                        class="nhsuk-button"
                        type="submit"
                        aria-disabled=move || busy.get().then_some("true")
                    >
                        "Turn off these emails"
                    </button>
                </form>
                <p><Link href=SETTINGS_PATH>"Change your email settings instead"</Link></p>
            }
            .into_any()
        }}
    }
}

#[component]
fn LinkDoesNotWork() -> impl IntoView {
    view! {
        <h1 tabindex="-1">"This link does not work"</h1>
        <p>"The link may have been copied wrongly, or the account it was for has been closed."</p>
        <p>"Your emails have not been changed."</p>
        <p>
            "To choose which emails you get, "
            <Link href=SETTINGS_PATH>"go to your email settings"</Link>
            " (you will need to sign in)."
        </p>
    }
}
