//! The NHS number: ten digits whose last is a modulus 11 check digit.

use std::fmt;

/// A valid NHS number, held as its ten digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NhsNumber([u8; 10]);

/// Why a string is not an NHS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("Enter an NHS number")]
    Empty,
    #[error("NHS number must be 10 digits")]
    WrongLength,
    #[error("NHS number must contain only digits and spaces")]
    NotDigits,
    #[error("Enter a valid NHS number: check the digits")]
    BadCheckDigit,
}

impl NhsNumber {
    /// Parses an NHS number as people write it: spaces and hyphens between
    /// digit groups are allowed (`943 476 5919`, `943-476-5919`).
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        let mut digits = [0u8; 10];
        let mut count = 0;
        for c in trimmed.chars() {
            match c {
                ' ' | '-' => continue,
                '0'..='9' => {
                    if count == 10 {
                        return Err(NhsNumberError::WrongLength);
                    }
                    digits[count] = c as u8 - b'0';
                    count += 1;
                }
                _ => return Err(NhsNumberError::NotDigits),
            }
        }
        if count != 10 {
            return Err(NhsNumberError::WrongLength);
        }
        match Self::check_digit(&digits[..9]) {
            Some(check) if check == digits[9] => Ok(Self(digits)),
            _ => Err(NhsNumberError::BadCheckDigit),
        }
    }

    /// The modulus 11 check digit for nine leading digits, or `None` when the
    /// remainder gives 10, for which no NHS number is ever issued.
    pub fn check_digit(first_nine: &[u8]) -> Option<u8> {
        let sum: u32 = first_nine.iter().zip((2..=10).rev()).map(|(&d, weight)| u32::from(d) * weight).sum();
        match 11 - (sum % 11) {
            11 => Some(0),
            10 => None,
            check => u8::try_from(check).ok(),
        }
    }

    /// Builds the NHS number whose first nine digits are those of `stem`
    /// (0..=999_999_999), if that stem has a valid check digit. Used to make
    /// synthetic test numbers in the reserved 999 range.
    pub fn from_stem(stem: u32) -> Option<Self> {
        if stem > 999_999_999 {
            return None;
        }
        let mut digits = [0u8; 10];
        let mut rest = stem;
        for slot in digits[..9].iter_mut().rev() {
            *slot = (rest % 10) as u8;
            rest /= 10;
        }
        digits[9] = Self::check_digit(&digits[..9])?;
        Some(Self(digits))
    }

    /// The ten digits with no separators, as stored and exchanged.
    pub fn as_digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The 3-3-4 grouping people read aloud: `943 476 5919`.
    pub fn formatted(&self) -> String {
        let d = self.as_digits();
        format!("{} {} {}", &d[..3], &d[3..6], &d[6..])
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

/// Debug never prints the number itself: it is personal data and must not reach logs.
impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NhsNumber(***)")
    }
}

serde_as_parsed_string!(NhsNumber, as_digits);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_published_valid_numbers_with_any_spacing() {
        for input in ["9434765919", "943 476 5919", "943-476-5919", " 9434765919 "] {
            let n = NhsNumber::parse(input).unwrap();
            assert_eq!(n.as_digits(), "9434765919");
            assert_eq!(n.to_string(), "943 476 5919");
        }
    }

    #[test]
    fn rejects_bad_input_with_the_reason() {
        assert_eq!(NhsNumber::parse(""), Err(NhsNumberError::Empty));
        assert_eq!(NhsNumber::parse("943476591"), Err(NhsNumberError::WrongLength));
        assert_eq!(NhsNumber::parse("94347659190"), Err(NhsNumberError::WrongLength));
        assert_eq!(NhsNumber::parse("94347659x9"), Err(NhsNumberError::NotDigits));
        assert_eq!(NhsNumber::parse("9434765918"), Err(NhsNumberError::BadCheckDigit));
        assert_eq!(NhsNumber::parse("' OR 1=1 --"), Err(NhsNumberError::NotDigits));
        assert_eq!(NhsNumber::parse("９４３４７６５９１９"), Err(NhsNumberError::NotDigits));
    }

    #[test]
    fn a_remainder_of_ten_is_never_valid() {
        // 000000006: weighted sum 6*2 = 12, 11 - 1 = 10.
        assert_eq!(NhsNumber::check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
    }

    #[test]
    fn debug_hides_the_number() {
        let n = NhsNumber::parse("9434765919").unwrap();
        assert!(!format!("{n:?}").contains("943"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = NhsNumber::parse(&s);
        }

        #[test]
        fn from_stem_round_trips(stem in 0u32..=999_999_999) {
            if let Some(n) = NhsNumber::from_stem(stem) {
                prop_assert_eq!(NhsNumber::parse(&n.as_digits()), Ok(n));
            }
        }

        #[test]
        fn any_single_digit_change_is_caught(stem in 0u32..=999_999_999, pos in 0usize..10, delta in 1u8..10) {
            if let Some(n) = NhsNumber::from_stem(stem) {
                let mut digits: Vec<u8> = n.as_digits().bytes().map(|b| b - b'0').collect();
                digits[pos] = (digits[pos] + delta) % 10;
                let changed: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert!(NhsNumber::parse(&changed).is_err());
            }
        }
    }
}
