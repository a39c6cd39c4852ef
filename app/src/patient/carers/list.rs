//! `/carers`: who can see the patient's record, since when and how much;
//! the invitations not yet accepted; and the way to invite a carer. The
//! patient stops anyone's access here at any moment (the carer is told by
//! email), after confirming on the same page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{AccessLevel, CarerInvitationView, CarerKind, CarerLinkView, MyCarersResponse};

use super::{NoOwnRecord, SignInFirst, SuccessBanner, day};
use crate::api::{self, ApiError};
use crate::loader::load;
use crate::page::{focus_heading, show_page};
use crate::patient::SERVICE;
use crate::patient::carer_words;
use crate::patient::query::take_param;
use crate::patient::router::Link;

const TITLE: &str = "Carers who can see your record";

#[component]
pub fn Carers() -> impl IntoView {
    show_page(TITLE, SERVICE);
    // The invite page comes back here with whom it invited.
    let done = RwSignal::new(
        take_param("invited")
            .map(|email| format!("Invitation sent to {email}"))
            .or_else(|| take_param("changed").map(|name| format!("You changed what {name} can see"))),
    );
    let reload = RwSignal::new(0u32);
    let carers = load(move || {
        reload.track();
        api::my_carers()
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || done.get().map(|heading| view! { <SuccessBanner heading=heading/> })}
                {move || match carers.get() {
                    None => view! { <h1 tabindex="-1">{TITLE}</h1><p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(answer)) => view! { <CarerList answer=answer done=done reload=reload/> }.into_any(),
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
fn CarerList(answer: MyCarersResponse, done: RwSignal<Option<String>>, reload: RwSignal<u32>) -> impl IntoView {
    let MyCarersResponse { carers, invitations } = answer;
    let nobody = carers.is_empty() && invitations.is_empty();
    view! {
        <h1 tabindex="-1">{TITLE}</h1>
        <p>
            "A carer is someone you trust to see your record, such as a family member or friend. "
            "You choose how much they see, and you can stop their access at any time."
        </p>
        <a class="nhsuk-button" href="/carers/invite" role="button" draggable="false">"Invite a carer"</a>
        {nobody.then(|| view! { <p>"Nobody else can see your record."</p> })}
        {(!carers.is_empty()).then(|| view! {
            <h2>"Who can see your record"</h2>
            {carers.into_iter().map(|link| view! { <CarerCard link=link done=done reload=reload/> }).collect_view()}
        })}
        {(!invitations.is_empty()).then(|| view! {
            <h2>"Invitations not yet accepted"</h2>
            {invitations
                .into_iter()
                .map(|invitation| view! { <InvitationCard invitation=invitation done=done reload=reload/> })
                .collect_view()}
        })}
        <h2>"When carers looked at your record"</h2>
        <p>
            "Each time a carer opens your record is recorded. "
            <Link href="/carers/access-history">"See when carers looked at your record"</Link>
        </p>
        <p><Link href="/record">"Go back to your record"</Link></p>
    }
}

#[component]
fn CarerCard(link: CarerLinkView, done: RwSignal<Option<String>>, reload: RwSignal<u32>) -> impl IntoView {
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let name = link.carer_name.clone();
    let id = link.id.clone();
    let stop = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (id, name) = (id.clone(), name.clone());
        spawn_local(async move {
            let answer = api::end_carer(&id).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    done.set(Some(format!("{name} can no longer see your record")));
                    reload.update(|n| *n += 1);
                }
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    let ends = link.ends_at.as_deref().map(day);
    let name = link.carer_name.clone();
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{link.carer_name.clone()}</h3>
                <dl class="nhsuk-summary-list">
                    <Row key="Email address" value=link.carer_email.clone()/>
                    <Row key="How" value=carer_words::grounds(link.kind).to_owned()/>
                    <Row key="Can see" value=can_see(link.access_level).to_owned()/>
                    <Row key="Since" value=day(&link.since)/>
                    {ends.map(|ends| view! { <Row key="Until" value=ends/> })}
                </dl>
                {move || failed.get().map(|message| view! { <p class="nhsuk-error-message" role="alert">{message}</p> })}
                {(link.kind == CarerKind::AdultCarerConsent).then(|| {
                    let name = name.clone();
                    view! {
                        <p>
                            <a href=format!("/carers/change?link={}", link.id)>
                                "Change what they can see"<span class="nhsuk-u-visually-hidden">{format!(" ({name})")}</span>
                            </a>
                        </p>
                    }
                })}
                {
                    let name = name.clone();
                    let stop = stop.clone();
                    move || if asking.get() {
                        let name = name.clone();
                        view! {
                            <div class="nhsuk-warning-callout">
                                <h4 class="nhsuk-warning-callout__label">
                                    <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Are you sure?"</span>
                                </h4>
                                <p>{format!("{name} will no longer be able to see your record. We will email them to say so.")}</p>
                                <div class="nhsuk-button-group">
                                    <button type="button" class="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0"
                                        aria-disabled=move || busy.get().then_some("true") on:click=stop.clone()>
                                        {format!("Yes, stop {name}'s access")}
                                    </button>
                                    <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                                        on:click=move |_| asking.set(false)>"No, keep it"</button>
                                </div>
                            </div>
                        }
                        .into_any()
                    } else {
                        let name = name.clone();
                        view! {
                            <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                                on:click=move |_| asking.set(true)>
                                "Stop access"<span class="nhsuk-u-visually-hidden">{format!(" for {name}")}</span>
                            </button>
                        }
                        .into_any()
                    }
                }
            </div>
        </div>
    }
}

#[component]
fn InvitationCard(
    invitation: CarerInvitationView,
    done: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let id = invitation.id.clone();
    let email = invitation.email.clone();
    let withdraw = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (id, email) = (id.clone(), email.clone());
        spawn_local(async move {
            let answer = api::withdraw_carer_invitation(&id).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    done.set(Some(format!("Invitation to {email} withdrawn")));
                    reload.update(|n| *n += 1);
                    focus_heading();
                }
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    let email = invitation.email.clone();
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s portico-prose">{invitation.email.clone()}</h3>
                <dl class="nhsuk-summary-list">
                    <Row key="Can see" value=can_see(invitation.access_level).to_owned()/>
                    <Row key="Link works until" value=day(&invitation.expires_at)/>
                    {invitation.ends_at.as_deref().map(|end| view! { <Row key="Access would end" value=day(end)/> })}
                </dl>
                {move || failed.get().map(|message| view! { <p class="nhsuk-error-message" role="alert">{message}</p> })}
                <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                    aria-disabled=move || busy.get().then_some("true") on:click=withdraw>
                    "Withdraw invitation"<span class="nhsuk-u-visually-hidden">{format!(" to {email}")}</span>
                </button>
            </div>
        </div>
    }
}

#[component]
fn Row(key: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">{key}</dt>
            <dd class="nhsuk-summary-list__value portico-prose">{value}</dd>
        </div>
    }
}

/// How much a carer sees, as the patient is told it.
fn can_see(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::Everything => "Everything in your record",
        AccessLevel::NotPrivate => {
            "Everything except entries you made private and entries your clinical team marked sensitive"
        }
    }
}
