//! `/account/notifications`: how the signed-in person gets each kind of
//! email: at once, in the daily email, or not at all. Security notices are
//! listed as always on. Every notification's footer links here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{
    NotificationPreferenceChange, NotificationPreferencesResponse, UpdateNotificationPreferencesRequest,
};

use super::{KINDS, SECURITY_NOTICES, digest_time};
use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem, ErrorSummary, RadioOption, Radios, message_for};
use crate::loader::load;
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::router::Link;
use crate::success_banner::SuccessBanner;

const TITLE: &str = "Email settings";

/// The answers of every kind's question.
const DELIVERY_OPTIONS: &[RadioOption] = &[
    RadioOption { value: "immediately", label: "Immediately", hint: Some("One email soon after it happens") },
    RadioOption { value: "daily_digest", label: "In a daily email", hint: Some("One email a day with everything new") },
    RadioOption { value: "off", label: "Off", hint: Some("No emails about this") },
];

#[component]
pub fn NotificationSettings() -> impl IntoView {
    show_page(TITLE, SERVICE);
    let current = load(api::notification_preferences);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match current.get() {
                    None => view! { <h1 tabindex="-1">{TITLE}</h1><p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(answer)) => view! { <SettingsForm answer=answer/> }.into_any(),
                    Some(Err(ApiError::Unauthorised(_))) => view! {
                        <h1 tabindex="-1">"Sign in to change your email settings"</h1>
                        <p><Link href="/sign-in">"Sign in"</Link></p>
                    }
                    .into_any(),
                    Some(Err(error)) => view! {
                        <h1 tabindex="-1">{TITLE}</h1>
                        <p>{error.message()}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// The choice for `kind` in an answer: empty when the answer leaves it out.
fn delivery_in(answer: &NotificationPreferencesResponse, kind: &str) -> String {
    answer.preferences.iter().find(|p| p.kind == kind).map(|p| p.delivery.clone()).unwrap_or_default()
}

/// The request that saves every kind's choice, in [`KINDS`]' order (an
/// unchosen one goes as it is, and the server's refusal names its question).
fn request_for(chosen: [String; 4]) -> UpdateNotificationPreferencesRequest {
    let preferences = KINDS
        .iter()
        .zip(chosen)
        .map(|(words, delivery)| NotificationPreferenceChange { kind: words.kind.to_owned(), delivery })
        .collect();
    UpdateNotificationPreferencesRequest { preferences }
}

/// The kind a server's field name is about: `preferences[n].delivery` is
/// the `n`th change sent, and [`request_for`] sends them in [`KINDS`]' order.
fn kind_of_field(field: &str) -> Option<&'static str> {
    let n: usize = field.strip_prefix("preferences[")?.split(']').next()?.parse().ok()?;
    KINDS.get(n).map(|k| k.kind)
}

/// A refused save: on the questions the server named, or else on the form as a whole.
fn refusal(error: &ApiError) -> Vec<ErrorItem> {
    let mut found: Vec<ErrorItem> = match error {
        ApiError::Refused(problem) => problem
            .errors
            .iter()
            .filter_map(|e| Some(ErrorItem::field(kind_of_field(&e.field)?, e.message.clone())))
            .collect(),
        _ => Vec::new(),
    };
    if found.is_empty() {
        found.push(ErrorItem::form(error.message()));
    }
    found
}

#[component]
fn SettingsForm(answer: NotificationPreferencesResponse) -> impl IntoView {
    // One signal per kind, in KINDS' order (an array of signals is Copy).
    let choices: [RwSignal<String>; 4] = std::array::from_fn(|n| RwSignal::new(delivery_in(&answer, KINDS[n].kind)));
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let digest = digest_time(answer.digest_hour_utc);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        let request = request_for(choices.map(|value| value.get_untracked()));
        busy.set(true);
        spawn_local(async move {
            let answer = api::update_notification_preferences(&request).await;
            busy.set(false);
            match answer {
                Ok(answer) => {
                    for (words, value) in KINDS.iter().zip(choices) {
                        value.set(delivery_in(&answer, words.kind));
                    }
                    errors.set(Vec::new());
                    saved.set(true);
                }
                Err(error) => errors.set(refusal(&error)),
            }
        });
    };

    view! {
        {move || saved.get().then(|| view! {
            <SuccessBanner heading="Your email settings have been saved" title_id="settings-saved-title"/>
        })}
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">{TITLE}</h1>
        <p>"Choose how Portico emails you about things that happen in your account."</p>
        <p>{format!("The daily email goes once a day at {digest}, with everything new since the one before.")}</p>
        <form on:submit=submit novalidate>
            {KINDS.iter().zip(choices).map(|(words, value)| {
                let kind = words.kind;
                let error = Signal::derive(move || errors.with(|e| message_for(e, kind)));
                view! {
                    <Radios
                        id=words.kind
                        legend=words.legend
                        hint=words.hint
                        options=DELIVERY_OPTIONS
                        value=value
                        error=error
                        legend_class="nhsuk-fieldset__legend--s"
                    />
                }
            }).collect_view()}
            <Button busy=busy>"Save email settings"</Button>
        </form>
        <h2>"Security emails"</h2>
        <p>"We always email you straight away when:"</p>
        <ul>{SECURITY_NOTICES.map(|(_, words)| view! { <li>{words}</li> }).collect_view()}</ul>
        <p>"You cannot turn these off. They help you spot if someone else is using your account."</p>
        <p><Link href="/account">"Go back to your account"</Link></p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_sends_every_kind_in_order() {
        let request = request_for(std::array::from_fn(|n| if n == 1 { "off".into() } else { "daily_digest".into() }));
        let kinds: Vec<&str> = request.preferences.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(kinds, portico_types::api::NOTIFICATION_KINDS);
        let deliveries: Vec<&str> = request.preferences.iter().map(|p| p.delivery.as_str()).collect();
        assert_eq!(deliveries, ["daily_digest", "off", "daily_digest", "daily_digest"]);
    }

    #[test]
    fn a_refusal_lands_on_the_kind_the_server_named() {
        use portico_types::problem::{FieldError, Problem};
        let problem = Problem {
            kind: "about:blank".into(),
            title: "Check your settings".into(),
            status: 422,
            detail: None,
            errors: vec![FieldError { field: "preferences[1].delivery".into(), message: "Choose one".into() }],
            retry_after: None,
        };
        let errors = refusal(&ApiError::Refused(problem));
        assert_eq!(errors, vec![ErrorItem::field("invitation_accepted", "Choose one")]);
        assert_eq!(kind_of_field("preferences[9].delivery"), None);
        assert_eq!(kind_of_field("preferences"), None);
        assert_eq!(refusal(&ApiError::Unavailable)[0].field, None);
    }
}
