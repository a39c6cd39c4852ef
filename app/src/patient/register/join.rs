//! `/join/<team>`: a team's public join page. The patient gives their
//! details; the email proof and password steps that follow are the invited
//! journey's own pages, and then the request waits in the team's queue.
//!
//! The form carries a small proof of work (see `portico_types::proof_of_work`)
//! that the page solves a little at a time from the moment it loads, so a
//! person is not kept waiting, and a hidden field that only a script fills in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{JoinPageView, JoinRequest};
use portico_types::proof_of_work::solve_within;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};

use super::path_of;
use crate::api::{self, ApiError};
use crate::forms::{self, Button, DateInput, DateParts, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::not_found::NotFound;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::nhs_login_button::ContinueWithNhsLogin;
use crate::patient::router::{current_path, join_slug, navigate};

const FIELDS: [&str; 6] = ["given_name", "family_name", "dob-day", "nhs_number", "email", "mobile"];
/// Nonces tried between two looks at the rest of the page.
const NONCES_PER_TURN: u64 = 4_096;

#[component]
pub fn Join() -> impl IntoView {
    show_page("Ask to join your clinical team", SERVICE);
    let slug = join_slug(&current_path()).unwrap_or_default().to_owned();
    let page = {
        let slug = slug.clone();
        crate::loader::load(move || {
            let slug = slug.clone();
            async move { api::join_page(&slug).await }
        })
    };
    view! {
        {move || match page.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Ok(view)) => view! { <JoinForm slug=slug.clone() page=view/> }.into_any(),
            Some(Err(ApiError::Refused(_))) => view! {
                <NotFound service=SERVICE home="/" home_text="Go to the Portico home page"/>
            }
            .into_any(),
            Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
        }}
    }
}

/// The nonce that solves the page's challenge, found in the background.
fn solve_in_background(challenge: String, bits: u32) -> RwSignal<Option<u64>> {
    let solved = RwSignal::new(None::<u64>);
    spawn_local(async move {
        let mut from = 0u64;
        loop {
            if let Some(nonce) = solve_within(&challenge, bits, from, NONCES_PER_TURN) {
                solved.set(Some(nonce));
                return;
            }
            from += NONCES_PER_TURN;
            next_turn().await;
        }
    });
    solved
}

/// Lets the browser draw and handle typing before the next batch of hashes.
async fn next_turn() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Waits until the background work has found the nonce.
async fn solution(solved: RwSignal<Option<u64>>) -> u64 {
    loop {
        if let Some(nonce) = solved.get_untracked() {
            return nonce;
        }
        next_turn().await;
    }
}

/// The form's fields.
#[derive(Clone, Copy)]
struct Fields {
    given_name: RwSignal<String>,
    family_name: RwSignal<String>,
    dob: DateParts,
    nhs_number: RwSignal<String>,
    email: RwSignal<String>,
    mobile: RwSignal<String>,
    leave_blank: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Self {
            given_name: RwSignal::new(String::new()),
            family_name: RwSignal::new(String::new()),
            dob: DateParts::new(),
            nhs_number: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            mobile: RwSignal::new(String::new()),
            leave_blank: RwSignal::new(String::new()),
        }
    }

    /// The request, or every field's problem, as the server would find them.
    fn request(self, challenge: &str) -> Result<JoinRequest, Vec<ErrorItem>> {
        let mut errors = Vec::new();
        let given_name = self.given_name.get_untracked();
        let family_name = self.family_name.get_untracked();
        if given_name.trim().is_empty() {
            errors.push(ErrorItem::field("given_name", "Enter your first name"));
        }
        if family_name.trim().is_empty() {
            errors.push(ErrorItem::field("family_name", "Enter your last name"));
        }
        let today = crate::dates::today().unwrap_or(time::Date::MAX);
        let (day, month, year) =
            (self.dob.day.get_untracked(), self.dob.month.get_untracked(), self.dob.year.get_untracked());
        let date_of_birth = DateOfBirth::from_parts(&day, &month, &year, today)
            .map_err(|e| errors.push(ErrorItem::field("dob-day", e.to_string())));
        let nhs_number = self.nhs_number.get_untracked();
        if !nhs_number.trim().is_empty()
            && let Err(e) = NhsNumber::parse(&nhs_number)
        {
            errors.push(ErrorItem::field("nhs_number", e.to_string()));
        }
        let email = self.email.get_untracked();
        if let Err(e) = EmailAddress::parse(&email) {
            errors.push(ErrorItem::field("email", e.to_string()));
        }
        let mobile = self.mobile.get_untracked();
        if !mobile.trim().is_empty()
            && let Err(e) = MobileNumber::parse(&mobile)
        {
            errors.push(ErrorItem::field("mobile", e.to_string()));
        }
        match date_of_birth {
            Ok(date_of_birth) if errors.is_empty() => Ok(JoinRequest {
                given_name,
                family_name,
                date_of_birth: date_of_birth.iso(),
                nhs_number,
                email: email.trim().to_owned(),
                mobile,
                leave_blank: self.leave_blank.get_untracked(),
                challenge: challenge.to_owned(),
                nonce: String::new(),
            }),
            _ => Err(errors),
        }
    }
}

#[component]
fn JoinForm(slug: String, page: JoinPageView) -> impl IntoView {
    let solved = solve_in_background(page.challenge.clone(), page.bits);
    let fields = Fields::new();
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let challenge = page.challenge.clone();
    let nhs_login_team = slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut request = match fields.request(&challenge) {
            Ok(request) => request,
            Err(found) => return errors.set(found),
        };
        busy.set(true);
        let slug = slug.clone();
        spawn_local(async move {
            request.nonce = solution(solved).await.to_string();
            let answer = api::join(&slug, &request).await;
            busy.set(false);
            match answer {
                Ok(view) => {
                    super::remember_join_page(&slug);
                    navigate(path_of(view.step));
                }
                Err(error) => errors.set(refusal_errors(&error)),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    let team_name = page.team_name.clone();
    let message: Vec<String> =
        page.message.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <span class="nhsuk-caption-l">{team_name.clone()}</span>
                <h1 tabindex="-1">"Ask to join " {team_name.clone()} " on Portico"</h1>
                {message.into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}
                <p>
                    "Give your details as your clinical team knows them. We will email you a code to check your "
                    "email address, then you choose a password. The team checks your details against their records "
                    "before you can see your health record."
                </p>
                <ContinueWithNhsLogin from="join" team=nhs_login_team/>
                <form on:submit=submit novalidate>
                    <TextInput id="given_name" label="First name" value=fields.given_name error=error("given_name") autocomplete="given-name"/>
                    <TextInput id="family_name" label="Last name" value=fields.family_name error=error("family_name") autocomplete="family-name"/>
                    <DateInput
                        id="dob"
                        heading="Date of birth"
                        hint="For example, 15 3 1984"
                        parts=fields.dob
                        error=error("dob-day")
                        autocomplete_prefix="bday"
                        one_of_several=true
                    />
                    <TextInput
                        id="nhs_number"
                        label="NHS number (optional)"
                        hint="This is a 10 digit number, like 485 777 3456. You can find it on letters from the NHS or in the NHS App."
                        value=fields.nhs_number
                        error=error("nhs_number")
                        no_spellcheck=true
                        class="nhsuk-input--width-10"
                    />
                    <TextInput
                        id="email"
                        label="Email address"
                        hint="You will use this to sign in."
                        value=fields.email
                        error=error("email")
                        input_type="email"
                        autocomplete="email"
                        no_spellcheck=true
                    />
                    <TextInput
                        id="mobile"
                        label="UK mobile number (optional)"
                        value=fields.mobile
                        error=error("mobile")
                        input_type="tel"
                        autocomplete="tel"
                        class="nhsuk-input--width-20"
                    />
                    // Hidden from everyone but scripts that fill in every field they find.
                    <div class="nhsuk-u-visually-hidden" aria-hidden="true">
                        <label for="leave_blank">"Leave this empty"</label>
                        <input id="leave_blank" name="leave_blank" type="text" tabindex="-1" autocomplete="off" bind:value=fields.leave_blank/>
                    </div>
                    <Button busy=busy>"Continue"</Button>
                </form>
            </div>
        </div>
    }
}

/// A refusal shown on the form: on the fields the server named, or as one
/// message for the form (too many tries, an expired form) with what to do.
fn refusal_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(problem) if !problem.errors.is_empty() => problem
            .errors
            .iter()
            .map(|e| {
                let field = if e.field == "date_of_birth" { "dob-day" } else { e.field.as_str() };
                ErrorItem::field(field, e.message.clone())
            })
            .filter(|e| e.field.as_deref().is_some_and(|f| FIELDS.contains(&f)))
            .collect(),
        ApiError::Refused(problem) => {
            let next = match problem.retry_after {
                Some(seconds) => crate::sign_in::wait_sentence(seconds),
                None => problem.detail.clone().unwrap_or_default(),
            };
            vec![ErrorItem::form(format!("{}. {next}", problem.title.trim_end_matches('.')))]
        }
        other => forms::refusal_errors(other, &FIELDS),
    }
}
