//! A UK mobile number, the only kind Portico sends text messages to.

use std::fmt;

/// A UK mobile number held in E.164 form (`+447700900123`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileNumberError {
    #[error("Enter a mobile phone number")]
    Empty,
    #[error("Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982")]
    NotUkMobile,
}

impl MobileNumber {
    /// Accepts `07…`, `447…`, `+447…` and `00447…`, with spaces, hyphens,
    /// dots and brackets between digits (`(07700) 900-982`).
    pub fn parse(input: &str) -> Result<Self, MobileNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(MobileNumberError::Empty);
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(15);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(MobileNumberError::NotUkMobile),
            }
        }
        let national = if plus {
            digits.strip_prefix("44")
        } else if let Some(rest) = digits.strip_prefix("0044") {
            Some(rest)
        } else if let Some(rest) = digits.strip_prefix("44") {
            Some(rest)
        } else {
            digits.strip_prefix('0')
        };
        // "(0)" after the country code, as in +44 (0)7700 900982.
        let national = national.map(|n| n.strip_prefix('0').unwrap_or(n));
        match national {
            Some(n) if n.len() == 10 && n.starts_with('7') && !n.starts_with("76") => Ok(Self(format!("+44{n}"))),
            _ => Err(MobileNumberError::NotUkMobile),
        }
    }

    /// E.164: `+447700900123`.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// As people write it: `07700 900123`.
    pub fn national(&self) -> String {
        let n = &self.0[3..];
        format!("0{} {}", &n[..4], &n[4..])
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.national())
    }
}

impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MobileNumber(***)")
    }
}

serde_as_parsed_string!(MobileNumber, e164);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_ways_people_write_uk_mobiles() {
        for input in
            ["07700 900982", "07700-900-982", "+44 7700 900982", "+44 (0)7700 900982", "00447700900982", "447700900982"]
        {
            assert_eq!(MobileNumber::parse(input).unwrap().e164(), "+447700900982", "{input}");
        }
        assert_eq!(MobileNumber::parse("07700900982").unwrap().national(), "07700 900982");
    }

    #[test]
    fn refuses_landlines_pagers_foreign_and_junk() {
        assert_eq!(MobileNumber::parse(""), Err(MobileNumberError::Empty));
        for bad in [
            "0113 496 0000",
            "07624 123456x",
            "07612 345678",
            "+33 6 12 34 56 78",
            "0770090098",
            "077009009821",
            "+1 7700 900982",
            "07700 900982; DROP",
        ] {
            assert_eq!(MobileNumber::parse(bad), Err(MobileNumberError::NotUkMobile), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = MobileNumber::parse(&s);
        }
    }
}
