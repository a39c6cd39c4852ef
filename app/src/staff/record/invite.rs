//! Inviting the patient to register, for a team admin on the record page:
//! by letter (the code is shown once, to print or read out) or by email
//! (the code goes only to the patient's inbox). A new invitation replaces
//! the live one on its channel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::EmailAddress;
use portico_types::api::{IssueInvitationRequest, IssuedInvitation};

use crate::api::{self, ApiError};
use crate::dates::local_long_date;
use crate::forms::{self, Button, ErrorItem, RadioOption, Radios, TextInput, message_for};

const CHANNELS: [RadioOption; 2] = [
    RadioOption {
        value: "letter",
        label: "Letter",
        hint: Some("Shows the code here, to print or give to the patient"),
    },
    RadioOption {
        value: "email",
        label: "Email",
        hint: Some("Sends the code and a link to the patient's email address"),
    },
];

#[component]
pub fn InviteForm(
    record_id: String,
    record_email: Option<EmailAddress>,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
    /// The invitation just issued; kept by the page so it outlives the reload that follows.
    issued: RwSignal<Option<IssuedInvitation>>,
) -> impl IntoView {
    let channel = RwSignal::new(String::new());
    let email = RwSignal::new(record_email.map(|e| e.as_str().to_owned()).unwrap_or_default());
    let busy = RwSignal::new(false);
    let record_id = StoredValue::new(record_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen = channel.get_untracked();
        let mut found = Vec::new();
        if chosen.is_empty() {
            found.push(ErrorItem::field("channel", "Select how to send the invitation"));
        }
        if chosen == "email"
            && let Err(e) = EmailAddress::parse(&email.get_untracked())
        {
            found.push(ErrorItem::field("invite-email", e.to_string()));
        }
        if !found.is_empty() {
            return errors.set(found);
        }
        busy.set(true);
        let request = IssueInvitationRequest {
            channel: chosen.clone(),
            email: (chosen == "email").then(|| email.get_untracked().trim().to_owned()),
            mobile: None,
        };
        spawn_local(async move {
            let answer = api::issue_invitation(&record_id.get_value(), &request).await;
            busy.set(false);
            match answer {
                Ok(invitation) => {
                    let message = if invitation.code.is_some() {
                        "Invitation issued. Give the patient the code below."
                    } else {
                        "Invitation sent by email."
                    };
                    issued.set(Some(invitation));
                    changed.run(message);
                }
                Err(error @ ApiError::Refused(_)) => {
                    let ApiError::Refused(problem) = &error else { return };
                    let mut named = forms::from_problem(problem, &["channel"]);
                    named.extend(
                        forms::from_problem(problem, &["email"])
                            .into_iter()
                            .map(|e| ErrorItem::field("invite-email", e.message)),
                    );
                    errors.set(if named.is_empty() { forms::refusal_errors(&error, &["channel"]) } else { named });
                }
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    let channel_error = Signal::derive(move || errors.with(|e| message_for(e, "channel")));
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "invite-email")));
    view! {
        <h2 id="invite">"Invite to register"</h2>
        {move || issued.get().and_then(|invitation| invitation.code.clone().map(|code| view! {
            <div class="nhsuk-card portico-issued-code">
                <div class="nhsuk-card__content">
                    <h3 class="nhsuk-card__heading">"Registration code"</h3>
                    <p class="portico-code" aria-label=format!("Registration code {}", code.chars().map(String::from).collect::<Vec<_>>().join(" "))>{code.clone()}</p>
                    <p>"The patient registers at " <strong class="portico-prose">{invitation.link.clone().unwrap_or_default()}</strong> ", or by scanning this QR code with a phone's camera:"</p>
                    {invitation.qr_svg.clone().map(|svg| view! {
                        <div class="portico-qr" role="img" aria-label="QR code of the registration link" inner_html=svg></div>
                    })}
                    <p>{format!("It works once, with their date of birth, until {}.", local_long_date(&invitation.expires_at))}</p>
                    <p class="nhsuk-body-s">"This code is shown only now. Portico keeps only a fingerprint of it."</p>
                </div>
            </div>
        }))}
        <form on:submit=submit novalidate>
            <Radios id="channel" legend="How should the invitation reach the patient?" options=&CHANNELS value=channel error=channel_error legend_class="nhsuk-fieldset__legend--s"/>
            <Show when=move || channel.with(|c| c == "email")>
                <TextInput
                    id="invite-email"
                    label="Patient's email address"
                    value=email
                    error=email_error
                    input_type="email"
                    no_spellcheck=true
                />
            </Show>
            <Button busy=busy class="nhsuk-button--secondary">"Issue the invitation"</Button>
        </form>
    }
}
