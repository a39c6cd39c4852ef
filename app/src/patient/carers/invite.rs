//! `/carers/invite`: the patient invites a carer by email, choosing how
//! much they see and, if they like, a day their access ends. The carer gets
//! an email with a link that works once; they register (or sign in) with
//! that address, which proves it is theirs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::EmailAddress;
use portico_types::api::InviteCarerRequest;

use crate::api::{self, ApiError};
use crate::forms::{
    self, Button, DateInput, DateParts, ErrorItem, ErrorSummary, RadioOption, Radios, TextInput, message_for,
};
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::carers::{NoOwnRecord, SignInFirst};
use crate::patient::router::{Link, navigate};

const TITLE: &str = "Invite a carer";
const FIELDS: [&str; 3] = ["email", "access_level", "ends_on"];

const LEVELS: &[RadioOption] = &[
    RadioOption {
        value: "not_private",
        label: "Everything except private and sensitive entries",
        hint: Some(
            "They will not see entries you make private, or entries your clinical team marked as sensitive. \
             This is the usual choice.",
        ),
    },
    RadioOption { value: "everything", label: "Everything", hint: Some("They will see everything you can see.") },
];

/// The end date as the server takes it: `YYYY-MM-DD`, or empty for none.
/// `Err` with the message when some boxes are filled and the date is not real.
pub(super) fn end_day(day: &str, month: &str, year: &str) -> Result<String, &'static str> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Ok(String::new());
    }
    let parsed = (|| {
        let d: u8 = day.parse().ok()?;
        let m: u8 = month.parse().ok()?;
        let y: i32 = year.parse().ok().filter(|_| year.len() == 4)?;
        time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
    })();
    parsed.map(|date| date.to_string()).ok_or("Enter a real date, like 31 3 2027, or leave it empty")
}

#[component]
pub fn InviteCarer() -> impl IntoView {
    show_page(TITLE, SERVICE);
    let email = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let ends = DateParts::new();
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    // Who may invite: only a signed-in patient with a record of their own.
    let barred = RwSignal::new(None::<ApiError>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = Vec::new();
        if let Err(e) = EmailAddress::parse(&email.get_untracked()) {
            found.push(ErrorItem::field("email", e.to_string()));
        }
        if level.get_untracked().is_empty() {
            found.push(ErrorItem::field("access_level", "Choose what your carer can see"));
        }
        let ends_on = end_day(&ends.day.get_untracked(), &ends.month.get_untracked(), &ends.year.get_untracked());
        if let Err(message) = ends_on {
            found.push(ErrorItem::field("ends_on", message));
        }
        if !found.is_empty() {
            return errors.set(found);
        }
        let request = InviteCarerRequest {
            email: email.get_untracked().trim().to_owned(),
            access_level: level.get_untracked(),
            ends_on: ends_on.unwrap_or_default(),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api::invite_carer(&request).await;
            busy.set(false);
            match answer {
                Ok(sent) => {
                    let to: String = js_sys::encode_uri_component(&sent.email).into();
                    navigate(&format!("/carers?invited={to}"));
                }
                Err(error @ ApiError::Unauthorised(_)) => barred.set(Some(error)),
                Err(ApiError::Refused(problem)) if problem.status == 404 => {
                    barred.set(Some(ApiError::Refused(problem)));
                }
                Err(error) => {
                    let mut shown = forms::refusal_errors(&error, &FIELDS);
                    // A refusal about the person invited belongs on the address,
                    // in the refusal's own short words ("You cannot invite yourself…").
                    if let ApiError::Refused(problem) = &error
                        && problem.errors.is_empty()
                        && matches!(problem.status, 409 | 422)
                    {
                        shown = vec![ErrorItem::field("email", problem.title.clone())];
                    }
                    errors.set(shown);
                }
            }
        });
    };
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "email")));

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match barred.get() {
                    Some(ApiError::Unauthorised(_)) => view! { <SignInFirst heading=TITLE/> }.into_any(),
                    Some(_) => view! { <NoOwnRecord/> }.into_any(),
                    None => view! {
                        <ErrorSummary errors=errors/>
                        <h1 tabindex="-1">{TITLE}</h1>
                        <p>
                            "We will email your carer a link. They will need to register with that email address, "
                            "or sign in if they already use Portico, before they can see your record."
                        </p>
                        <form on:submit=submit novalidate>
                            <TextInput
                                id="email"
                                label="Your carer's email address"
                                value=email
                                error=email_error
                                input_type="email"
                                autocomplete="off"
                                no_spellcheck=true
                            />
                            <AccessQuestions level=level ends=ends errors=errors/>
                            <Button busy=busy>"Send invitation"</Button>
                        </form>
                        <p><Link href="/carers">"Cancel"</Link></p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// What a carer sees and until when: the invitation's questions, and the
/// change page's, for a form whose errors name `access_level` and `ends_on`.
#[component]
pub(super) fn AccessQuestions(
    level: RwSignal<String>,
    ends: DateParts,
    errors: RwSignal<Vec<ErrorItem>>,
) -> impl IntoView {
    let level_error = Signal::derive(move || errors.with(|e| message_for(e, "access_level")));
    let ends_error = Signal::derive(move || errors.with(|e| message_for(e, "ends_on")));
    view! {
        <Radios id="access_level" legend="What can they see?" options=LEVELS value=level error=level_error/>
        <DateInput
            id="ends_on"
            heading="When should their access end? (optional)"
            hint="Leave this empty to keep their access until you stop it. For example, 31 3 2027"
            parts=ends
            error=ends_error
            one_of_several=true
        />
    }
}

#[cfg(test)]
mod tests {
    use super::end_day;

    #[test]
    fn the_end_date_is_optional_but_real_when_given() {
        assert_eq!(end_day("", " ", ""), Ok(String::new()));
        assert_eq!(end_day("31", "3", "2027"), Ok("2027-03-31".to_owned()));
        assert!(end_day("31", "2", "2027").is_err());
        assert!(end_day("1", "", "2027").is_err());
        assert!(end_day("1", "1", "27").is_err());
    }
}
