//! The registration code on an invitation: what a patient types from a letter
//! or a text message, on a phone.
//!
//! Twelve characters of Crockford's base32 (digits and the letters without
//! I, L, O and U, so nothing reads as something else), shown in groups of four:
//! `7KQM-2XRD-93TB`. Eleven carry 55 random bits; the twelfth is a Luhn mod 32
//! check character, which catches every single mistyped character and every
//! swap of two neighbours but 0 and Z (Luhn's one blind spot), so the page
//! can say "check your code" before the server is asked. Typing is
//! forgiving: case, spaces and hyphens do not matter, and I, L and O are read
//! as 1, 1 and 0, as Crockford intends.

use std::fmt;

/// Crockford's base32 alphabet, in value order.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code, check character included.
pub const CODE_LENGTH: usize = 12;
const DATA_LENGTH: usize = CODE_LENGTH - 1;
/// How much typing is read at all: a code with generous spacing fits; a
/// pasted paragraph does not get looked at character by character.
const MAX_INPUT_CHARS: usize = 64;

/// A registration code whose check character is right. Whether it belongs to
/// a live invitation is the server's question, asked with the date of birth.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct InvitationCode(String);

/// Why typed text is not a registration code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvitationCodeError {
    #[error("Enter your registration code")]
    Empty,
    #[error("Registration code must be 12 letters and numbers, like 7KQM-2XRD-93TB")]
    WrongLength,
    #[error("Registration code must only include letters and numbers")]
    NotAllowed,
    #[error("Registration codes do not use the letter U: check your code and try again")]
    LetterU,
    #[error("Check your registration code: one or more characters are not right")]
    CheckFailed,
}

impl InvitationCode {
    pub fn parse(input: &str) -> Result<Self, InvitationCodeError> {
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(InvitationCodeError::WrongLength);
        }
        let mut code = String::with_capacity(CODE_LENGTH);
        for c in input.chars() {
            match normalise(c) {
                Typed::Skip => {}
                Typed::Symbol(symbol) => code.push(symbol),
                Typed::LetterU => return Err(InvitationCodeError::LetterU),
                Typed::NotAllowed => return Err(InvitationCodeError::NotAllowed),
            }
        }
        if code.is_empty() {
            return Err(InvitationCodeError::Empty);
        }
        if code.len() != CODE_LENGTH {
            return Err(InvitationCodeError::WrongLength);
        }
        if !check_holds(&code) {
            return Err(InvitationCodeError::CheckFailed);
        }
        Ok(Self(code))
    }

    /// The code for 55 random bits (the low 55 of `bits`), with its check
    /// character. The caller supplies the randomness: a CSPRNG on the server.
    pub fn from_random_bits(bits: u64) -> Self {
        let mut code = String::with_capacity(CODE_LENGTH);
        for i in (0..DATA_LENGTH).rev() {
            let value = (bits >> (5 * i)) & 0x1f;
            code.push(char::from(ALPHABET[value as usize]));
        }
        code.push(check_character(&code));
        Self(code)
    }

    /// The twelve characters, ungrouped: what is hashed and stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as printed and shown: `7KQM-2XRD-93TB`.
    pub fn grouped(&self) -> String {
        let (a, rest) = self.0.split_at(4);
        let (b, c) = rest.split_at(4);
        format!("{a}-{b}-{c}")
    }
}

/// What one typed character means.
enum Typed {
    /// Spacing people add or copy: ignored.
    Skip,
    Symbol(char),
    LetterU,
    NotAllowed,
}

fn normalise(c: char) -> Typed {
    // Full-width forms (from some phone keyboards and East Asian input
    // methods) are the ASCII characters they look like.
    let c = match u32::from(c) {
        full @ 0xFF01..=0xFF5E => char::from_u32(full - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    match c {
        ' ' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{00A0}' | '\u{3000}' | '\t' => Typed::Skip,
        'i' | 'I' | 'l' | 'L' => Typed::Symbol('1'),
        'o' | 'O' => Typed::Symbol('0'),
        'u' | 'U' => Typed::LetterU,
        c if c.is_ascii_alphanumeric() => Typed::Symbol(c.to_ascii_uppercase()),
        _ => Typed::NotAllowed,
    }
}

fn value_of(symbol: u8) -> u32 {
    ALPHABET.iter().position(|&a| a == symbol).map_or(0, |p| p as u32)
}

/// Luhn mod 32 over `data`, the check character that makes the sum whole.
fn check_character(data: &str) -> char {
    let sum = luhn_sum(data.bytes().rev(), 2);
    char::from(ALPHABET[((32 - sum % 32) % 32) as usize])
}

fn check_holds(code: &str) -> bool {
    luhn_sum(code.bytes().rev(), 1).is_multiple_of(32)
}

/// Luhn's sum from the rightmost character, doubling every other one
/// starting with `first_factor`, digits of each product added in base 32.
fn luhn_sum(symbols_from_right: impl Iterator<Item = u8>, first_factor: u32) -> u32 {
    let mut factor = first_factor;
    let mut sum = 0;
    for symbol in symbols_from_right {
        let addend = value_of(symbol) * factor;
        sum += addend / 32 + addend % 32;
        factor = if factor == 2 { 1 } else { 2 };
    }
    sum
}

/// The code is a secret: logs and panics never show it.
impl fmt::Debug for InvitationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvitationCode(***)")
    }
}

serde_as_parsed_string!(InvitationCode, as_str);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn made_codes_parse_back_whatever_the_typing() {
        let code = InvitationCode::from_random_bits(0x12_3456_789A_BCDE);
        let grouped = code.grouped();
        assert_eq!(grouped.len(), 14);
        assert_eq!(InvitationCode::parse(&grouped), Ok(code.clone()));
        assert_eq!(InvitationCode::parse(&grouped.to_lowercase()), Ok(code.clone()));
        assert_eq!(InvitationCode::parse(&format!("  {} ", grouped.replace('-', " "))), Ok(code.clone()));
        assert_eq!(InvitationCode::parse(code.as_str()), Ok(code));
    }

    #[test]
    fn confusable_letters_read_as_the_digits_they_look_like() {
        // 0 and 1 are in the alphabet; O, I and L never are.
        let code = InvitationCode::from_random_bits(0);
        assert!(code.as_str().starts_with("0000"));
        let typed = code.grouped().replacen('0', "O", 2).replacen('0', "o", 1);
        assert_eq!(InvitationCode::parse(&typed), Ok(code));
        let ones = InvitationCode::from_random_bits((0..11).fold(0, |bits, i| bits | 1 << (5 * i)));
        assert!(ones.as_str().starts_with("1111"), "{}", ones.as_str());
        let typed = ones.grouped().replacen('1', "I", 1).replacen('1', "l", 1).replacen('1', "L", 1);
        assert_eq!(InvitationCode::parse(&typed), Ok(ones));
    }

    #[test]
    fn full_width_and_dash_variants_are_read() {
        let code = InvitationCode::from_random_bits(987_654_321);
        let full_width: String = code
            .grouped()
            .chars()
            .map(|c| if c == '-' { '\u{2013}' } else { char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c) })
            .collect();
        assert_eq!(InvitationCode::parse(&full_width), Ok(code));
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(InvitationCode::parse(""), Err(InvitationCodeError::Empty));
        assert_eq!(InvitationCode::parse(" - - "), Err(InvitationCodeError::Empty));
        assert_eq!(InvitationCode::parse("ABCD-EFGH"), Err(InvitationCodeError::WrongLength));
        assert_eq!(InvitationCode::parse("ABCD-EFGH-JKMN-P"), Err(InvitationCodeError::WrongLength));
        assert_eq!(InvitationCode::parse(&"A".repeat(10_000)), Err(InvitationCodeError::WrongLength));
        assert_eq!(InvitationCode::parse("ABCD-EFGH-JKM!"), Err(InvitationCodeError::NotAllowed));
        // Cyrillic А looks like A and is not one.
        assert_eq!(InvitationCode::parse("\u{0410}BCD-EFGH-JKMN"), Err(InvitationCodeError::NotAllowed));
        assert_eq!(InvitationCode::parse("ABCD-EFGH-JKMU"), Err(InvitationCodeError::LetterU));
    }

    #[test]
    fn the_code_never_shows_in_debug_output() {
        let code = InvitationCode::from_random_bits(42);
        assert!(!format!("{code:?}").contains(code.as_str()));
    }

    #[test]
    fn serde_keeps_only_valid_codes() {
        let code = InvitationCode::from_random_bits(7);
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(serde_json::from_str::<InvitationCode>(&json).unwrap(), code);
        let typo = format!("\"{}\"", replace_at(code.as_str(), 0, b'Z'));
        assert!(serde_json::from_str::<InvitationCode>(&typo).is_err());
        assert!(serde_json::from_str::<InvitationCode>("\"\"").is_err());
    }

    fn replace_at(code: &str, at: usize, with: u8) -> String {
        let mut bytes = code.as_bytes().to_vec();
        bytes[at] = with;
        String::from_utf8(bytes).unwrap()
    }

    proptest! {
        #[test]
        fn every_single_mistyped_character_is_caught(bits in any::<u64>(), at in 0..CODE_LENGTH, to in 0usize..32) {
            let code = InvitationCode::from_random_bits(bits);
            let typo = ALPHABET[to];
            prop_assume!(code.as_str().as_bytes()[at] != typo);
            prop_assert_eq!(
                InvitationCode::parse(&replace_at(code.as_str(), at, typo)),
                Err(InvitationCodeError::CheckFailed)
            );
        }

        #[test]
        fn every_swap_of_neighbours_is_caught(bits in any::<u64>(), at in 0..CODE_LENGTH - 1) {
            let code = InvitationCode::from_random_bits(bits);
            let mut bytes = code.as_str().as_bytes().to_vec();
            prop_assume!(bytes[at] != bytes[at + 1]);
            prop_assume!(!matches!((bytes[at], bytes[at + 1]), (b'0', b'Z') | (b'Z', b'0')));
            bytes.swap(at, at + 1);
            let swapped = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(InvitationCode::parse(&swapped), Err(InvitationCodeError::CheckFailed));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC{0,80}") {
            let _ = InvitationCode::parse(&input);
        }
    }
}
