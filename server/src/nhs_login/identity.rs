//! What NHS login tells Portico about a person, as domain values parsed once
//! from the verified ID token and userinfo.

use std::fmt;

use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};

/// NHS login's identity levels: P0 (none), P5 (checked against PDS), P9
/// (proven with photo ID). Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdentityLevel {
    P0,
    P5,
    P9,
}

impl IdentityLevel {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "P0" => Some(Self::P0),
            "P5" => Some(Self::P5),
            "P9" => Some(Self::P9),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::P0 => "P0",
            Self::P5 => "P5",
            Self::P9 => "P9",
        }
    }
}

/// A vector of trust, `P9.Cp.Cd`: an identity level and how the person
/// authenticated (`Cp` password, `Cd` registered device, `Ck` key in a
/// device, `Cm` FIDO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vector(String);

impl Vector {
    pub fn parse(text: &str) -> Option<Self> {
        let (level, credentials) = text.split_once('.')?;
        IdentityLevel::parse(level)?;
        matches!(credentials, "Cp" | "Cp.Cd" | "Cp.Ck" | "Cm").then(|| Self(text.to_owned()))
    }

    pub fn level(&self) -> IdentityLevel {
        // Parsed by `parse`, which only keeps known levels.
        IdentityLevel::parse(self.0.get(..2).unwrap_or_default()).unwrap_or(IdentityLevel::P0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// NHS login's subject: the stable key of an NHS login user (up to 255
/// characters, case-sensitive), never their email, which they can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sub(String);

impl Sub {
    pub fn parse(text: &str) -> Option<Self> {
        (!text.is_empty() && text.len() <= 255 && !text.chars().any(char::is_control)).then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person as NHS login vouched for them in one sign-in.
#[derive(Debug, Clone)]
pub struct ProvenIdentity {
    pub issuer: String,
    pub sub: Sub,
    pub level: IdentityLevel,
    pub vot: Vector,
    /// P5 and P9 only: NHS login holds no demographics for P0.
    pub nhs_number: Option<NhsNumber>,
    pub date_of_birth: Option<DateOfBirth>,
    pub given_name: String,
    pub family_name: String,
    /// NHS login has checked the person can read mail sent here.
    pub email: EmailAddress,
    pub mobile: Option<MobileNumber>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_read_with_their_level() {
        assert_eq!(Vector::parse("P9.Cp.Cd").map(|v| v.level()), Some(IdentityLevel::P9));
        assert_eq!(Vector::parse("P5.Cm").map(|v| v.level()), Some(IdentityLevel::P5));
        assert!(Vector::parse("P7.Cp").is_none());
        assert!(Vector::parse("P9.Cx").is_none());
        assert!(Vector::parse("P9").is_none());
    }

    #[test]
    fn subjects_are_bounded() {
        assert!(Sub::parse("").is_none());
        assert!(Sub::parse(&"a".repeat(256)).is_none());
        assert!(Sub::parse("a\nb").is_none());
        assert_eq!(Sub::parse("Case-Sensitive").map(|s| s.as_str().to_owned()).as_deref(), Some("Case-Sensitive"));
    }
}
