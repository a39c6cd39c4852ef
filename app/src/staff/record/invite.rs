//! Inviting the patient to register, for a receptionist, clinician or team
//! admin on the record page, often with the patient at the desk:
//!
//! - print a one-page letter (a PDF with the code and a QR code; the code is
//!   also shown here, once, to read out);
//! - send a text message or an email, to a number or address read back to
//!   the patient first, so a typo is caught before anything is sent;
//! - hand this device to the patient to register on, there and then: the
//!   staff session waits for the professional's password.
//!
//! A new invitation replaces the live one on its channel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{IssueInvitationRequest, IssuedInvitation};
use portico_types::{EmailAddress, MobileNumber};

use crate::api::{self, ApiError};
use crate::dates::local_long_date;
use crate::forms::{self, Button, ErrorItem, RadioOption, Radios, TextInput, message_for};

const CHANNELS: [RadioOption; 4] = [
    RadioOption {
        value: "letter",
        label: "Print a letter",
        hint: Some("A one-page letter with the code and a QR code, to print and give to the patient"),
    },
    RadioOption {
        value: "sms",
        label: "Send a text message",
        hint: Some("To a UK mobile number the patient confirms"),
    },
    RadioOption { value: "email", label: "Send an email", hint: Some("To an email address the patient confirms") },
    RadioOption {
        value: "handover",
        label: "Hand this device to the patient",
        hint: Some("They register here and now. You need your password to take the device back."),
    },
];

/// Where the form is: choosing, or reading the contact back to the patient.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Choose,
    /// `sms` or `email`, to this number or address as people write it.
    Confirm {
        channel: &'static str,
        to: String,
    },
    HandOver,
}

/// What the page knows of the record, to fill the form in.
#[derive(Debug, Clone)]
pub struct Contact {
    pub email: Option<EmailAddress>,
    pub mobile: Option<MobileNumber>,
}

#[component]
pub fn InviteForm(
    record_id: String,
    patient_name: String,
    contact: Contact,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
    /// The invitation just issued; kept by the page so it outlives the reload that follows.
    issued: RwSignal<Option<IssuedInvitation>>,
) -> impl IntoView {
    let channel = RwSignal::new(String::new());
    let email = RwSignal::new(contact.email.map(|e| e.as_str().to_owned()).unwrap_or_default());
    let mobile = RwSignal::new(contact.mobile.map(|m| m.national()).unwrap_or_default());
    let step = RwSignal::new(Step::Choose);
    let busy = RwSignal::new(false);
    let record_id = StoredValue::new(record_id);

    let send = move |request: IssueInvitationRequest| {
        busy.set(true);
        spawn_local(async move {
            let answer = api::issue_invitation(&record_id.get_value(), &request).await;
            busy.set(false);
            step.set(Step::Choose);
            match answer {
                Ok(invitation) => {
                    let message = match invitation.channel.as_str() {
                        "letter" => "Invitation issued. Print the letter, or give the patient the code below.",
                        "sms" => "Invitation sent by text message.",
                        _ => "Invitation sent by email.",
                    };
                    issued.set(Some(invitation));
                    changed.run(message);
                }
                Err(error) => errors.set(refusal(&error)),
            }
        });
    };

    let choose = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(Vec::new());
        match channel.get_untracked().as_str() {
            "letter" => send(IssueInvitationRequest { channel: "letter".into(), email: None, mobile: None }),
            "sms" => match MobileNumber::parse(&mobile.get_untracked()) {
                Ok(number) => step.set(Step::Confirm { channel: "sms", to: number.national() }),
                Err(e) => errors.set(vec![ErrorItem::field("invite-mobile", e.to_string())]),
            },
            "email" => match EmailAddress::parse(&email.get_untracked()) {
                Ok(address) => step.set(Step::Confirm { channel: "email", to: address.as_str().to_owned() }),
                Err(e) => errors.set(vec![ErrorItem::field("invite-email", e.to_string())]),
            },
            "handover" => step.set(Step::HandOver),
            _ => errors.set(vec![ErrorItem::field("channel", "Select how to give the invitation")]),
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if let Step::Confirm { channel, to } = step.get_untracked() {
            let (email, mobile) = if channel == "sms" { (None, Some(to)) } else { (Some(to), None) };
            send(IssueInvitationRequest { channel: channel.into(), email, mobile });
        }
    };
    let hand_over = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::hand_over(&record_id.get_value()).await {
                // The registration pages are another bundle: a page load.
                Ok(started) => {
                    let _ = window().location().assign(&started.register_path);
                }
                Err(error) => {
                    busy.set(false);
                    step.set(Step::Choose);
                    errors.set(refusal(&error));
                }
            }
        });
    };
    let change = move |_| step.set(Step::Choose);

    let channel_error = Signal::derive(move || errors.with(|e| message_for(e, "channel")));
    let email_error = Signal::derive(move || errors.with(|e| message_for(e, "invite-email")));
    let mobile_error = Signal::derive(move || errors.with(|e| message_for(e, "invite-mobile")));
    let patient = StoredValue::new(patient_name);

    view! {
        <h2 id="invite">"Invite to register"</h2>
        {move || issued.get().and_then(|invitation| invitation.code.is_some().then(|| view! {
            <IssuedCode invitation=invitation/>
        }))}
        <div hidden=move || step.with(|s| *s != Step::Choose)>
            <form on:submit=choose novalidate>
                <Radios
                    id="channel"
                    legend="How should the invitation reach the patient?"
                    options=&CHANNELS
                    value=channel
                    error=channel_error
                    legend_class="nhsuk-fieldset__legend--s"
                />
                <Show when=move || channel.with(|c| c == "sms")>
                    <TextInput
                        id="invite-mobile"
                        label="Patient's mobile number"
                        hint="A UK mobile number, like 07700 900 982"
                        value=mobile
                        error=mobile_error
                        input_type="tel"
                        autocomplete="off"
                        no_spellcheck=true
                    />
                </Show>
                <Show when=move || channel.with(|c| c == "email")>
                    <TextInput
                        id="invite-email"
                        label="Patient's email address"
                        value=email
                        error=email_error
                        input_type="email"
                        autocomplete="off"
                        no_spellcheck=true
                    />
                </Show>
                <Button busy=busy class="nhsuk-button--secondary">"Continue"</Button>
            </form>
        </div>
        {move || match step.get() {
            Step::Choose => ().into_any(),
            Step::Confirm { channel, to } => view! {
                <form on:submit=confirm novalidate class="portico-confirm-contact">
                    <h3 tabindex="-1">
                        {if channel == "sms" { "Check the mobile number with the patient" } else { "Check the email address with the patient" }}
                    </h3>
                    <p class="portico-contact portico-break-anywhere">{to}</p>
                    <p>"Read it out, or turn the screen round. The code goes only there."</p>
                    <div class="nhsuk-button-group">
                        <Button busy=busy>
                            {if channel == "sms" { "Send the text message" } else { "Send the email" }}
                        </Button>
                        <button type="button" class="nhsuk-button nhsuk-button--secondary" on:click=change>
                            {if channel == "sms" { "Change the number" } else { "Change the address" }}
                        </button>
                    </div>
                </form>
            }
            .into_any(),
            Step::HandOver => view! {
                <form on:submit=hand_over novalidate>
                    <h3 tabindex="-1">{format!("Hand this device to {}", patient.get_value())}</h3>
                    <div class="nhsuk-warning-callout">
                        <h4 class="nhsuk-warning-callout__label">
                            <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Your session pauses"</span>
                        </h4>
                        <p>
                            "The patient registers on this device with their date of birth and their own email. "
                            "Nothing of theirs stays on it. To take it back, you will enter your password."
                        </p>
                    </div>
                    <div class="nhsuk-button-group">
                        <Button busy=busy>"Hand over the device"</Button>
                        <button type="button" class="nhsuk-button nhsuk-button--secondary" on:click=change>"Cancel"</button>
                    </div>
                </form>
            }
            .into_any(),
        }}
    }
}

/// A refusal on the form's fields (the server names `email` and `mobile`,
/// which are `invite-…` here), or on the channel, or the whole form.
fn refusal(error: &ApiError) -> Vec<ErrorItem> {
    let ApiError::Refused(problem) = error else { return vec![ErrorItem::form(error.message())] };
    let mut named = forms::from_problem(problem, &["channel"]);
    for (server, here) in [("email", "invite-email"), ("mobile", "invite-mobile")] {
        named.extend(forms::from_problem(problem, &[server]).into_iter().map(|e| ErrorItem::field(here, e.message)));
    }
    if named.is_empty() { forms::refusal_errors(error, &["channel"]) } else { named }
}

/// The code just issued for a letter: shown once, to read out, with the
/// letter to print.
#[component]
fn IssuedCode(invitation: IssuedInvitation) -> impl IntoView {
    let code = invitation.code.clone().unwrap_or_default();
    let spelled = code.chars().map(String::from).collect::<Vec<_>>().join(" ");
    let letter = invitation.letter_pdf.as_deref().and_then(pdf_url);
    view! {
        <div class="nhsuk-card portico-issued-code">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading">"Registration code"</h3>
                <p class="portico-code" aria-label=format!("Registration code {spelled}")>{code}</p>
                {letter.map(|url| view! {
                    <p>
                        <a class="nhsuk-button portico-letter-link" href=url.clone() target="_blank" rel="noopener" role="button" draggable="false">
                            "Open the letter to print (PDF)"
                        </a>
                    </p>
                    <p><a href=url download="portico-invitation-letter.pdf">"Download the letter (PDF)"</a></p>
                })}
                <p>"The patient registers at " <strong class="portico-prose">{invitation.link.clone().unwrap_or_default()}</strong> ", or by scanning this QR code with a phone's camera:"</p>
                {invitation.qr_svg.clone().map(|svg| view! {
                    <div class="portico-qr" role="img" aria-label="QR code of the registration link" inner_html=svg></div>
                })}
                <p>{format!("It works once, with their date of birth, until {}.", local_long_date(&invitation.expires_at))}</p>
                <p class="nhsuk-body-s">"This code is shown only now. Portico keeps only a fingerprint of it."</p>
            </div>
        </div>
    }
}

/// The letter (base64 in the answer) as a `blob:` address the browser opens
/// in its PDF viewer, to print, or saves.
fn pdf_url(base64: &str) -> Option<String> {
    let binary = window().atob(base64).ok()?;
    let bytes: Vec<u8> = binary.chars().filter_map(|c| u8::try_from(u32::from(c)).ok()).collect();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/pdf");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
