//! What a record holds about the person, checked once as it comes in, from
//! whichever feed or form it came.

use portico_types::problem::FieldError;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber, OdsCode, Postcode};
use serde::{Deserialize, Serialize};

const MAX_NAME_CHARS: usize = 100;
const MAX_ADDRESS_LINES: usize = 5;
const MAX_ADDRESS_LINE_CHARS: usize = 100;

/// A person's details as a record keeps them. Serialised, it is the snapshot
/// kept for each version, and two equal snapshots mean "nothing changed".
/// (Deserialised, it is a checked upload waiting for its commit.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientDetails {
    pub nhs_number: Option<NhsNumber>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub email: Option<EmailAddress>,
    pub mobile: Option<MobileNumber>,
    pub address_lines: Vec<String>,
    pub postcode: Option<Postcode>,
    pub gp_ods_code: Option<OdsCode>,
}

impl PatientDetails {
    /// The lower-case name the search box matches against.
    pub fn search_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name).to_lowercase()
    }
}

/// A name as typed or sent: trimmed, inner runs of spaces made one, not
/// empty, no control characters, at most 100 characters.
pub fn name(field: &str, label: &str, raw: &str) -> Result<String, FieldError> {
    let cleaned = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Err(FieldError::new(field, format!("Enter the {label}")));
    }
    if cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(field, format!("The {label} must be {MAX_NAME_CHARS} characters or fewer")));
    }
    if cleaned.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | '{' | '}' | '\\')) {
        return Err(FieldError::new(
            field,
            format!("The {label} must only include letters, spaces, hyphens and apostrophes"),
        ));
    }
    Ok(cleaned)
}

/// Address lines: blank lines dropped, each trimmed and checked.
pub fn address_lines<'a>(field: &str, raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, FieldError> {
    let lines: Vec<String> =
        raw.into_iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    if lines.len() > MAX_ADDRESS_LINES {
        return Err(FieldError::new(field, format!("An address has at most {MAX_ADDRESS_LINES} lines")));
    }
    if lines.iter().any(|l| l.chars().count() > MAX_ADDRESS_LINE_CHARS || l.chars().any(char::is_control)) {
        return Err(FieldError::new(
            field,
            "Each address line must be 100 characters or fewer, with no control characters",
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tidied_and_checked() {
        assert_eq!(name("given", "first name", "  Mary   Ann ").unwrap(), "Mary Ann");
        assert_eq!(name("family", "last name", "O'Brien-Smith").unwrap(), "O'Brien-Smith");
        assert!(name("given", "first name", " ").is_err());
        assert!(name("given", "first name", "<script>").is_err());
        assert!(name("given", "first name", "a\u{0}b").is_err());
        assert!(name("given", "first name", &"x".repeat(101)).is_err());
    }

    #[test]
    fn blank_address_lines_are_dropped() {
        assert_eq!(address_lines("address", ["1 High St", " ", "Leeds"]).unwrap(), ["1 High St", "Leeds"]);
        assert!(address_lines("address", ["a", "b", "c", "d", "e", "f"]).is_err());
    }
}
