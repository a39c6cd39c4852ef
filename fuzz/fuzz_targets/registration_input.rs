#![no_main]
//! What a patient types while registering, over arbitrary text: the
//! registration code (with its forgiving reading of case, spacing, look-alike
//! letters and full-width forms), the six-digit email code, and a new
//! password's length rule. Nothing may panic; a code that parses prints in
//! groups and parses back to itself; a six-digit code is six ASCII digits.

use libfuzzer_sys::fuzz_target;
use portico_server::registration::confirm::parse_code;
use portico_types::InvitationCode;
use portico_types::new_password::check_length;

fuzz_target!(|text: &str| {
    if let Ok(code) = InvitationCode::parse(text) {
        assert_eq!(code.as_str().len(), 12);
        let grouped = code.grouped();
        assert_eq!(grouped.len(), 14);
        assert_eq!(InvitationCode::parse(&grouped).as_ref(), Ok(&code));
        assert_eq!(InvitationCode::parse(&grouped.to_lowercase()).as_ref(), Ok(&code));
    }
    if let Some(digits) = parse_code(text) {
        assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()));
    }
    let _ = check_length(text);
});
