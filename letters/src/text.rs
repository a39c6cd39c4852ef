//! Turning untrusted strings into lines that fit: cleaning, shrinking or
//! shortening one line to a width, and wrapping paragraphs.
//!
//! Text is set left to right without shaping or kerning: right for the Latin,
//! Greek and Cyrillic names the fonts cover. Right-to-left text prints in
//! stored order.

use unicode_normalization::UnicodeNormalization;

use crate::fonts::{Fonts, Typeface};

/// Marks a line shortened to fit.
const ELLIPSIS: char = '…';

/// Makes a string safe and tidy to print: composed to NFC (so "e" plus a
/// combining accent prints as the font's "é"), every run of whitespace (tabs,
/// line breaks, no-break spaces) one space, no leading or trailing space, and
/// invisible characters (controls, bidi and joiner marks, variation selectors)
/// dropped rather than printed as stand-ins.
pub(crate) fn clean(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    let mut space_pending = false;
    for c in text.nfc() {
        if c.is_whitespace() {
            space_pending = !cleaned.is_empty();
        } else if !is_invisible(c) {
            if space_pending {
                cleaned.push(' ');
                space_pending = false;
            }
            cleaned.push(c);
        }
    }
    cleaned
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' // soft hyphen
            | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}')
}

/// One line of text and the size it fits at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FittedLine {
    pub(crate) text: String,
    pub(crate) size: f32,
}

/// Fits one line into `width` points: at `largest` size if it fits, else
/// shrunk in half-point steps down to `smallest`, else shortened with an
/// ellipsis at `smallest`.
pub(crate) fn fit_line(
    fonts: &Fonts,
    typeface: Typeface,
    text: &str,
    largest: f32,
    smallest: f32,
    width: f32,
) -> FittedLine {
    let width_at_one_point = fonts.width(typeface, text, 1.0);
    if width_at_one_point * largest <= width {
        return FittedLine { text: text.to_owned(), size: largest };
    }
    let size = (width / width_at_one_point * 2.0).floor() / 2.0;
    if size >= smallest {
        return FittedLine { text: text.to_owned(), size };
    }
    FittedLine { text: shorten(fonts, typeface, text, smallest, width), size: smallest }
}

/// The longest start of `text` that fits `width` with an ellipsis after it.
pub(crate) fn shorten(fonts: &Fonts, typeface: Typeface, text: &str, size: f32, width: f32) -> String {
    if fonts.width(typeface, text, size) <= width {
        return text.to_owned();
    }
    let room = width - fonts.char_width(typeface, ELLIPSIS, size);
    let mut used = 0.0;
    let mut end = 0;
    for (index, c) in text.char_indices() {
        used += fonts.char_width(typeface, c, size);
        if used > room {
            break;
        }
        end = index + c.len_utf8();
    }
    let mut shortened = text[..end].trim_end().to_owned();
    if room >= 0.0 {
        shortened.push(ELLIPSIS);
    }
    shortened
}

/// A run of text in one typeface.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub(crate) typeface: Typeface,
    pub(crate) text: String,
}

impl Span {
    pub(crate) fn regular(text: impl Into<String>) -> Self {
        Span { typeface: Typeface::Regular, text: text.into() }
    }

    pub(crate) fn bold(text: impl Into<String>) -> Self {
        Span { typeface: Typeface::Bold, text: text.into() }
    }
}

/// A word: the pieces between two spaces, possibly in more than one typeface
/// ("**portico.example/register**." is one word in two).
struct Word {
    pieces: Vec<Span>,
    width: f32,
}

/// Wraps spans into lines no wider than `width` points at `size`, breaking at
/// spaces; a word wider than a whole line is broken between characters.
pub(crate) fn wrap(fonts: &Fonts, spans: &[Span], size: f32, width: f32) -> Vec<Vec<Span>> {
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut line_width = 0.0;
    for word in words(fonts, spans, size) {
        let space = fonts.char_width(word.pieces.first().map_or(Typeface::Regular, |p| p.typeface), ' ', size);
        if !line.is_empty() && line_width + space + word.width <= width {
            push_text(&mut line, word.pieces[0].typeface, " ");
            line_width += space;
        } else if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        for piece in word.pieces {
            for c in piece.text.chars() {
                let c_width = fonts.char_width(piece.typeface, c, size);
                if line_width + c_width > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                push_text(&mut line, piece.typeface, c.encode_utf8(&mut [0; 4]));
                line_width += c_width;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn words(fonts: &Fonts, spans: &[Span], size: f32) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut continues_word = false;
    for span in spans {
        for (i, piece) in span.text.split(' ').enumerate() {
            let starts_new_word = i > 0 || !continues_word;
            if !piece.is_empty() {
                let piece_width = fonts.width(span.typeface, piece, size);
                let piece = Span { typeface: span.typeface, text: piece.to_owned() };
                match words.last_mut() {
                    Some(word) if !starts_new_word => {
                        word.pieces.push(piece);
                        word.width += piece_width;
                    }
                    _ => words.push(Word { pieces: vec![piece], width: piece_width }),
                }
            }
            continues_word = !piece.is_empty();
        }
    }
    words
}

/// Appends to the line, joining with the last span when the typeface is the same.
fn push_text(line: &mut Vec<Span>, typeface: Typeface, text: &str) {
    match line.last_mut() {
        Some(last) if last.typeface == typeface => last.text.push_str(text),
        _ => line.push(Span { typeface, text: text.to_owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(line: &[Span]) -> String {
        line.iter().map(|span| span.text.as_str()).collect()
    }

    #[test]
    fn cleaning_composes_accents_and_tidies_whitespace_and_controls() {
        assert_eq!(clean("  Sia\u{0302}n\t\u{0007}Jones\u{200F}\n"), "Siân Jones");
        assert_eq!(clean("Zoe\u{0308}\u{00A0}\u{00A0}Ng"), "Zoë Ng");
        assert_eq!(clean("\u{202E}\u{FEFF}"), "");
    }

    #[test]
    fn a_line_that_fits_keeps_the_largest_size() {
        let fonts = Fonts::load().unwrap();
        let fitted = fit_line(&fonts, Typeface::Regular, "Jane Smith", 12.0, 10.0, 200.0);
        assert_eq!(fitted, FittedLine { text: "Jane Smith".to_owned(), size: 12.0 });
    }

    #[test]
    fn a_long_line_shrinks_then_is_shortened_with_an_ellipsis() {
        let fonts = Fonts::load().unwrap();
        let text = "Flat 12, The Old Rectory";
        let natural = fonts.width(Typeface::Regular, text, 12.0);
        let shrunk = fit_line(&fonts, Typeface::Regular, text, 12.0, 10.0, natural * 0.9);
        assert!(shrunk.size < 12.0 && shrunk.size >= 10.0 && shrunk.text == text);
        let shortened = fit_line(&fonts, Typeface::Regular, &text.repeat(10), 12.0, 10.0, 200.0);
        assert_eq!(shortened.size, 10.0);
        assert!(shortened.text.ends_with(ELLIPSIS));
        assert!(fonts.width(Typeface::Regular, &shortened.text, 10.0) <= 200.0);
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_punctuation_with_its_word() {
        let fonts = Fonts::load().unwrap();
        let spans =
            [Span::regular("Go to "), Span::bold("portico.example/register"), Span::regular(". Then more words")];
        let lines = wrap(&fonts, &spans, 12.0, 150.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(!plain(line).starts_with(' ') && !plain(line).starts_with('.'));
        }
        let all: Vec<String> = lines.iter().map(|l| plain(l)).collect();
        assert_eq!(all.join(" "), "Go to portico.example/register. Then more words");
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_between_characters() {
        let fonts = Fonts::load().unwrap();
        let word = "x".repeat(300);
        let lines = wrap(&fonts, &[Span::regular(word.clone())], 12.0, 100.0);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(fonts.width(Typeface::Regular, &plain(line), 12.0) <= 100.0);
        }
        assert_eq!(lines.iter().map(|l| plain(l)).collect::<String>(), word);
    }
}
