//! What a registration page shows when the server has said no for good:
//! the server's own words, then the way forward that fits.

use leptos::prelude::*;
use portico_types::problem::Problem;

use crate::patient::router::Link;

/// A whole-page answer for a refusal that no retyping will fix (used,
/// expired, locked, registered, timed out), with what to do next.
#[component]
pub fn Refusal(problem: Problem) -> impl IntoView {
    let sign_in = matches!(problem.kind.as_str(), "invitation-used" | "record-registered" | "email-taken");
    let start_again = matches!(problem.kind.as_str(), "registration-not-found" | "email-link-used" | "email-code-used");
    view! {
        <h1 tabindex="-1">{problem.title.clone()}</h1>
        {problem.detail.clone().map(|detail| view! { <p>{detail}</p> })}
        {sign_in.then(|| view! {
            <p><Link href="/sign-in">"Sign in to Portico"</Link></p>
            <p><Link href="/forgotten-password">"Reset your password"</Link></p>
        })}
        {start_again.then(|| match super::remembered_join_page() {
            // Begun on a team's join page: that page is where to start again.
            Some(slug) => {
                let href = format!("/join/{}", String::from(js_sys::encode_uri_component(&slug)));
                view! { <p><a href=href>"Start again on your clinical team's page"</a></p> }.into_any()
            }
            None => view! {
                <p><Link href="/register">"Start again with your registration code"</Link></p>
            }
            .into_any(),
        })}
        {(!sign_in && !start_again).then(|| view! {
            <div class="nhsuk-inset-text">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"Your clinical team's phone number is on your letter or appointment card."</p>
            </div>
        })}
    }
}

/// Whether a refusal ends the journey (as opposed to a field to correct).
pub fn is_final(problem: &Problem) -> bool {
    problem.errors.is_empty()
        && !matches!(problem.kind.as_str(), "registration-mismatch" | "too-many-attempts" | "too-many-emails")
}
