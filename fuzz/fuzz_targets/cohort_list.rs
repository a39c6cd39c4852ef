#![no_main]
//! A campaign's uploaded list of NHS numbers, over arbitrary text: it is read
//! or refused with a reason, never a panic; what it reads are valid NHS
//! numbers, each once, with the row that named it; and a list written back out
//! reads the same.

use libfuzzer_sys::fuzz_target;
use portico_server::campaigns::cohort::parse_listed;

fuzz_target!(|text: &str| {
    match parse_listed(text) {
        Ok(listed) => {
            assert!(!listed.numbers.is_empty());
            let mut seen = std::collections::BTreeSet::new();
            for (number, row) in &listed.numbers {
                assert!(*row >= 1);
                assert!(seen.insert(number.as_digits()), "listed twice");
            }
            let again: Vec<String> = listed.numbers.iter().map(|(n, _)| n.as_digits()).collect();
            let reread = parse_listed(&again.join("\n")).expect("its own numbers read back");
            assert_eq!(reread.numbers.len(), again.len());
        }
        Err(reason) => assert!(!reason.is_empty()),
    }
});
