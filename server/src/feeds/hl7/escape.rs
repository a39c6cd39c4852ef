//! HL7 escape sequences: `\F\ \S\ \T\ \R\ \E\` for the delimiters, `\Xhh…\`
//! for bytes in the message's character set (how non-ASCII text travels in an
//! ASCII message), and the formatting commands of formatted text.
//!
//! Decoding is strict: an unterminated or unknown sequence is an error, so a
//! name never reaches a record with stray escape characters in it.

use std::borrow::Cow;

use super::charset::{Charset, byte_char};
use super::parse::Delimiters;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    #[error("an escape sequence is not closed")]
    Unterminated,
    #[error("an escape sequence is empty")]
    Empty,
    #[error("the hexadecimal escape \\X…\\ must hold pairs of hexadecimal digits")]
    BadHex,
    #[error("hexadecimal escapes do not make valid text in the message's character set")]
    NotText,
    #[error("the escape sequence '{0}' is not supported here")]
    Unsupported(String),
}

/// `raw` with its escape sequences decoded. Formatting commands become line
/// breaks (`.br`, `.sp`), a space (`.sk`) or nothing (highlighting, fill, indent).
pub fn decode<'a>(raw: &'a str, delimiters: &Delimiters, charset: Charset) -> Result<Cow<'a, str>, EscapeError> {
    if !raw.contains(delimiters.escape) {
        return Ok(Cow::Borrowed(raw));
    }
    // Split on the escape character, pieces alternate: text, sequence, text, …
    // An even number of pieces means an odd number of escape characters.
    let pieces: Vec<&str> = raw.split(delimiters.escape).collect();
    if pieces.len().is_multiple_of(2) {
        return Err(EscapeError::Unterminated);
    }
    // Built as bytes, so hexadecimal escapes that together make one UTF-8
    // character (\XC3\\XA9\) decode as one.
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    for (i, piece) in pieces.iter().enumerate() {
        if i % 2 == 0 {
            out.extend_from_slice(piece.as_bytes());
            continue;
        }
        match *piece {
            "" => return Err(EscapeError::Empty),
            "F" => push(&mut out, delimiters.field),
            "S" => push(&mut out, delimiters.component),
            "T" => push(&mut out, delimiters.subcomponent),
            "R" => push(&mut out, delimiters.repetition),
            "E" => push(&mut out, delimiters.escape),
            seq => match (formatting(seq), seq.strip_prefix('X')) {
                (Some(spacing), _) => spacing.into_iter().for_each(|c| push(&mut out, c)),
                (None, Some(hex)) => {
                    let bytes = hex_bytes(hex)?;
                    match charset {
                        Charset::Utf8 => out.extend_from_slice(&bytes),
                        Charset::Latin1 | Charset::Latin9 => {
                            bytes.iter().for_each(|&b| push(&mut out, byte_char(b, charset)))
                        }
                    }
                }
                (None, None) => return Err(EscapeError::Unsupported(shown(seq))),
            },
        }
    }
    String::from_utf8(out).map(Cow::Owned).map_err(|_| EscapeError::NotText)
}

fn push(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// `text` made safe to place in a field: delimiters and the escape character
/// escaped, control characters (which would break segments or framing) dropped.
pub fn encode(text: &str, delimiters: &Delimiters) -> String {
    let e = delimiters.escape;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let code = match c {
            c if c == e => 'E',
            c if c == delimiters.field => 'F',
            c if c == delimiters.component => 'S',
            c if c == delimiters.subcomponent => 'T',
            c if c == delimiters.repetition => 'R',
            c if c.is_control() => continue,
            c => {
                out.push(c);
                continue;
            }
        };
        out.push(e);
        out.push(code);
        out.push(e);
    }
    out
}

/// What a formatting command becomes (`Some(None)`: nothing), if `seq` is one.
fn formatting(seq: &str) -> Option<Option<char>> {
    match seq {
        "H" | "N" | ".fi" | ".nf" | ".ce" => return Some(None),
        ".br" => return Some(Some('\n')),
        _ => {}
    }
    if let Some(n) = seq.strip_prefix(".sp") {
        return is_count(n).then_some(Some('\n'));
    }
    if let Some(n) = seq.strip_prefix(".sk") {
        return is_count(n).then_some(Some(' '));
    }
    let indent = seq.strip_prefix(".in").or_else(|| seq.strip_prefix(".ti"))?;
    is_signed_count(indent).then_some(None)
}

fn is_count(s: &str) -> bool {
    s.is_empty() || (s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
}

fn is_signed_count(s: &str) -> bool {
    is_count(s.strip_prefix(['+', '-']).unwrap_or(s))
}

fn hex_bytes(hex: &str) -> Result<Vec<u8>, EscapeError> {
    let digits = hex.as_bytes();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(EscapeError::BadHex);
    }
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => match (hex_value(*high), hex_value(*low)) {
                (Some(high), Some(low)) => Ok((high << 4) | low),
                _ => Err(EscapeError::BadHex),
            },
            _ => Err(EscapeError::BadHex),
        })
        .collect()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// A sequence as an error may quote it: short, with no control characters.
fn shown(seq: &str) -> String {
    seq.chars().filter(|c| !c.is_control()).take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Delimiters = Delimiters::STANDARD;

    fn utf8(raw: &str) -> Result<String, EscapeError> {
        decode(raw, &D, Charset::Utf8).map(Cow::into_owned)
    }

    #[test]
    fn delimiters_come_back() {
        assert_eq!(utf8(r"a\F\b\S\c\T\d\R\e\E\f").unwrap(), "a|b^c&d~e\\f");
        assert!(matches!(decode("plain", &D, Charset::Utf8), Ok(Cow::Borrowed("plain"))));
    }

    #[test]
    fn hexadecimal_escapes_are_bytes_of_the_message_charset() {
        assert_eq!(utf8(r"Ren\XC3A9\e").unwrap(), "Renée");
        assert_eq!(utf8(r"Ren\XC3\\XA9\e").unwrap(), "Renée", "one character over two escapes");
        assert_eq!(decode(r"Ren\XE9\e", &D, Charset::Latin1).unwrap(), "Renée");
        assert_eq!(decode(r"\XA4\", &D, Charset::Latin9).unwrap(), "€");
        assert_eq!(utf8(r"\XE9\"), Err(EscapeError::NotText));
        assert_eq!(utf8(r"\XZZ\"), Err(EscapeError::BadHex));
        assert_eq!(utf8(r"\XA\"), Err(EscapeError::BadHex));
        assert_eq!(utf8(r"\X\"), Err(EscapeError::BadHex));
        // Non-ASCII inside a hex escape is refused, never sliced through.
        assert_eq!(utf8(r"\XAé1\"), Err(EscapeError::BadHex));
        assert_eq!(utf8(r"é\XC3A9\é").unwrap(), "ééé");
    }

    #[test]
    fn formatting_commands_become_spacing() {
        assert_eq!(utf8(r"1 Park Row\.br\Leeds").unwrap(), "1 Park Row\nLeeds");
        assert_eq!(utf8(r"\H\bold\N\ \.sp2\x\.sk3\y\.in+4\z").unwrap(), "bold \nx yz");
    }

    #[test]
    fn broken_and_unknown_sequences_are_errors() {
        assert_eq!(utf8(r"O\Brien"), Err(EscapeError::Unterminated));
        assert_eq!(utf8(r"a\\b"), Err(EscapeError::Empty));
        assert_eq!(utf8(r"\Zlocal\"), Err(EscapeError::Unsupported("Zlocal".into())));
        assert_eq!(utf8(r"\C2842\"), Err(EscapeError::Unsupported("C2842".into())));
        assert_eq!(utf8(r"\.spx\"), Err(EscapeError::Unsupported(".spx".into())));
        assert_eq!(utf8("é\\é"), Err(EscapeError::Unterminated));
    }

    #[test]
    fn other_delimiters_are_honoured() {
        let d = Delimiters { field: '#', component: '!', repetition: '*', escape: '%', subcomponent: '@' };
        assert_eq!(decode("a%F%b%E%", &d, Charset::Utf8).unwrap(), "a#b%");
        assert_eq!(encode("a#b%c!d@e*f\rg", &d), "a%F%b%E%c%S%d%T%e%R%fg");
    }

    #[test]
    fn encoding_round_trips() {
        let text = "O'Brien | Smith ^ & ~ \\ é";
        assert_eq!(utf8(&encode(text, &D)).unwrap(), text);
    }
}
