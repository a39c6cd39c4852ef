//! `/carers/accept?token=…`: the page a carer's emailed invitation opens.
//! It says whose record and how much of it, then, as the address needs:
//! accept (signed in with the invited address), sign in and accept (the
//! address has an account), or register and accept (it has none; following
//! the emailed link proved the address is theirs). The token leaves the
//! address bar at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{AccessLevel, CarerInvitationLookup, CarerKind, RegisterCarerRequest, SignInRequest};

use super::day;
use crate::api::{self, ApiError, PatientSessionResponse};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, PasswordInput, TextInput, message_for};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::new_account::{self, PasswordAndTerms};
use crate::patient::query::take_param;
use crate::patient::router::{Link, navigate};
use crate::patient::session::PatientSession;

const TITLE: &str = "Accept an invitation to see a record";

/// What the link's page knows before anything is used.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    invitation: CarerInvitationLookup,
    /// Who is signed in on this browser, if anyone.
    signed_in: Option<PatientSessionResponse>,
}

#[component]
pub fn AcceptInvitation() -> impl IntoView {
    show_page(TITLE, SERVICE);
    let token = StoredValue::new(take_param("token").unwrap_or_default());
    let found = load(move || {
        let token = token.get_value();
        async move {
            let invitation = api::look_up_carer_invitation(&token).await?;
            let signed_in = api::session().await.ok();
            Ok::<_, ApiError>(Found { invitation, signed_in })
        }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match found.get() {
                    None => view! { <h1 tabindex="-1">{TITLE}</h1><p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(found)) => view! { <Invitation found=found token=token/> }.into_any(),
                    Some(Err(ApiError::Refused(problem))) => {
                        show_page("This invitation cannot be used", SERVICE);
                        view! {
                            <h1 tabindex="-1">{problem.title.clone()}</h1>
                            {problem.detail.map(|detail| view! { <p>{detail}</p> })}
                            <p>"Invitation links work once, for 14 days."</p>
                            <p><Link href="/sign-in">"Sign in to Portico"</Link></p>
                        }
                        .into_any()
                    }
                    Some(Err(error)) => view! { <h1 tabindex="-1">{TITLE}</h1><p>{error.message()}</p> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// "Olivia has invited you to see their record as their carer."
fn offer(invitation: &CarerInvitationLookup) -> String {
    let name = &invitation.given_name;
    match invitation.kind {
        CarerKind::AdultCarerConsent => format!("{name} has invited you to see their record as their carer."),
        CarerKind::ParentGuardian => {
            format!("{name}'s clinical team has invited you to see {name}'s record as their parent or guardian.")
        }
        CarerKind::AdultLacksCapacity => {
            format!("{name}'s clinical team has invited you to see {name}'s record as their carer.")
        }
    }
}

fn level_sentence(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::Everything => "You will be able to see everything in the record.",
        AccessLevel::NotPrivate => "You will be able to see the record, except entries marked as private or sensitive.",
    }
}

#[component]
fn Invitation(found: Found, token: StoredValue<String>) -> impl IntoView {
    let Found { invitation, signed_in } = found;
    let heading = format!("See {}'s record", invitation.given_name);
    show_page(&heading, SERVICE);
    let same_account = signed_in.as_ref().map(|s| s.account.email.as_str().eq_ignore_ascii_case(&invitation.email));
    let then = match (same_account, invitation.has_account) {
        (Some(true), _) => view! { <AcceptSignedIn token=token/> }.into_any(),
        (Some(false), _) => {
            let current = signed_in.map(|s| s.account.email.as_str().to_owned()).unwrap_or_default();
            view! { <OtherAccount current=current invited=invitation.email.clone()/> }.into_any()
        }
        (None, true) => view! { <SignInAndAccept email=invitation.email.clone() token=token/> }.into_any(),
        (None, false) => view! { <RegisterAndAccept email=invitation.email.clone() token=token/> }.into_any(),
    };
    view! {
        <h1 tabindex="-1">{heading}</h1>
        <p>{offer(&invitation)}</p>
        <p>{level_sentence(invitation.access_level)}</p>
        <p class="nhsuk-body-s">
            {format!("This invitation was sent to {}. The link works until {}.", invitation.email, day(&invitation.expires_at))}
        </p>
        {then}
    }
}

/// Where an accepted invitation leads: the record, opened as a carer.
fn open(record_id: &str) {
    navigate(&format!("/record/{record_id}"));
}

#[component]
fn AcceptSignedIn(token: StoredValue<String>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::accept_carer_invitation(&token.get_value()).await;
            busy.set(false);
            match answer {
                Ok(accepted) => open(&accepted.record_id),
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    view! {
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <Button busy=busy>"Accept and see the record"</Button>
        </form>
    }
}

#[component]
fn OtherAccount(current: String, invited: String) -> impl IntoView {
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::sign_out().await;
            let _ = window().location().reload();
        });
    };
    view! {
        <div class="nhsuk-warning-callout">
            <h2 class="nhsuk-warning-callout__label">
                <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"You are signed in with another email address"</span>
            </h2>
            <p>{format!("You are signed in as {current}. Only the account for {invited} can accept this invitation.")}</p>
        </div>
        <p>"Sign out, then open the link in the email again."</p>
        <button type="button" class="nhsuk-button nhsuk-button--secondary" on:click=sign_out>"Sign out"</button>
    }
}

#[component]
fn SignInAndAccept(email: String, token: StoredValue<String>) -> impl IntoView {
    let session = PatientSession::get();
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let address = email.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        if password.get_untracked().is_empty() {
            return errors.set(vec![ErrorItem::field("password", "Enter your password")]);
        }
        busy.set(true);
        let request = SignInRequest { email: address.clone(), password: password.get_untracked() };
        spawn_local(async move {
            let signed_in = api::sign_in(&request).await;
            let answer = match signed_in {
                Ok(current) => {
                    session.current.set(Some(current));
                    api::accept_carer_invitation(&token.get_value()).await
                }
                Err(error) => Err(error),
            };
            busy.set(false);
            match answer {
                Ok(accepted) => open(&accepted.record_id),
                Err(error @ ApiError::Unauthorised(_)) => {
                    password.set(String::new());
                    errors.set(vec![ErrorItem::field("password", error.message())]);
                }
                Err(error) => errors.set(crate::sign_in::refusal_errors(&error)),
            }
        });
    };
    let password_error = Signal::derive(move || errors.with(|e| message_for(e, "password")));
    view! {
        <ErrorSummary errors=errors/>
        <h2>"Sign in to accept"</h2>
        <p>{format!("You already use Portico with {email}. Enter your password to accept.")}</p>
        <form on:submit=submit novalidate>
            <PasswordInput id="password" label="Password" value=password error=password_error shown=shown/>
            <Button busy=busy>"Sign in and accept"</Button>
        </form>
        <p><a href="/forgotten-password">"Forgotten your password?"</a></p>
    }
}

#[component]
fn RegisterAndAccept(email: String, token: StoredValue<String>) -> impl IntoView {
    const FIELDS: [&str; 3] = ["display_name", "password", "accept_terms"];
    let session = PatientSession::get();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let accept = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(false);
        if busy.get_untracked() {
            return;
        }
        let mut found = Vec::new();
        if name.get_untracked().trim().is_empty() {
            found.push(ErrorItem::field("display_name", "Enter your name"));
        }
        found.extend(new_account::check(&password.get_untracked(), accept.get_untracked()));
        if !found.is_empty() {
            return errors.set(found);
        }
        busy.set(true);
        let request = RegisterCarerRequest {
            token: token.get_value(),
            display_name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            accept_terms: true,
        };
        spawn_local(async move {
            let answer = api::register_carer(&request).await;
            busy.set(false);
            match answer {
                Ok(accepted) => {
                    if let Ok(current) = api::session().await {
                        session.current.set(Some(current));
                    }
                    open(&accepted.record_id);
                }
                Err(error) => errors.set(forms::refusal_errors(&error, &FIELDS)),
            }
        });
    };
    let name_error = Signal::derive(move || errors.with(|e| message_for(e, "display_name")));
    view! {
        <ErrorSummary errors=errors/>
        <h2>"Create your account"</h2>
        <p>{format!("You will sign in with {email} and the password you choose here.")}</p>
        <form on:submit=submit novalidate>
            <TextInput id="display_name" label="Your full name" value=name error=name_error autocomplete="name"/>
            <PasswordAndTerms label="Choose a password" password=password shown=shown accept=accept errors=errors/>
            <Button busy=busy>"Create account and accept"</Button>
        </form>
    }
}
