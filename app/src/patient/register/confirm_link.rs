//! `/register/confirm-email?token=…`: the link from the email, opened on the
//! device where registration started or any other. The token is taken out
//! of the address bar at once, then sent; this device carries on from here.

use leptos::prelude::*;
use portico_types::api::ConfirmEmailRequest;

use super::refusal::Refusal;
use super::{Caption, path_of};
use crate::api::{self, ApiError};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::query::take_param;
use crate::patient::router::Link;

#[component]
pub fn ConfirmLink() -> impl IntoView {
    show_page("Confirming your email address", SERVICE);
    let token = take_param("token").unwrap_or_default();
    let confirmed = load(move || {
        let request = ConfirmEmailRequest { code: None, token: Some(token.clone()) };
        async move { api::confirm_registration_email(&request).await }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match confirmed.get() {
                    None => view! {
                        <h1 tabindex="-1">"Confirming your email address"</h1>
                        <p role="status">"Please wait…"</p>
                    }
                    .into_any(),
                    Some(Ok(view)) => view! {
                        <Caption/>
                        <h1 tabindex="-1">"Your email address is confirmed"</h1>
                        <p>"You can finish registering on this device."</p>
                        <p><Link href=path_of(view.step)>"Continue to choose a password"</Link></p>
                    }
                    .into_any(),
                    Some(Err(ApiError::Refused(problem))) => view! { <Refusal problem=problem/> }.into_any(),
                    Some(Err(error)) => view! {
                        <h1 tabindex="-1">"Your email address could not be confirmed"</h1>
                        <p>{error.message()}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}
