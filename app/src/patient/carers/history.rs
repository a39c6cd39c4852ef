//! `/carers/access-history`: each time a carer opened the patient's
//! record, and each change to who may see it, newest first, with who did it.

use leptos::prelude::*;
use portico_types::api::AccessEvent;

use super::{NoOwnRecord, SignInFirst};
use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::router::Link;

const TITLE: &str = "When carers looked at your record";

/// What happened, in words; `None` for an action this page does not know.
fn what(action: &str) -> Option<&'static str> {
    Some(match action {
        "carer_record_viewed" => "Opened your record",
        "carer_invited" => "Invited a carer",
        "carer_invitation_withdrawn" => "Withdrew a carer's invitation",
        "carer_exclusion_overridden" => "Invited a carer on behalf of your clinical team",
        "carer_link_granted" => "Became able to see your record",
        "carer_link_changed" => "Changed what a carer can see",
        "carer_link_ended" => "Access to your record ended",
        "carer_link_review_due" => "Access came up for review",
        "carer_link_narrowed" => "A parent's access narrowed as you grew up",
        "carer_link_extended" => "Your clinical team kept a parent's access as it is for longer",
        _ => return None,
    })
}

#[component]
pub fn AccessHistory() -> impl IntoView {
    show_page(TITLE, SERVICE);
    let history = load(api::access_history);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match history.get() {
                    None => view! { <h1 tabindex="-1">{TITLE}</h1><p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(answer)) => view! { <Events events=answer.events/> }.into_any(),
                    Some(Err(ApiError::Unauthorised(_))) => view! { <SignInFirst heading=TITLE/> }.into_any(),
                    Some(Err(ApiError::Refused(problem))) if problem.status == 404 => {
                        view! { <NoOwnRecord/> }.into_any()
                    }
                    Some(Err(error)) => view! { <h1 tabindex="-1">{TITLE}</h1><p>{error.message()}</p> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Events(events: Vec<AccessEvent>) -> impl IntoView {
    let events: Vec<(AccessEvent, &'static str)> =
        events.into_iter().filter_map(|e| what(&e.action).map(|words| (e, words))).collect();
    view! {
        <h1 tabindex="-1">{TITLE}</h1>
        <p>"Every time a carer opens your record, and every change to who can see it, is listed here."</p>
        {if events.is_empty() {
            view! { <p>"No carer has looked at your record."</p> }.into_any()
        } else {
            view! {
                <ol class="nhsuk-list portico-timeline">
                    {events.into_iter().map(|(event, words)| view! {
                        <li class="nhsuk-u-margin-bottom-3">
                            <strong>{event.by.unwrap_or_else(|| "Portico".to_owned())}</strong>
                            <br/>
                            {words}
                            <br/>
                            <time class="nhsuk-body-s" datetime=event.at.clone()>{local_long_date_time(&event.at)}</time>
                        </li>
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }}
        <p><Link href="/carers">"Go back to your carers"</Link></p>
    }
}

#[cfg(test)]
mod tests {
    use super::what;

    #[test]
    fn every_action_the_server_lists_has_words() {
        for action in [
            "carer_record_viewed",
            "carer_invited",
            "carer_invitation_withdrawn",
            "carer_exclusion_overridden",
            "carer_link_granted",
            "carer_link_changed",
            "carer_link_ended",
            "carer_link_review_due",
        ] {
            assert!(what(action).is_some(), "{action}");
        }
        assert_eq!(what("sign_in"), None);
    }
}
