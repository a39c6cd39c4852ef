#![no_main]
//! What staff type at the desk and what configuration holds, over arbitrary
//! text: a mobile number (only UK mobiles parse, and the E.164 and national
//! forms parse back to the same number), an email address, and a GOV.UK
//! Notify API key (never its secret in what it prints).

use libfuzzer_sys::fuzz_target;
use portico_notify::ApiKey;
use portico_types::{EmailAddress, MobileNumber};

fuzz_target!(|text: &str| {
    if let Ok(mobile) = MobileNumber::parse(text) {
        assert!(mobile.e164().starts_with("+447") && mobile.e164().len() == 13);
        assert_eq!(MobileNumber::parse(mobile.e164()).as_ref(), Ok(&mobile));
        assert_eq!(MobileNumber::parse(&mobile.national()).as_ref(), Ok(&mobile));
    }
    if let Ok(email) = EmailAddress::parse(text) {
        assert_eq!(EmailAddress::parse(email.as_str()).as_ref(), Ok(&email));
    }
    if let Ok(key) = ApiKey::parse(text) {
        let shown = format!("{key:?}");
        let trimmed = text.trim();
        // The secret is the last 36 characters (a UUID); the name or service
        // id may happen to hold the same text, which is no leak.
        if let Some(secret) = trimmed.get(trimmed.len().saturating_sub(36)..)
            && !key.name().contains(secret)
            && key.service_id() != secret
        {
            assert!(!shown.contains(secret), "the secret leaked into {shown}");
        }
    }
});
