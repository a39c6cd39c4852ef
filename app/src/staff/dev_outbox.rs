//! `/staff/dev-outbox`: with no SMTP server configured (the embedded demo),
//! the emails Portico would have sent, newest first, their links live, so a
//! whole registration can be followed on one machine; and, with no GOV.UK
//! Notify configured, the text messages too. An email's HTML part, from the
//! same template as its text, is shown in a sandboxed frame (no script, no
//! forms, no navigating this page), with the text part under it. The frame
//! loads the part from the server, which sends it with a policy of its own
//! allowing the templates' inline styles and nothing else, so it looks as a
//! mail app shows it.

use leptos::prelude::*;
use portico_types::api::OutboxEmail;

use super::SERVICE;
use super::loader::load;
use super::session::sign_in_on_unauthorised;
use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::page::show_page;

#[component]
pub fn DevOutbox() -> impl IntoView {
    show_page("Development outbox", SERVICE);
    let outbox = load(api::dev_outbox);
    sign_in_on_unauthorised(outbox);
    view! {
        <a class="nhsuk-back-link" href=super::HOME_PATH>"Back to your teams"</a>
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">"Development outbox"</h1>
                {move || match outbox.get() {
                    None => view! { <p role="status">"Loading…"</p> }.into_any(),
                    Some(Ok(found)) if found.emails.is_empty() => view! {
                        <p>
                            "No emails or text messages yet. Issue an invitation by email or text message, or "
                            "register, and they appear here."
                        </p>
                    }
                    .into_any(),
                    Some(Ok(found)) => view! {
                        <p>
                            "No SMTP server or GOV.UK Notify is configured, so these emails and text messages were "
                            "not sent anywhere. Newest first."
                        </p>
                        {found.emails.into_iter().map(|email| view! { <Email email=email/> }).collect_view()}
                    }
                    .into_any(),
                    Some(Err(ApiError::Refused(p))) if p.status == 404 => view! {
                        <p>"This Portico sends email through its SMTP server, so there is no development outbox."</p>
                    }
                    .into_any(),
                    Some(Err(error)) => view! { <p>{error.message()}</p> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// One message: an email (its subject as the heading), or a text message
/// (to a mobile number, no subject of its own).
#[component]
fn Email(email: OutboxEmail) -> impl IntoView {
    let sent = local_long_date_time(&email.created_at);
    // A text message's subject is only "Text message": the number says more.
    let title = email.subject.clone();
    let (tag, colour, heading, meta) = if email.channel == "sms" {
        ("Text message", "nhsuk-tag--purple", format!("To {}", email.to), sent)
    } else {
        ("Email", "nhsuk-tag--blue", email.subject, format!("To {} · {sent}", email.to))
    };
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <p class="nhsuk-u-margin-bottom-2">
                    <strong class=format!("nhsuk-tag {colour}")>{tag}</strong>
                </p>
                <h2 class="nhsuk-card__heading nhsuk-heading-s portico-prose">{heading}</h2>
                <p class="nhsuk-body-s portico-prose">{meta}</p>
                {match email.html {
                    Some(_) => view! {
                        <iframe
                            class="portico-email-preview"
                            title=format!("HTML version of the email: {title}")
                            sandbox=""
                            src=format!("{}/staff/dev-outbox/{}/html", portico_types::api::API_PREFIX, email.id)
                        ></iframe>
                        <details class="nhsuk-details nhsuk-u-margin-bottom-0">
                            <summary class="nhsuk-details__summary">
                                <span class="nhsuk-details__summary-text">"Plain text version"</span>
                            </summary>
                            <div class="nhsuk-details__text portico-prose">
                                <Text body=email.body/>
                            </div>
                        </details>
                    }
                    .into_any(),
                    None => view! { <div class="portico-prose"><Text body=email.body/></div> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// A plain-text message, line by line.
#[component]
fn Text(body: String) -> impl IntoView {
    body.lines().map(|line| view! { <Line line=line.to_owned()/> }).collect_view()
}

/// One line of a plain-text message; each web address in it becomes a link
/// (a text message has its link inside a sentence).
#[component]
fn Line(line: String) -> impl IntoView {
    if line.trim().is_empty() {
        return view! { <br/> }.into_any();
    }
    view! {
        <p class="nhsuk-u-margin-bottom-1">
            {pieces(&line)
                .into_iter()
                .map(|piece| match piece {
                    Piece::Link(href) => {
                        let text = href.clone();
                        view! { <a href=href>{text}</a> }.into_any()
                    }
                    Piece::Text(text) => text.into_any(),
                })
                .collect_view()}
        </p>
    }
    .into_any()
}

#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Link(String),
}

/// A line cut into text and web addresses; a full stop or comma after an
/// address ends the sentence, not the address.
fn pieces(line: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    for (n, word) in line.split(' ').enumerate() {
        if n > 0 {
            text.push(' ');
        }
        if word.starts_with("http://") || word.starts_with("https://") {
            let href = word.trim_end_matches(['.', ',', ')', ';', ':']);
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(Piece::Link(href.to_owned()));
            text.push_str(&word[href.len()..]);
        } else {
            text.push_str(word);
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Piece, pieces};

    #[test]
    fn addresses_in_a_sentence_become_links() {
        assert_eq!(
            pieces("Register at https://p.example/register?code=AB. Thanks"),
            [
                Piece::Text("Register at ".into()),
                Piece::Link("https://p.example/register?code=AB".into()),
                Piece::Text(". Thanks".into()),
            ]
        );
        assert_eq!(
            pieces("  https://p.example/x"),
            [Piece::Text("  ".into()), Piece::Link("https://p.example/x".into())]
        );
        assert_eq!(pieces("Dear Jack,"), [Piece::Text("Dear Jack,".into())]);
    }
}
