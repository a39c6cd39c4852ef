//! Form components that render the NHS.UK form pattern once, so every form
//! gets labels, hints, error messages and the error summary right
//! (WCAG 1.3.1, 3.3.1, 3.3.2, 4.1.2).
//!
//! A form page keeps its values in signals and its errors as a list of
//! [`ErrorItem`]s; the components show each error beside its field and all of
//! them in the [`ErrorSummary`], which takes focus when a submit fails.

mod button;
mod character_count;
mod checkbox;
mod date_input;
mod error_summary;
mod field;
mod file_input;
mod password_input;
mod radios;
mod text_input;

pub use button::Button;
pub use character_count::CharacterCount;
pub use checkbox::Checkbox;
pub use date_input::{DateInput, DateParts};
pub use error_summary::ErrorSummary;
pub use file_input::FileInput;
pub use password_input::PasswordInput;
pub use radios::{RadioOption, Radios};
pub use text_input::TextInput;

use portico_types::problem::Problem;

/// One thing wrong with what was entered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ErrorItem {
    /// The id of the field it belongs to, which the error summary links to.
    /// `None` for an error about the form as a whole.
    pub field: Option<String>,
    pub message: String,
}

impl ErrorItem {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self { field: Some(field.to_owned()), message: message.into() }
    }

    pub fn form(message: impl Into<String>) -> Self {
        Self { field: None, message: message.into() }
    }
}

/// The message for `field`, if it has one: the first, as NHS.UK shows one
/// message per field.
pub fn message_for(errors: &[ErrorItem], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field.as_deref() == Some(field)).map(|e| e.message.clone())
}

/// The server's per-field errors, kept only for fields this form has (a
/// message about a field the page does not show could not be acted on).
pub fn from_problem(problem: &Problem, fields: &[&str]) -> Vec<ErrorItem> {
    problem
        .errors
        .iter()
        .filter(|e| fields.contains(&e.field.as_str()))
        .map(|e| ErrorItem::field(&e.field, e.message.clone()))
        .collect()
}

/// A refusal shown on a form: on the fields the server named (of `fields`,
/// those the form has), or else on the first of them (a throttle, say, with
/// how long to wait), or on the whole form when the server was not reached.
pub fn refusal_errors(error: &crate::api::ApiError, fields: &[&'static str]) -> Vec<ErrorItem> {
    match error {
        crate::api::ApiError::Refused(problem) => {
            let named = from_problem(problem, fields);
            if !named.is_empty() {
                return named;
            }
            let message = match problem.retry_after {
                Some(seconds) => format!("{}. {}", problem.title, crate::sign_in::wait_sentence(seconds)),
                None => error.message(),
            };
            vec![ErrorItem::field(fields.first().copied().unwrap_or_default(), message)]
        }
        other => vec![ErrorItem::form(other.message())],
    }
}
