#![no_main]
//! The invitation letter over arbitrary names, addresses and team names (as
//! records and configuration hold them): it always renders, to one PDF page.

use libfuzzer_sys::fuzz_target;
use portico_letters::{Letter, Sender};

fuzz_target!(|text: &str| {
    let sender = Sender {
        organisation: text.to_owned(),
        team: text.to_owned(),
        return_address_lines: vec![text.to_owned()],
        phone: None,
    };
    let letter = Letter {
        reference: "PTC-00000000".to_owned(),
        date: "27 November 2026".to_owned(),
        recipient_name: text.to_owned(),
        address_lines: vec![text.to_owned(), text.to_owned()],
        postcode: Some(text.to_owned()),
        given_name: text.to_owned(),
        code_grouped: "7KQM-2XRD-93TB".to_owned(),
        link: "https://portico.example/register?code=7KQM-2XRD-93TB".to_owned(),
        register_address: "portico.example/register".to_owned(),
        expires: "18 December 2026".to_owned(),
    };
    let pdf = portico_letters::render_one(&sender, &letter);
    assert!(pdf.is_ok_and(|pdf| pdf.starts_with(b"%PDF-")));
});
