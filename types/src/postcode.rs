//! A UK postcode, for addressing letters to a window envelope.

use std::fmt;

/// A well-formed UK postcode, upper case with one space before the inward
/// code (`LS1 4AP`, `SW1A 1AA`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Postcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("Enter a postcode")]
    Empty,
    #[error("Enter a real postcode, like LS1 4AP")]
    Format,
}

impl Postcode {
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(PostcodeError::Format);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if valid_outward(outward) && valid_inward(inward) {
            Ok(Self(format!("{outward} {inward}")))
        } else {
            Err(PostcodeError::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outward code: area letters (1-2), district digit(s), maybe a letter:
/// A9, A99, AA9, AA99, A9A, AA9A.
fn valid_outward(outward: &str) -> bool {
    let b = outward.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &b[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, e] => d.is_ascii_digit() && (e.is_ascii_digit() || e.is_ascii_alphabetic()),
        _ => false,
    }
}

/// The inward code: a digit then two letters.
fn valid_inward(inward: &str) -> bool {
    let b = inward.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serde_as_parsed_string!(Postcode, as_str);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_real_shapes() {
        for (input, want) in [
            ("ls14ap", "LS1 4AP"),
            ("SW1A 1AA", "SW1A 1AA"),
            (" m1  1ae ", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
        ] {
            assert_eq!(Postcode::parse(input).unwrap().as_str(), want);
        }
    }

    #[test]
    fn refuses_what_is_not_a_postcode() {
        assert_eq!(Postcode::parse(" "), Err(PostcodeError::Empty));
        for bad in ["LS1", "123 4AP", "LS1 AAP", "LSS1 4AP", "LS1 4A1", "LS1-4AP", "ŁS1 4AP"] {
            assert_eq!(Postcode::parse(bad), Err(PostcodeError::Format), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Postcode::parse(&s);
        }
    }
}
