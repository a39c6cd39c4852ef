//! What both sign-in pages (patient and staff) check before asking the
//! server, and how they show its refusals: the same rules and the same words.

use portico_types::EmailAddress;

use crate::api::ApiError;
use crate::forms::{self, ErrorItem};

const FIELDS: [&str; 2] = ["email", "password"];

/// What the page itself can tell before asking the server.
pub fn check(email: &str, password: &str) -> Vec<ErrorItem> {
    let mut errors = Vec::new();
    if let Err(e) = EmailAddress::parse(email) {
        errors.push(ErrorItem::field("email", e.to_string()));
    }
    if password.is_empty() {
        errors.push(ErrorItem::field("password", "Enter your password"));
    }
    errors
}

/// The server's refusal as errors on the form. Wrong details point at the
/// email field, the first a person would check.
pub fn refusal_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        // The title ("Email or password is incorrect") is the NHS.UK-style short message.
        ApiError::Unauthorised(problem) => vec![ErrorItem::field("email", problem.title.clone())],
        ApiError::Refused(problem) => {
            let per_field = forms::from_problem(problem, &FIELDS);
            if !per_field.is_empty() {
                return per_field;
            }
            // Too many attempts: what happened, then how long to wait.
            let message = match problem.retry_after {
                Some(seconds) => format!("{}. {}", problem.title.trim_end_matches('.'), wait_sentence(seconds)),
                None => error.message(),
            };
            vec![ErrorItem::form(message)]
        }
        ApiError::Unavailable => vec![ErrorItem::form(error.message())],
    }
}

/// "You can try again in 5 minutes." from a `retry_after` in seconds.
pub fn wait_sentence(seconds: u64) -> String {
    let wait = match seconds {
        0..=1 => "1 second".to_owned(),
        2..=59 => format!("{seconds} seconds"),
        60 => "1 minute".to_owned(),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    };
    format!("You can try again in {wait}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_sentence(1), "You can try again in 1 second.");
        assert_eq!(wait_sentence(30), "You can try again in 30 seconds.");
        assert_eq!(wait_sentence(60), "You can try again in 1 minute.");
        assert_eq!(wait_sentence(61), "You can try again in 2 minutes.");
        assert_eq!(wait_sentence(900), "You can try again in 15 minutes.");
    }

    #[test]
    fn the_page_catches_empty_and_malformed_input() {
        let errors = check("not-an-email", "");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field.as_deref(), Some("email"));
        assert_eq!(errors[1].message, "Enter your password");
        assert!(check("jo@example.com", "secret").is_empty());
    }
}
