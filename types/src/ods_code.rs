//! The ODS code that identifies an organisation (NHS Organisation Data Service).

use std::fmt;

/// A well-formed ODS code: 3 to 10 letters and digits, upper case (`RJ1`, `A81001`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct OdsCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdsCodeError {
    #[error("Enter an ODS code")]
    Empty,
    #[error("ODS code must be 3 to 10 letters and numbers, like RJ1 or A81001")]
    Format,
}

impl OdsCode {
    pub fn parse(input: &str) -> Result<Self, OdsCodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(OdsCodeError::Empty);
        }
        if !(3..=10).contains(&trimmed.len()) || !trimmed.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(OdsCodeError::Format);
        }
        Ok(Self(trimmed.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serde_as_parsed_string!(OdsCode, as_str);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_trust_and_practice_codes() {
        assert_eq!(OdsCode::parse("rj1").unwrap().as_str(), "RJ1");
        assert_eq!(OdsCode::parse(" A81001 ").unwrap().as_str(), "A81001");
    }

    #[test]
    fn rejects_malformed_codes() {
        assert_eq!(OdsCode::parse(""), Err(OdsCodeError::Empty));
        for bad in ["R1", "RJ1-2", "ABCDEFGHIJK", "R J1", "RJ1;DROP"] {
            assert_eq!(OdsCode::parse(bad), Err(OdsCodeError::Format), "{bad}");
        }
    }
}
