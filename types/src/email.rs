//! An email address as Portico accepts it for an account or a record.

use std::fmt;

/// A syntactically valid email address, normalised to lower case.
///
/// Only ASCII is accepted: internationalised addresses are rare in practice,
/// and refusing them closes the door on look-alike (confusable) characters and
/// on line breaks that could inject mail headers.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// Why a string is not an acceptable email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    #[error("Enter an email address")]
    Empty,
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
    #[error("Enter an email address in the correct format, like name@example.com")]
    Format,
}

const LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailAddressError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(EmailAddressError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailAddressError::Format)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailAddressError::Format);
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug shows only the domain, so addresses do not end up in logs.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress(***@{})", self.domain())
    }
}

serde_as_parsed_string!(EmailAddress, as_str);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises_ordinary_addresses() {
        let e = EmailAddress::parse("  Jo.Bloggs+nhs@Example.NHS.uk ").unwrap();
        assert_eq!(e.as_str(), "jo.bloggs+nhs@example.nhs.uk");
        assert_eq!(e.domain(), "example.nhs.uk");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "plainaddress",
            "@example.com",
            "jo@",
            "jo@localhost",
            "jo@@example.com",
            "jo..b@example.com",
            ".jo@example.com",
            "jo@-example.com",
            "jo@example.123",
            "jo bloggs@example.com",
            "jo@exam_ple.com",
            "jo\r\nBcc: x@evil.com@example.com",
            "jо@example.com", // Cyrillic o
            "jo@exаmple.com", // Cyrillic a
            "' OR 1=1 --@example.com",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(EmailAddressError::Format), "{bad:?}");
        }
        assert_eq!(EmailAddress::parse("   "), Err(EmailAddressError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailAddressError::TooLong));
    }

    #[test]
    fn debug_hides_the_local_part() {
        let e = EmailAddress::parse("secret.person@example.com").unwrap();
        assert!(!format!("{e:?}").contains("secret"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = EmailAddress::parse(&s);
        }

        #[test]
        fn parsed_addresses_are_stable(s in "[a-zA-Z0-9.+]{1,20}@[a-z0-9]{1,10}\\.[a-z]{2,5}") {
            if let Ok(e) = EmailAddress::parse(&s) {
                prop_assert_eq!(EmailAddress::parse(e.as_str()), Ok(e.clone()));
            }
        }
    }
}
