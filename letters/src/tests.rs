//! Whole-letter tests: the file is a PDF with a page per letter, the text
//! reads back out, and no input moves text out of its place or panics.

use proptest::prelude::*;

use crate::canvas::{Block, PAGE_HEIGHT, PAGE_WIDTH, TextBox, mm};
use crate::document::Document;
use crate::letter::{ADDRESS_BOTTOM, ADDRESS_LEFT, ADDRESS_RIGHT, ADDRESS_TOP, BODY_BOTTOM, SENDER_LEFT};
use crate::{Letter, LetterError, Sender, render_batch, render_one};

fn sender() -> Sender {
    Sender {
        organisation: "Leeds Teaching Hospitals NHS Trust".to_owned(),
        team: "Patient Records Team".to_owned(),
        return_address_lines: vec![
            "St James's University Hospital".to_owned(),
            "Beckett Street".to_owned(),
            "Leeds".to_owned(),
        ],
        phone: Some("0113 243 3144".to_owned()),
    }
}

fn letter() -> Letter {
    Letter {
        reference: "PTC-7KQM2XRD".to_owned(),
        date: "27 November 2026".to_owned(),
        recipient_name: "Łukasz Wójcik".to_owned(),
        address_lines: vec!["Flat 3".to_owned(), "12 Harehills Lane".to_owned(), "Leeds".to_owned()],
        postcode: Some("LS8 4HQ".to_owned()),
        given_name: "Łukasz".to_owned(),
        code_grouped: "7KQM 2XRD 93TB".to_owned(),
        link: "https://portico.example/register?code=7KQM2XRD93TB".to_owned(),
        register_address: "portico.example/register".to_owned(),
        expires: "18 December 2026".to_owned(),
    }
}

/// The text of every page, as an independent PDF reader extracts it.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    pages.iter().map(|&page| document.extract_text(&[page]).unwrap()).collect()
}

/// Lays out one letter and returns where its text went.
fn layout(sender: &Sender, letter: &Letter) -> Result<Vec<TextBox>, LetterError> {
    let mut document = Document::new(1)?;
    let placed = document.add(sender, letter)?;
    document.finish()?;
    Ok(placed)
}

/// Every line of text inside the page's margins, the address inside the
/// envelope window, the sender clear of the window, the body above the footer.
fn assert_in_bounds(placed: &[TextBox]) {
    let slack = 0.01;
    for text in placed {
        assert!(text.left >= mm(10.0) && text.right <= PAGE_WIDTH - mm(10.0), "off the page sideways: {text:?}");
        assert!(text.top >= mm(10.0) && text.bottom <= PAGE_HEIGHT - mm(8.0), "off the page: {text:?}");
        match text.block {
            Block::Address => assert!(
                text.left >= ADDRESS_LEFT - slack
                    && text.right <= ADDRESS_RIGHT + slack
                    && text.top >= ADDRESS_TOP - slack
                    && text.bottom <= ADDRESS_BOTTOM + slack,
                "outside the envelope window: {text:?}"
            ),
            Block::Sender => {
                assert!(
                    text.left >= SENDER_LEFT - slack && text.bottom <= ADDRESS_BOTTOM,
                    "sender over the window: {text:?}"
                )
            }
            Block::Body => {
                assert!(text.top >= ADDRESS_BOTTOM && text.bottom <= BODY_BOTTOM, "body out of place: {text:?}")
            }
            Block::Footer => {}
        }
    }
}

#[test]
fn a_letter_is_a_one_page_pdf() {
    let pdf = render_one(&sender(), &letter()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    assert_eq!(page_texts(&pdf).len(), 1);
}

#[test]
fn a_batch_has_a_page_per_letter_and_embeds_each_font_once() {
    let letters: Vec<Letter> = (0..25)
        .map(|i| Letter { reference: format!("PTC-{i:08}"), recipient_name: format!("Patient {i}"), ..letter() })
        .collect();
    let pdf = render_batch(&sender(), &letters).unwrap();
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), 25);
    for (i, text) in texts.iter().enumerate() {
        assert!(text.contains(&format!("Patient {i}")), "page {i} is not its letter: {text}");
    }
    let embedded_fonts = pdf.windows(b"/FontFile2".len()).filter(|w| w == b"/FontFile2").count();
    assert_eq!(embedded_fonts, 3);
}

#[test]
fn the_code_and_names_read_back_out_of_the_pdf() {
    let pdf = render_one(&sender(), &letter()).unwrap();
    let text = &page_texts(&pdf)[0];
    for expected in ["7KQM 2XRD 93TB", "Łukasz Wójcik", "Dear Łukasz", "LS8 4HQ", "PTC-7KQM2XRD", "18 December 2026"]
    {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn names_from_across_europe_print_as_written() {
    for name in ["Siân Llŷr", "Zoë Brontë", "Ștefan Țurcanu", "Nguyễn Thị Ánh", "Åse Øvergård", "Ğülşen Çelik"]
    {
        let pdf = render_one(&sender(), &Letter { recipient_name: name.to_owned(), ..letter() }).unwrap();
        assert!(page_texts(&pdf)[0].contains(name), "{name}");
    }
}

#[test]
fn characters_the_fonts_lack_print_as_a_visible_stand_in() {
    let pdf = render_one(&sender(), &Letter { recipient_name: "Ana 😀 李".to_owned(), ..letter() }).unwrap();
    assert!(page_texts(&pdf)[0].contains("Ana ? ?"));
}

#[test]
fn an_empty_batch_is_refused() {
    assert!(matches!(render_batch(&sender(), &[]), Err(LetterError::EmptyBatch)));
}

#[test]
fn the_standard_letter_stays_in_bounds() {
    assert_in_bounds(&layout(&sender(), &letter()).unwrap());
}

#[test]
fn a_very_long_address_line_stays_in_the_window() {
    let long = "Flat 1234567, The Very Long Named Residential Building Of Somewhere ".repeat(3);
    let long = long[..200].to_owned();
    let letter = Letter { address_lines: vec![long.clone(), "Leeds".to_owned()], recipient_name: long, ..letter() };
    let placed = layout(&sender(), &letter).unwrap();
    assert_in_bounds(&placed);
    assert_eq!(placed.iter().filter(|text| text.block == Block::Address).count(), 4);
}

#[test]
fn twelve_address_lines_stay_in_the_window_with_the_postcode_last() {
    let letter = Letter { address_lines: (1..=12).map(|i| format!("Address line {i}")).collect(), ..letter() };
    let placed = layout(&sender(), &letter).unwrap();
    assert_in_bounds(&placed);
    let text = &page_texts(&render_one(&sender(), &letter).unwrap())[0];
    assert!(text.contains("Address line 12") && text.contains("LS8 4HQ"));
}

#[test]
fn a_desk_letter_without_an_address_renders() {
    let letter = Letter { address_lines: Vec::new(), postcode: None, ..letter() };
    assert_in_bounds(&layout(&sender(), &letter).unwrap());
}

#[test]
fn a_sender_with_long_details_stays_clear_of_the_window() {
    let sender = Sender {
        organisation: "The Extremely Long Named Community and Mental Health Services NHS Foundation Trust".to_owned(),
        team: "Registration and Patient Access Team ".repeat(5),
        return_address_lines: (1..=9).map(|i| format!("Return line {i} with many words in it")).collect(),
        phone: Some("0".repeat(80)),
    };
    assert_in_bounds(&layout(&sender, &letter()).unwrap());
}

const TRICKY: &[&str] = &[
    "",
    " ",
    "\u{0}\u{7}\u{1b}[31m\r\n\t",
    "😀👨‍👩‍👧‍👦🏳️‍🌈",
    "שלום עולם",
    "مرحبا بالعالم",
    "\u{202E}evil\u{202C}",
    "Zalgo t̷̢̛͚͎e̸̜̾x̷̱̀t̵͙̓",
    "( ) \\ ( \\) %%EOF endstream",
    "李小龍 김민준 Ἀθηνᾶ",
    "\u{FFFF}\u{10FFFF}\u{E000}",
];

#[test]
fn tricky_strings_in_every_field_never_break_a_letter() {
    let long = "W".repeat(5_000);
    for tricky in TRICKY.iter().copied().chain([long.as_str()]) {
        let owned = tricky.to_owned();
        let sender = Sender {
            organisation: owned.clone(),
            team: owned.clone(),
            return_address_lines: vec![owned.clone(); 3],
            phone: Some(owned.clone()),
        };
        let letter = Letter {
            reference: owned.clone(),
            date: owned.clone(),
            recipient_name: owned.clone(),
            address_lines: vec![owned.clone(); 8],
            postcode: Some(owned.clone()),
            given_name: owned.clone(),
            code_grouped: owned.clone(),
            link: owned.chars().take(100).collect(),
            register_address: owned.clone(),
            expires: owned,
        };
        assert_in_bounds(&layout(&sender, &letter).unwrap());
        assert!(render_one(&sender, &letter).unwrap().starts_with(b"%PDF-"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_renders_in_bounds(
        name in any::<String>(),
        lines in proptest::collection::vec(any::<String>(), 0..15),
        code in any::<String>(),
        short in "\\PC{0,300}",
    ) {
        let letter = Letter {
            recipient_name: name.clone(),
            given_name: name,
            address_lines: lines,
            postcode: Some(short.clone()),
            code_grouped: code,
            register_address: short.clone(),
            expires: short.clone(),
            ..letter()
        };
        let sender = Sender { team: short, ..sender() };
        let placed = layout(&sender, &letter).unwrap();
        assert_in_bounds(&placed);
    }
}
