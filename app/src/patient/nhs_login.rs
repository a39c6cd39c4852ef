//! `/nhs-login?outcome=…`: where a sign-in with NHS login that did not end
//! on the patient's record lands, saying plainly what happened and what the
//! patient can do next.

use leptos::prelude::*;

use super::SERVICE;
use super::query::param;
use super::router::Link;
use crate::page::show_page;

/// The heading and the words for each outcome the server names.
fn words(outcome: &str) -> (&'static str, &'static [&'static str]) {
    match outcome {
        "unavailable" => (
            "NHS login is not available right now",
            &["Try again in a few minutes, or use your email address and password."],
        ),
        "held" => (
            "Your clinical team needs to check your details",
            &[
                "NHS login has confirmed who you are, but your clinical team needs to look at your record before \
                 you can see it online.",
                "You do not need to do anything. Your clinical team will contact you.",
                "If you need medical help now, call 111 or contact your GP.",
            ],
        ),
        "team-waiting" => (
            "Your request to join the team has been sent",
            &[
                "NHS login has confirmed who you are, and you can see your record now.",
                "The clinical team will check your request to join them. We will email you when they have.",
            ],
        ),
        "not-proven" => (
            "You cannot see your record yet",
            &[
                "You have signed in with NHS login, but NHS login has not fully confirmed who you are. We can only \
                 show a health record to someone whose identity NHS login has confirmed with photo ID.",
                "You can confirm your identity in the NHS App or at NHS login, then sign in again. Or use the \
                 registration code your clinical team sent you.",
            ],
        ),
        "declined" => (
            "You did not finish signing in with NHS login",
            &[
                "You may have cancelled, or NHS login could not confirm who you are to the level we need.",
                "You can try again, or use the registration code your clinical team sent you.",
            ],
        ),
        "email-in-use" => (
            "You already have a Portico account",
            &[
                "There is already a Portico account with the email address you use for NHS login, and we cannot \
                 join the two automatically.",
                "Sign in with that email address and your Portico password.",
            ],
        ),
        "record-registered" => (
            "Your record already has a Portico account",
            &[
                "Someone has already registered for the record that matches your NHS number and date of birth.",
                "If that was you, sign in with your email address and password. If it was not you, contact your \
                 clinical team straight away.",
            ],
        ),
        "details-differ" => (
            "We could not match your details",
            &[
                "The details NHS login holds for you do not match the details your clinical team holds.",
                "Contact your clinical team so they can check your details.",
            ],
        ),
        _ => (
            "We could not sign you in with NHS login",
            &["Try again. If it happens again, use your email address and password."],
        ),
    }
}

#[component]
pub fn NhsLoginOutcome() -> impl IntoView {
    let outcome = param("outcome").unwrap_or_default();
    let (title, paragraphs) = words(&outcome);
    show_page(title, SERVICE);
    let try_again = matches!(outcome.as_str(), "unavailable" | "declined" | "failed" | "");
    // These outcomes come with a session: the patient is signed in already.
    let signed_in = matches!(outcome.as_str(), "held" | "not-proven" | "team-waiting");
    let has_record = outcome == "team-waiting";
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">{title}</h1>
                {paragraphs.iter().map(|p| view! { <p>{*p}</p> }).collect_view()}
                {try_again.then(|| view! {
                    <p><a href="/api/v1/nhs-login/start?from=sign-in">"Try NHS login again"</a></p>
                })}
                {has_record.then(|| view! { <p><Link href="/record">"Go to your record"</Link></p> })}
                {(!signed_in).then(|| view! {
                    <p><Link href="/sign-in">"Sign in with your email address and password"</Link></p>
                })}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn every_outcome_has_plain_words_and_anything_else_a_general_one() {
        for outcome in [
            "unavailable",
            "held",
            "team-waiting",
            "not-proven",
            "declined",
            "email-in-use",
            "record-registered",
            "details-differ",
        ] {
            assert_ne!(words(outcome).0, words("failed").0, "{outcome}");
        }
        assert_eq!(words("unavailable").0, "NHS login is not available right now");
    }
}
