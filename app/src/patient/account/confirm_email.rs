//! `/account/confirm-email?token=…`: the link sent to a new address. Opened
//! on any device; the token leaves the address bar at once.

use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::query::take_param;
use crate::patient::router::Link;

#[component]
pub fn ConfirmEmailChange() -> impl IntoView {
    show_page("Confirm your new email address", SERVICE);
    let token = take_param("token").unwrap_or_default();
    let confirmed = load(move || {
        let token = token.clone();
        async move { api::confirm_email_change(&token).await }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match confirmed.get() {
                    None => view! { <h1 tabindex="-1">"Confirming your new email address"</h1><p role="status">"Please wait…"</p> }.into_any(),
                    Some(Ok(())) => view! {
                        <h1 tabindex="-1">"Your email address has been changed"</h1>
                        <p>"Use your new email address to sign in from now on."</p>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                    }
                    .into_any(),
                    Some(Err(ApiError::Refused(problem))) => view! {
                        <h1 tabindex="-1">{problem.title.clone()}</h1>
                        {problem.detail.clone().map(|d| view! { <p>{d}</p> })}
                        <p><Link href="/account">"Go to your account"</Link></p>
                    }
                    .into_any(),
                    Some(Err(error)) => view! { <h1 tabindex="-1">"Your email address has not changed"</h1><p>{error.message()}</p> }.into_any(),
                }}
            </div>
        </div>
    }
}
