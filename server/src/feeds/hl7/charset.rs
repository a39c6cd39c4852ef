//! The character set a message declares in MSH-18: how its bytes become
//! text, and how the answer goes back in the same set.
//!
//! ASCII and UTF-8 (the default when MSH-18 is empty) are read as UTF-8, and
//! ISO 8859-1 and 8859-15 byte for byte. Other sets (UTF-16, ISO 2022
//! switching) are refused rather than guessed.

use std::borrow::Cow;

/// A character set Portico reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    /// ISO 8859-1 (`8859/1`), common in older UK feeds.
    Latin1,
    /// ISO 8859-15 (`8859/15`): 8859-1 with the euro sign and eight other changes.
    Latin9,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharsetError {
    #[error("MSH-18 names the character set '{0}', which Portico does not read (send UNICODE UTF-8, ASCII or 8859/1)")]
    Unsupported(String),
    #[error("the message is not valid UTF-8: declare its character set in MSH-18 (for example 8859/1)")]
    NotUtf8,
}

/// The eight places where 8859-15 differs from 8859-1.
const LATIN9: [(u8, char); 8] =
    [(0xA4, '€'), (0xA6, 'Š'), (0xA8, 'š'), (0xB4, 'Ž'), (0xB8, 'ž'), (0xBC, 'Œ'), (0xBD, 'œ'), (0xBE, 'Ÿ')];

/// The character set MSH-18 of `bytes` declares (its first repetition).
/// A message with no readable MSH is taken as UTF-8: parsing it says why it
/// is refused.
pub fn declared(bytes: &[u8]) -> Result<Charset, CharsetError> {
    let header = bytes.split(|&b| b == b'\r' || b == b'\n').next().unwrap_or_default();
    let Some(rest) = header.strip_prefix(b"MSH") else { return Ok(Charset::Utf8) };
    let Some((&separator, _)) = rest.split_first() else { return Ok(Charset::Utf8) };
    if !separator.is_ascii() {
        return Ok(Charset::Utf8);
    }
    // rest = "|^~\&|MSH-3|…": splitting on the separator gives "", MSH-2, MSH-3, …
    let mut fields = rest.split(|&b| b == separator);
    let repetition = fields.nth(1).and_then(|msh2| msh2.get(1).copied());
    let msh18 = fields.nth(15).unwrap_or_default();
    let first = match repetition {
        Some(r) => msh18.split(|&b| b == r).next().unwrap_or_default(),
        None => msh18,
    };
    let name = String::from_utf8_lossy(first);
    match name.trim().to_ascii_uppercase().as_str() {
        "" | "ASCII" | "UNICODE UTF-8" => Ok(Charset::Utf8),
        "8859/1" => Ok(Charset::Latin1),
        "8859/15" => Ok(Charset::Latin9),
        _ => Err(CharsetError::Unsupported(name.chars().filter(|c| !c.is_control()).take(40).collect())),
    }
}

/// The text of `bytes` in `charset`.
pub fn decode(bytes: &[u8], charset: Charset) -> Result<Cow<'_, str>, CharsetError> {
    match charset {
        Charset::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| CharsetError::NotUtf8),
        Charset::Latin1 | Charset::Latin9 => Ok(Cow::Owned(bytes.iter().map(|&b| byte_char(b, charset)).collect())),
    }
}

/// The character one byte stands for in a single-byte `charset` (or, for
/// UTF-8, the byte as Latin-1: callers decode UTF-8 byte runs whole).
pub fn byte_char(b: u8, charset: Charset) -> char {
    if charset == Charset::Latin9
        && let Some((_, c)) = LATIN9.iter().find(|(byte, _)| *byte == b)
    {
        return *c;
    }
    char::from(b)
}

/// `text` as bytes in `charset`; a character the set lacks becomes `?`.
pub fn encode(text: &str, charset: Charset) -> Vec<u8> {
    match charset {
        Charset::Utf8 => text.as_bytes().to_vec(),
        Charset::Latin1 | Charset::Latin9 => text
            .chars()
            .map(|c| {
                if charset == Charset::Latin9 {
                    if let Some((b, _)) = LATIN9.iter().find(|(_, ch)| *ch == c) {
                        return *b;
                    }
                    if LATIN9.iter().any(|(b, _)| u32::from(*b) == u32::from(c)) {
                        return b'?';
                    }
                }
                u8::try_from(u32::from(c)).unwrap_or(b'?')
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(msh18: &str) -> Vec<u8> {
        format!("MSH|^~\\&|A|B|C|D|20260101||ADT^A04|1|P|2.5||||||{msh18}\rPID|1").into_bytes()
    }

    #[test]
    fn msh18_names_the_set() {
        assert_eq!(declared(&header("")), Ok(Charset::Utf8));
        assert_eq!(declared(&header("UNICODE UTF-8")), Ok(Charset::Utf8));
        assert_eq!(declared(&header("ascii")), Ok(Charset::Utf8));
        assert_eq!(declared(&header("8859/1")), Ok(Charset::Latin1));
        assert_eq!(declared(&header("8859/15~UNICODE UTF-8")), Ok(Charset::Latin9));
        assert!(matches!(declared(&header("UNICODE UTF-16")), Err(CharsetError::Unsupported(_))));
        assert_eq!(declared(b"MSH|^~\\&|A"), Ok(Charset::Utf8));
        assert_eq!(declared(b""), Ok(Charset::Utf8));
        assert_eq!(declared(b"MSH"), Ok(Charset::Utf8));
    }

    #[test]
    fn bytes_become_text_and_back() {
        assert_eq!(decode(b"Ren\xe9e", Charset::Latin1).unwrap(), "Renée");
        assert_eq!(decode(b"\xa4", Charset::Latin9).unwrap(), "€");
        assert_eq!(decode("Renée".as_bytes(), Charset::Utf8).unwrap(), "Renée");
        assert_eq!(decode(b"Ren\xe9e", Charset::Utf8), Err(CharsetError::NotUtf8));
        assert_eq!(encode("Renée €", Charset::Latin1), b"Ren\xe9e ?");
        assert_eq!(encode("€ ¤", Charset::Latin9), b"\xa4 ?");
        assert_eq!(encode("Zoë", Charset::Utf8), "Zoë".as_bytes());
    }
}
