//! `/staff/dev-outbox`: with no SMTP server configured (the embedded demo),
//! the emails Portico would have sent, newest first, their links live, so a
//! whole registration can be followed on one machine.

use leptos::prelude::*;
use portico_types::api::OutboxEmail;

use super::SERVICE;
use super::loader::load;
use super::session::sign_in_on_unauthorised;
use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::page::show_page;

#[component]
pub fn DevOutbox() -> impl IntoView {
    show_page("Development outbox", SERVICE);
    let outbox = load(api::dev_outbox);
    sign_in_on_unauthorised(outbox);
    view! {
        <a class="nhsuk-back-link" href=super::HOME_PATH>"Back to your teams"</a>
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">"Development outbox"</h1>
                {move || match outbox.get() {
                    None => view! { <p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(found)) if found.emails.is_empty() => view! {
                        <p>"No emails yet. Issue an invitation by email, or register, and they appear here."</p>
                    }
                    .into_any(),
                    Some(Ok(found)) => view! {
                        <p>"No SMTP server is configured, so these emails were not sent anywhere. Newest first."</p>
                        {found.emails.into_iter().map(|email| view! { <Email email=email/> }).collect_view()}
                    }
                    .into_any(),
                    Some(Err(ApiError::Refused(p))) if p.status == 404 => view! {
                        <p>"This Portico sends email through its SMTP server, so there is no development outbox."</p>
                    }
                    .into_any(),
                    Some(Err(error)) => view! { <p>{error.message()}</p> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Email(email: OutboxEmail) -> impl IntoView {
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading nhsuk-heading-s">{email.subject}</h2>
                <p class="nhsuk-body-s">"To " {email.to} " · " {local_long_date_time(&email.created_at)}</p>
                <div class="portico-prose">
                    {email.body.lines().map(|line| view! { <Line line=line.to_owned()/> }).collect_view()}
                </div>
            </div>
        </div>
    }
}

/// One line of a plain-text email; a link on its own line becomes a link.
#[component]
fn Line(line: String) -> impl IntoView {
    let trimmed = line.trim();
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        let (href, text) = (trimmed.to_owned(), trimmed.to_owned());
        view! { <p class="nhsuk-u-margin-bottom-1"><a href=href>{text}</a></p> }.into_any()
    } else if trimmed.is_empty() {
        view! { <br/> }.into_any()
    } else {
        view! { <p class="nhsuk-u-margin-bottom-1">{line}</p> }.into_any()
    }
}
