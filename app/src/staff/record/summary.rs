//! Who the record is about (a summary card), where they stand with
//! registration, and the teams that hold the record.

use leptos::prelude::*;
use portico_types::DateOfBirth;
use portico_types::api::{InvitationSummary, RecordDetail, TeamRef};

use crate::dates::{local_long_date, today};
use crate::summary_list::SummaryList;

const NOT_KNOWN: &str = "Not known";

/// "7 March 1985 (aged 41)"; the age from the browser's date.
fn date_of_birth_with_age(dob: DateOfBirth) -> String {
    match today().map(|today| dob.age_on(today)) {
        Some(0) => format!("{} (under 1 year old)", dob.long()),
        Some(age) if age > 0 => format!("{} (aged {age})", dob.long()),
        _ => dob.long(),
    }
}

/// The summary card of the person's details.
#[component]
pub fn Details(record: RecordDetail) -> impl IntoView {
    let or_not_known = |value: Option<String>| value.unwrap_or_else(|| NOT_KNOWN.to_owned());
    let mut address = record.address_lines;
    address.extend(record.postcode.map(|p| p.as_str().to_owned()));
    // One line each, as an address is written on an envelope.
    let address = (!address.is_empty()).then(|| address.join("\n"));
    let rows = vec![
        ("Name", format!("{} {}", record.given_name, record.family_name)),
        ("NHS number", or_not_known(record.nhs_number.map(|n| n.formatted()))),
        ("Date of birth", date_of_birth_with_age(record.date_of_birth)),
        ("Email address", or_not_known(record.email.map(|e| e.as_str().to_owned()))),
        ("Mobile number", or_not_known(record.mobile.map(|m| m.national()))),
        ("Address", or_not_known(address)),
        ("GP practice", or_not_known(record.gp_ods_code.map(|o| format!("ODS code {o}")))),
    ];
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading nhsuk-heading-m">"Details"</h2>
                <SummaryList rows=rows class="nhsuk-summary-list--no-last-row-border"/>
            </div>
        </div>
    }
}

/// A registration state in words: the tag, its colour, and a sentence. A
/// state this page does not know yet reads as its own name, in words.
fn registration_words(state: &str) -> (String, &'static str, &'static str) {
    let (tag, colour, sentence) = match state {
        "not_invited" => ("Not invited", "nhsuk-tag--grey", "No invitation has been sent for this record yet."),
        "invited" => {
            ("Invited", "nhsuk-tag--blue", "An invitation has been issued; the patient has not registered yet.")
        }
        "registered" => ("Registered", "nhsuk-tag--green", "The patient has registered and can see this record."),
        "invitation_locked" => (
            "Invitation locked",
            "nhsuk-tag--orange",
            "The code was tried too many times with the wrong date of birth. Issue a new invitation.",
        ),
        "invitation_expired" => (
            "Invitation expired",
            "nhsuk-tag--grey",
            "The invitation expired before the patient registered. Issue a new one.",
        ),
        other => {
            let words = other.replace('_', " ");
            let mut chars = words.chars();
            let tag = chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default();
            return (tag, "nhsuk-tag--grey", "");
        }
    };
    (tag.to_owned(), colour, sentence)
}

/// How an invitation went, in words: "by letter".
fn channel_words(channel: &str) -> String {
    match channel {
        "letter" => "by letter".into(),
        "email" => "by email".into(),
        "sms" => "by text message".into(),
        "kiosk" => "at a clinic kiosk".into(),
        "face_to_face" => "face to face, on a device handed over".into(),
        "professional" => "as a professional".into(),
        other => other.replace('_', " "),
    }
}

/// The newest invitation in a sentence: how, by whom (or that the patient
/// asked for it in place of an expired code), when, and until when.
fn invitation_line(i: &InvitationSummary) -> String {
    let how = if i.renewed {
        format!("A new code the patient asked for, in place of an expired one, was sent {}", channel_words(&i.channel))
    } else {
        format!(
            "Invited {}{}",
            channel_words(&i.channel),
            i.issued_by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default()
        )
    };
    format!(
        "{how} on {}; the invitation {} {}.",
        local_long_date(&i.issued_at),
        if i.state == "expired" { "expired on" } else { "lasts until" },
        local_long_date(&i.expires_at)
    )
}

/// Where the patient stands: not invited, invited, registered; and, to staff
/// who may see it, excluded.
#[component]
pub fn Registration(state: String, excluded: bool, invitation: Option<InvitationSummary>) -> impl IntoView {
    let (tag, colour, sentence) = registration_words(&state);
    let invited = invitation.filter(|_| state != "registered").map(|i| invitation_line(&i));
    view! {
        <h2>"Registration"</h2>
        <p>
            <strong class=format!("nhsuk-tag {colour}")>{tag}</strong>
            {excluded.then(|| view! { " " <strong class="nhsuk-tag nhsuk-tag--red">"Excluded"</strong> })}
        </p>
        {(!sentence.is_empty()).then(|| view! { <p>{sentence}</p> })}
        {invited.map(|line| view! { <p>{line}</p> })}
        {excluded.then(|| view! {
            <p>"No invitation of any kind can be sent while the record is excluded."</p>
        })}
    }
}

/// The teams the record belongs to.
#[component]
pub fn Teams(teams: Vec<TeamRef>) -> impl IntoView {
    view! {
        <h2>"Teams"</h2>
        {if teams.is_empty() {
            view! { <p>"This record is not in any team."</p> }.into_any()
        } else {
            view! {
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {teams.into_iter().map(|team| view! { <li>{team.name}</li> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::registration_words;

    #[test]
    fn every_known_state_has_words() {
        for state in ["not_invited", "invited", "registered", "invitation_locked", "invitation_expired"] {
            let (tag, _, sentence) = registration_words(state);
            assert!(!tag.contains('_') && !sentence.is_empty(), "{state}");
        }
        assert_eq!(registration_words("held_for_review").0, "Held for review");
        assert_eq!(super::channel_words("sms"), "by text message");
    }
}
