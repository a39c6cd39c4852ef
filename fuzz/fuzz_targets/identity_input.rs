#![no_main]
//! What identifies a patient or proves a professional, over arbitrary text:
//! an NHS number (only numbers whose check digit holds parse, and every form
//! it prints in parses back to it), a date of birth (ISO, or the three boxes
//! of the date input: a real date, in the past, after 1900, printed back to
//! the same day), a postcode (printed in one normal form that parses to
//! itself), and the code typed at a second factor's prompt (six digits, or a
//! recovery code). Nothing may panic.

use libfuzzer_sys::fuzz_target;
use portico_server::auth::second_factor::Code;
use portico_types::{DateOfBirth, NhsNumber, Postcode};
use time::macros::date;

fuzz_target!(|text: &str| {
    if let Ok(number) = NhsNumber::parse(text) {
        let digits = number.as_digits();
        assert!(digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(NhsNumber::parse(&digits).as_ref(), Ok(&number));
        assert_eq!(NhsNumber::parse(&number.formatted()).as_ref(), Ok(&number));
    }
    let today = date!(2026 - 11 - 28);
    if let Ok(born) = DateOfBirth::parse(text, today) {
        assert!(born.date() <= today && born.date() >= date!(1900 - 01 - 01));
        assert_eq!(DateOfBirth::parse(&born.iso(), today).as_ref(), Ok(&born));
    }
    // The NHS.UK date input's three boxes, as typed.
    let mut boxes = text.splitn(3, '/');
    if let (Some(day), Some(month), Some(year)) = (boxes.next(), boxes.next(), boxes.next())
        && let Ok(born) = DateOfBirth::from_parts(day, month, year, today)
    {
        assert!(born.date() <= today && born.date() >= date!(1900 - 01 - 01));
        assert_eq!(DateOfBirth::parse(&born.iso(), today).as_ref(), Ok(&born));
    }
    if let Ok(postcode) = Postcode::parse(text) {
        assert_eq!(Postcode::parse(postcode.as_str()).as_ref(), Ok(&postcode));
        assert!(postcode.as_str().len() <= 8 && postcode.as_str().contains(' '));
    }
    match Code::parse(text) {
        Ok(Code::Authenticator(digits)) => assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())),
        Ok(Code::Recovery(code)) => assert!(!code.is_empty() && code.is_ascii()),
        Err(message) => assert!(!message.is_empty()),
    }
});
