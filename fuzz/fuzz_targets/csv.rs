#![no_main]
//! The patients CSV reader over untrusted bytes: encoding sniffing, header
//! checks, every row's fields, duplicate NHS numbers. Nothing may panic,
//! every row problem names a row after the header, and the summary agrees
//! with what the reader handed on.

use libfuzzer_sys::fuzz_target;
use portico_server::feeds::csv::parse::{Item, Limits, read_patients};
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_rows: 10_000, max_bad_rows: 1_000 };
    let mut good = 0u32;
    let result = read_patients(data, date!(2026 - 11 - 25), limits, |item| {
        match item {
            Item::Good { row, .. } => {
                assert!(row >= 2, "the header is row 1");
                good += 1;
            }
            Item::Problems(problems) => {
                assert!(!problems.is_empty());
                assert!(problems.iter().all(|p| p.row >= 2 && !p.message.is_empty()));
            }
        }
        Ok::<(), ()>(())
    });
    if let Ok(summary) = result {
        assert!(summary.bad_rows <= summary.rows);
        // Rows found good and later named as duplicates are counted bad.
        assert!(summary.good_rows() <= good);
    }
});
