//! Where a patient's requests to join a team have got to, shown on the
//! record page while their account has no record: waiting in the team's
//! queue, or declined with the team's own words.

use leptos::prelude::*;
use portico_types::api::{MySignUp, SignUpState};

use crate::api;
use crate::dates::long_date;
use crate::loader::load;

/// The account's newest request and what it means; the plain "no record"
/// page when there is none.
#[component]
pub fn SignUpStatus() -> impl IntoView {
    let sign_ups = load(api::my_sign_ups);
    move || match sign_ups.get() {
        None => view! {
            <h1 tabindex="-1">"Your record"</h1>
            <p role="status">"Loading…"</p>
        }
        .into_any(),
        Some(Ok(mine)) => match mine.sign_ups.into_iter().next() {
            Some(newest) => view! { <Newest sign_up=newest/> }.into_any(),
            None => no_record().into_any(),
        },
        Some(Err(_)) => no_record().into_any(),
    }
}

fn no_record() -> impl IntoView {
    view! {
        <h1 tabindex="-1">"We could not find your record"</h1>
        <p>"Your account is not linked to a health record yet."</p>
        <p>"Contact your clinical team: they can check your details and invite you again."</p>
    }
}

#[component]
fn Newest(sign_up: MySignUp) -> impl IntoView {
    let asked = long_date(&sign_up.requested_on);
    match sign_up.state {
        SignUpState::Declined => view! {
            <h1 tabindex="-1">{format!("{} could not accept your request", sign_up.team_name)}</h1>
            <p>{format!("You asked to join {} on {asked}. They said:", sign_up.team_name)}</p>
            <div class="nhsuk-inset-text">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                {sign_up
                    .decline_reason
                    .unwrap_or_default()
                    .lines()
                    .map(|line| view! { <p>{line.to_owned()}</p> })
                    .collect_view()}
            </div>
            <p>{format!("If you have questions, contact {}.", sign_up.team_name)}</p>
        }
        .into_any(),
        // Linked or created shows the record itself; a stale answer says to wait a moment.
        _ => view! {
            <h1 tabindex="-1">{format!("You are waiting to join {}", sign_up.team_name)}</h1>
            <p>{format!("You asked to join {} on {asked}.", sign_up.team_name)}</p>
            <p>
                "The team will check your details against their records and link your account to your "
                "health record. We will email you when they have. This usually takes a few working days."
            </p>
            <p>"You do not need to do anything else. Sign in again later to see your record."</p>
        }
        .into_any(),
    }
}
