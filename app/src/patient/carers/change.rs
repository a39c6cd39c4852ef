//! `/carers/change?link=…`: the patient changes what a carer they invited
//! sees, and until when. The carer is told by email that their access
//! changed (not how: the email carries nothing about the record).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{CarerKind, CarerLinkView, ChangeCarerAccessRequest};

use super::invite::{AccessQuestions, end_day};
use super::{NoOwnRecord, SignInFirst};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, DateParts, ErrorItem, ErrorSummary};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::query::param;
use crate::patient::router::{Link, navigate};

const TITLE: &str = "Change what a carer can see";
const FIELDS: [&str; 2] = ["access_level", "ends_on"];

#[component]
pub fn ChangeCarer() -> impl IntoView {
    show_page(TITLE, SERVICE);
    let link_id = param("link").unwrap_or_default();
    let carers = load(api::my_carers);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || {
                    let link_id = link_id.clone();
                    match carers.get() {
                        None => view! { <h1 tabindex="-1">{TITLE}</h1><p role="status">"Loading…"</p> }.into_any(),
                        Some(Ok(answer)) => match answer.carers.into_iter().find(|c| c.id == link_id) {
                            Some(link) if link.kind == CarerKind::AdultCarerConsent => {
                                view! { <ChangeForm link=link/> }.into_any()
                            }
                            Some(_) => view! {
                                <h1 tabindex="-1">"Only your clinical team can change this person's access"</h1>
                                <p>"They were given access by a professional. Contact your clinical team."</p>
                                <p><Link href="/carers">"Go back to your carers"</Link></p>
                            }
                            .into_any(),
                            None => view! {
                                <h1 tabindex="-1">"This carer no longer has access"</h1>
                                <p><Link href="/carers">"Go back to your carers"</Link></p>
                            }
                            .into_any(),
                        },
                        Some(Err(ApiError::Unauthorised(_))) => view! { <SignInFirst heading=TITLE/> }.into_any(),
                        Some(Err(ApiError::Refused(problem))) if problem.status == 404 => {
                            view! { <NoOwnRecord/> }.into_any()
                        }
                        Some(Err(error)) => {
                            view! { <h1 tabindex="-1">{TITLE}</h1><p>{error.message()}</p> }.into_any()
                        }
                    }
                }}
            </div>
        </div>
    }
}

/// The boxes of a stored end (`2027-03-31T00:00:00.000000Z`): day, month, year.
fn end_parts(ends_at: Option<&str>) -> (String, String, String) {
    let Some(date) = ends_at.and_then(|at| at.get(..10)) else { return Default::default() };
    let mut parts = date.split('-').map(|p| p.trim_start_matches('0').to_owned());
    let (year, month, day) = (parts.next(), parts.next(), parts.next());
    (day.unwrap_or_default(), month.unwrap_or_default(), year.unwrap_or_default())
}

#[component]
fn ChangeForm(link: CarerLinkView) -> impl IntoView {
    let level = RwSignal::new(link.access_level.as_str().to_owned());
    let ends = DateParts::new();
    let (day, month, year) = end_parts(link.ends_at.as_deref());
    ends.day.set(day);
    ends.month.set(month);
    ends.year.set(year);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let name = link.carer_name.clone();
    let id = link.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let ends_on = match end_day(&ends.day.get_untracked(), &ends.month.get_untracked(), &ends.year.get_untracked())
        {
            Ok(ends_on) => ends_on,
            Err(message) => return errors.set(vec![ErrorItem::field("ends_on", message)]),
        };
        let request = ChangeCarerAccessRequest { access_level: level.get_untracked(), ends_on };
        busy.set(true);
        let (id, name) = (id.clone(), name.clone());
        spawn_local(async move {
            let answer = api::change_carer(&id, &request).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    let who: String = js_sys::encode_uri_component(&name).into();
                    navigate(&format!("/carers?changed={who}"));
                }
                Err(error) => errors.set(forms::refusal_errors(&error, &FIELDS)),
            }
        });
    };
    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">{format!("Change what {} can see", link.carer_name)}</h1>
        <form on:submit=submit novalidate>
            <AccessQuestions level=level ends=ends errors=errors/>
            <Button busy=busy>"Save changes"</Button>
        </form>
        <p><Link href="/carers">"Cancel"</Link></p>
    }
}

#[cfg(test)]
mod tests {
    use super::end_parts;

    #[test]
    fn a_stored_end_fills_the_boxes_as_people_type_them() {
        let parts = end_parts(Some("2027-03-01T00:00:00.000000Z"));
        assert_eq!(parts, ("1".to_owned(), "3".to_owned(), "2027".to_owned()));
        assert_eq!(end_parts(None), Default::default());
    }
}
