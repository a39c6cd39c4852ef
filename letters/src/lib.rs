//! Portico's registration invitation letter as a print-ready PDF: A4, one page
//! per letter, the address placed for a left-window DL or C5 envelope.
//!
//! [`render_one`] makes the single letter a reception desk prints;
//! [`render_batch`] makes one file of many letters for a print house, the
//! fonts embedded once and shared by every page.
//!
//! Built on `pdf-writer` (typst's low-level PDF writer) with `subsetter` and
//! `ttf-parser` for the fonts, `qrcode` for the QR code and `miniz_oxide` for
//! compression: small crates with few dependencies that build in seconds, and
//! a letter takes about a millisecond, most of it compressing the page and
//! choosing the QR mask. `krilla` would do the font work for us but brings a
//! much larger tree and needs Rust 1.92 (the workspace promises 1.88);
//! `printpdf` brings a larger tree too. The price is doing by hand what they
//! do: the Type0 font objects, the ToUnicode map that keeps text extractable,
//! fitting and wrapping lines. Text is set without shaping or kerning, which
//! the Latin, Greek and Cyrillic names the fonts cover do not need.

mod canvas;
mod compress;
mod document;
mod error;
mod fonts;
mod letter;
mod qr;
mod text;

pub use error::LetterError;

use document::Document;

/// Who the letter is from, printed at the top right and in the help line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The organisation, e.g. "Leeds Teaching Hospitals NHS Trust".
    pub organisation: String,
    /// The team the patient can contact, e.g. "Patient Records Team".
    pub team: String,
    /// The organisation's postal address, at most four lines shown (extra
    /// first lines are joined with commas).
    pub return_address_lines: Vec<String>,
    pub phone: Option<String>,
}

/// One patient's invitation letter. Every field is printed as given (tidied
/// of control characters and extra spaces) and fitted to its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The letter reference printed small at the foot, e.g. "PTC-7KQM2XRD".
    pub reference: String,
    /// The date of the letter, already formatted: "27 November 2026".
    pub date: String,
    /// The name on the envelope: "Jane Smith".
    pub recipient_name: String,
    /// The postal address without the postcode; empty for a letter handed over at a desk.
    pub address_lines: Vec<String>,
    pub postcode: Option<String>,
    /// For "Dear Jane".
    pub given_name: String,
    /// The invitation code in groups, printed large: "7KQM 2XRD 93TB".
    pub code_grouped: String,
    /// The full registration link with the code, put in the QR code.
    pub link: String,
    /// The short address printed for typing: "portico.example/register".
    pub register_address: String,
    /// When the code stops working, already formatted: "18 December 2026".
    pub expires: String,
}

/// Renders one letter as a one-page PDF.
pub fn render_one(sender: &Sender, letter: &Letter) -> Result<Vec<u8>, LetterError> {
    render_batch(sender, std::slice::from_ref(letter))
}

/// Renders letters as one PDF, a page each in the order given, with the fonts
/// embedded once for the whole file.
pub fn render_batch(sender: &Sender, letters: &[Letter]) -> Result<Vec<u8>, LetterError> {
    if letters.is_empty() {
        return Err(LetterError::EmptyBatch);
    }
    let mut document = Document::new(letters.len())?;
    for letter in letters {
        document.add(sender, letter)?;
    }
    document.finish()
}

#[cfg(test)]
mod tests;
