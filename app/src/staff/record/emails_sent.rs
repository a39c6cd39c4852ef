//! "Emails sent" on the record page: what Portico sent for the record (to
//! its owner, and the invitations to register or to be a carer), to which
//! address, when, and how delivery went, newest first. Kinds and subjects
//! only: the server keeps no sent email's words for staff to read.

use leptos::prelude::*;
use portico_types::api::{RecordNotificationsResponse, SentNotification};

use crate::api;
use crate::dates::local_long_date_time;
use crate::loader::load;

/// A kind of email in words; one this page does not know reads as its own name.
fn kind_words(kind: &str) -> String {
    let words = match kind {
        "invitation" => "Invitation to register",
        "invitation_renewal" => "New code for an expired invitation",
        "carer_invitation" => "Invitation to be a carer",
        "registered" => "Registration confirmed",
        "new_entries" => "New entries in the record",
        "invitation_accepted" => "Carer accepted an invitation",
        "carer_access" => "Carer's access changed",
        "sign_up_decided" => "Decision on a sign-up",
        "password_changed" => "Password changed",
        "email_changed" => "Email address changed",
        "new_device_sign_in" => "Signed in on a new device",
        "password_reset" => "Password reset link",
        "email_change_requested" => "Confirm a new email address",
        "digest" => "Daily summary",
        "email" => "Email",
        other => return other.replace('_', " "),
    };
    words.to_owned()
}

/// A delivery status in words, with its tag's colour.
fn status_words(status: &str, attempts: i64) -> (String, &'static str) {
    match status {
        "queued" => ("Waiting to be sent".to_owned(), "nhsuk-tag--grey"),
        "sent" => ("Sent".to_owned(), "nhsuk-tag--blue"),
        "delivered" => ("Delivered".to_owned(), "nhsuk-tag--green"),
        "bounced" => ("Bounced".to_owned(), "nhsuk-tag--red"),
        "failed" if attempts > 1 => (format!("Failed after {attempts} attempts"), "nhsuk-tag--red"),
        "failed" => ("Failed".to_owned(), "nhsuk-tag--red"),
        other => (other.replace('_', " "), "nhsuk-tag--grey"),
    }
}

/// The section, loading what was sent when it is shown.
#[component]
pub fn EmailsSent(record_id: String) -> impl IntoView {
    let sent = load(move || {
        let record_id = record_id.clone();
        async move { api::record_notifications(&record_id).await }
    });
    view! {
        <h2 id="emails-sent">"Emails sent"</h2>
        {move || match sent.get() {
            None => view! { <p role="status">"Loading the emails sent…"</p> }.into_any(),
            Some(Ok(answer)) => view! { <Sent answer=answer/> }.into_any(),
            Some(Err(_)) => view! { <p>"The emails sent could not be loaded. Refresh the page to try again."</p> }.into_any(),
        }}
    }
}

#[component]
fn Sent(answer: RecordNotificationsResponse) -> impl IntoView {
    if answer.notifications.is_empty() {
        let why = if answer.registered {
            "Nothing has been sent for this record yet."
        } else {
            "Nothing has been sent for this record yet. Invitations to register, and to be a carer, appear here once sent."
        };
        return view! { <p>{why}</p> }.into_any();
    }
    view! {
        <p>"Newest first. What each was about and how delivery went: not its words, which are not kept."</p>
        <ul class="nhsuk-list">
            {answer.notifications.into_iter().map(|n| view! { <li><Notification sent=n/></li> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One email or text message, as a summary card.
#[component]
fn Notification(sent: SentNotification) -> impl IntoView {
    let (status, colour) = status_words(&sent.status, sent.attempts);
    let channel = if sent.channel == "sms" { "Text message" } else { "Email" };
    // A text message has no subject of its own (the server calls each one "Text message").
    let subject = (sent.channel != "sms" && !sent.subject.trim().is_empty()).then(|| sent.subject.clone());
    let to = (!sent.to.is_empty()).then(|| sent.to.clone());
    let when = local_long_date_time(sent.sent_at.as_deref().unwrap_or(&sent.queued_at));
    let status_at = sent.status_at.filter(|at| Some(at) != sent.sent_at.as_ref()).map(|at| local_long_date_time(&at));
    view! {
        <div class="nhsuk-card nhsuk-u-margin-bottom-3">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-heading-xs nhsuk-u-margin-bottom-2">{kind_words(&sent.kind)}</h3>
                {subject.map(|subject| view! {
                    <p class="nhsuk-body-s nhsuk-u-margin-bottom-2 portico-prose">{format!("“{subject}”")}</p>
                })}
                <p class="nhsuk-body-s nhsuk-u-margin-bottom-2 portico-prose">
                    {channel}
                    {to.map(|to| view! { " to " <span class="portico-break-anywhere">{to}</span> })}
                    {format!(", {when}")}
                </p>
                <p class="nhsuk-u-margin-bottom-0">
                    <strong class=format!("nhsuk-tag {colour}")>{status}</strong>
                    {status_at.map(|at| view! { <span class="nhsuk-body-s">{format!(" {at}")}</span> })}
                </p>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_read_as_words() {
        assert_eq!(kind_words("carer_invitation"), "Invitation to be a carer");
        assert_eq!(kind_words("some_new_kind"), "some new kind");
        assert_eq!(status_words("failed", 5).0, "Failed after 5 attempts");
        assert_eq!(status_words("delivered", 1), ("Delivered".to_owned(), "nhsuk-tag--green"));
        for status in ["queued", "sent", "delivered", "bounced", "failed"] {
            assert!(!status_words(status, 1).0.contains('_'));
        }
    }
}
