#![no_main]
//! The FHIR feed's reading of untrusted bodies, short of the database: JSON,
//! the Bundle's shape and limits, and each resource converted (names, NHS
//! numbers, dates, telecoms, addresses, entries). Nothing may panic, and
//! every refusal must say why.

use libfuzzer_sys::fuzz_target;
use portico_server::feeds::fhir::read::{read_bundle, read_resource};
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let today = date!(2026 - 11 - 25);
    match read_bundle(data, today, "fhir:fuzz") {
        Ok(read) => {
            for item in read.items {
                if let Err(issues) = item {
                    assert!(!issues.is_empty(), "a refused entry names its issues");
                }
            }
        }
        Err(unread) => assert!(!unread.2.is_empty(), "a refused body says why"),
    }
    for kind in ["Patient", "Observation", "DocumentReference", "Appointment"] {
        if let Ok(Err(issues)) = read_resource(data, kind, today, "fhir:fuzz") {
            assert!(!issues.is_empty(), "a refused resource names its issues");
        }
    }
});
