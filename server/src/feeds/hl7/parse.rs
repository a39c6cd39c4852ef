//! The structure of an HL7 v2 message: segments, fields, repetitions,
//! components and subcomponents, split by the delimiters the message itself
//! declares in MSH-1 and MSH-2, with escape sequences decoded on request.
//!
//! Written for untrusted input: values borrow from the text, positions are
//! looked up with `get`/`nth` and never indexed, and a missing part reads as
//! empty, so no input can make it panic (the `hl7` fuzz target checks this).

use std::borrow::Cow;

use super::charset::Charset;
use super::escape::{self, EscapeError};

/// The five delimiters: MSH-1 (field) and the four characters of MSH-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub field: char,
    pub component: char,
    pub repetition: char,
    pub escape: char,
    pub subcomponent: char,
}

impl Delimiters {
    /// `|^~\&`, which nearly every sender uses.
    pub const STANDARD: Self = Self { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

    /// MSH-2 as written: component, repetition, escape, subcomponent.
    pub fn encoding_characters(&self) -> String {
        [self.component, self.repetition, self.escape, self.subcomponent].iter().collect()
    }
}

/// How a message's text is to be read: its delimiters and character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    pub delimiters: Delimiters,
    pub charset: Charset,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    #[error("a message must begin with an MSH segment")]
    NoHeader,
    #[error(
        "MSH-1 and MSH-2 must declare five different delimiters (usually |^~\\&), none of them a letter, digit, space or control character"
    )]
    BadDelimiters,
    #[error("segment {0} does not begin with a segment name of three capital letters or digits")]
    BadSegmentName(usize),
    #[error("segment {0} is a second MSH: send one message per frame")]
    SecondHeader(usize),
}

/// A parsed message: its MSH, then the other segments in order.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    header: Segment<'a>,
    body: Vec<Segment<'a>>,
}

/// One segment: its name and its fields, numbered as the standard numbers
/// them (for MSH, field 1 is the field separator and field 2 is MSH-2).
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    fields: Vec<&'a str>,
    encoding: Encoding,
}

impl<'a> Message<'a> {
    /// Parses `text`, read in `charset`. Segments end at CR; LF and CRLF are
    /// taken too, since files and some engines use them.
    pub fn parse(text: &'a str, charset: Charset) -> Result<Self, ParseError> {
        let mut lines = text.split(['\r', '\n']).filter(|line| !line.trim().is_empty());
        let header = Self::parse_header(lines.next().ok_or(ParseError::Empty)?, charset)?;
        let encoding = header.encoding;
        let mut body = Vec::new();
        for (i, line) in lines.enumerate() {
            let number = i + 2;
            let fields: Vec<&str> = line.split(encoding.delimiters.field).collect();
            let name = fields.first().copied().unwrap_or_default();
            if !is_segment_name(name) {
                return Err(ParseError::BadSegmentName(number));
            }
            if name == "MSH" {
                return Err(ParseError::SecondHeader(number));
            }
            body.push(Segment { fields, encoding });
        }
        Ok(Self { header, body })
    }

    /// The MSH segment alone, from the first line of `text`: enough to
    /// address an answer to a message whose body cannot be read.
    pub fn parse_header(text: &'a str, charset: Charset) -> Result<Segment<'a>, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line = text.split(['\r', '\n']).next().unwrap_or_default();
        let rest = line.strip_prefix("MSH").ok_or(ParseError::NoHeader)?;
        let mut chars = rest.chars();
        let field = chars.next().ok_or(ParseError::BadDelimiters)?;
        let after = chars.as_str();
        let separator = rest.strip_suffix(after).unwrap_or_default();
        // after = "^~\&|MSH-3|MSH-4|…"
        let mut fields: Vec<&str> = after.split(field).collect();
        let delimiters = delimiters(field, fields.first().copied().unwrap_or_default())?;
        fields.splice(0..0, ["MSH", separator]);
        Ok(Segment { fields, encoding: Encoding { delimiters, charset } })
    }

    pub fn encoding(&self) -> Encoding {
        self.header.encoding
    }

    /// The MSH segment.
    pub fn header(&self) -> &Segment<'a> {
        &self.header
    }

    /// Every segment after the MSH named `name`, in order.
    pub fn segments<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Segment<'a>> + 's {
        self.body.iter().filter(move |s| s.name() == name)
    }

    /// The first segment after the MSH named `name`.
    pub fn segment(&self, name: &str) -> Option<&Segment<'a>> {
        self.body.iter().find(|s| s.name() == name)
    }

    /// The names of the segments after the MSH, in order.
    pub fn segment_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.body.iter().map(Segment::name)
    }
}

/// Segment names are three capital letters or digits, starting with a letter.
fn is_segment_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() == 3
        && bytes.first().is_some_and(u8::is_ascii_uppercase)
        && bytes.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The delimiters of MSH-1 and MSH-2. MSH-2 has four characters, or five
/// from v2.7 (the fifth, the truncation character, changes no parsing).
fn delimiters(field: char, msh2: &str) -> Result<Delimiters, ParseError> {
    let chars: Vec<char> = msh2.chars().collect();
    let (component, repetition, escape, subcomponent) = match chars.as_slice() {
        [c, r, e, s] | [c, r, e, s, _] => (*c, *r, *e, *s),
        _ => return Err(ParseError::BadDelimiters),
    };
    let mut all = vec![field];
    all.extend(&chars);
    let usable = |c: &char| c.is_ascii_graphic() && !c.is_ascii_alphanumeric();
    let distinct = all.iter().enumerate().all(|(i, c)| !all.iter().skip(i + 1).any(|d| d == c));
    if !all.iter().all(usable) || !distinct {
        return Err(ParseError::BadDelimiters);
    }
    Ok(Delimiters { field, component, repetition, escape, subcomponent })
}

/// The `n`th (1-based) piece of `raw` split by `separator`, or "" when absent.
fn nth(raw: &str, separator: char, n: usize) -> &str {
    n.checked_sub(1).and_then(|i| raw.split(separator).nth(i)).unwrap_or_default()
}

/// HL7's explicit null: `""` says "delete the value", where an empty field
/// says "no change".
const NULL: &str = "\"\"";

impl<'a> Segment<'a> {
    /// The segment name: `MSH`, `PID`, …
    pub fn name(&self) -> &'a str {
        self.fields.first().copied().unwrap_or_default()
    }

    /// The delimiters and character set the segment is read with.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Field `n` (1-based), empty when the segment is shorter.
    pub fn field(&self, n: usize) -> Field<'a> {
        Field { raw: self.fields.get(n).copied().unwrap_or_default(), encoding: self.encoding }
    }
}

/// A field: one or more repetitions.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    raw: &'a str,
    encoding: Encoding,
}

/// One repetition of a field: components.
#[derive(Debug, Clone, Copy)]
pub struct Repetition<'a> {
    raw: &'a str,
    encoding: Encoding,
}

/// One component: subcomponents.
#[derive(Debug, Clone, Copy)]
pub struct Component<'a> {
    raw: &'a str,
    encoding: Encoding,
}

/// A value and how it is decoded, shared by every level.
macro_rules! value_methods {
    () => {
        /// The value as sent, escape sequences and all.
        pub fn raw(&self) -> &'a str {
            self.raw
        }

        /// Nothing was sent: the receiver keeps what it has.
        pub fn is_empty(&self) -> bool {
            self.raw.is_empty()
        }

        /// HL7's explicit null (`""`): the receiver deletes what it has.
        pub fn is_null(&self) -> bool {
            self.raw == NULL
        }

        /// The value with its escape sequences decoded, and the explicit
        /// null read as empty.
        pub fn text(&self) -> Result<Cow<'a, str>, EscapeError> {
            if self.is_null() {
                return Ok(Cow::Borrowed(""));
            }
            escape::decode(self.raw, &self.encoding.delimiters, self.encoding.charset)
        }
    };
}

impl<'a> Field<'a> {
    value_methods!();

    /// The repetitions; none when the field is empty.
    pub fn repetitions(&self) -> impl Iterator<Item = Repetition<'a>> + 'a {
        let encoding = self.encoding;
        let raw = if self.raw.is_empty() { None } else { Some(self.raw) };
        raw.into_iter()
            .flat_map(move |raw| raw.split(encoding.delimiters.repetition))
            .map(move |raw| Repetition { raw, encoding })
    }

    /// Component `n` of the first repetition.
    pub fn component(&self, n: usize) -> Component<'a> {
        self.first().component(n)
    }

    /// The first repetition (empty when the field is).
    pub fn first(&self) -> Repetition<'a> {
        Repetition { raw: nth(self.raw, self.encoding.delimiters.repetition, 1), encoding: self.encoding }
    }
}

impl<'a> Repetition<'a> {
    value_methods!();

    /// Component `n` (1-based), empty when absent.
    pub fn component(&self, n: usize) -> Component<'a> {
        Component { raw: nth(self.raw, self.encoding.delimiters.component, n), encoding: self.encoding }
    }
}

impl<'a> Component<'a> {
    value_methods!();

    /// Subcomponent `n` (1-based), empty when absent, as a component-level value.
    pub fn subcomponent(&self, n: usize) -> Component<'a> {
        Component { raw: nth(self.raw, self.encoding.delimiters.subcomponent, n), encoding: self.encoding }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADT: &str = "MSH|^~\\&|PAS|RXX|PORTICO|X26|20261120103000+0000||ADT^A04^ADT_A01|MSG0001|P|2.5.1\r\
        EVN|A04|20261120103000\r\
        PID|1||RXX123^^^RXX^MR~9434765919^^^NHS^NH||Hughes^Alys^Mair^^Ms^^L~Jones^Alys^^^^^M||19800229|F\r";

    fn parse(text: &str) -> Message<'_> {
        Message::parse(text, Charset::Utf8).unwrap()
    }

    #[test]
    fn msh_fields_are_numbered_as_the_standard_numbers_them() {
        let m = parse(ADT);
        let msh = m.header();
        assert_eq!(msh.name(), "MSH");
        assert_eq!(msh.field(1).raw(), "|");
        assert_eq!(msh.field(2).raw(), "^~\\&");
        assert_eq!(msh.field(3).raw(), "PAS");
        assert_eq!(msh.field(9).component(2).raw(), "A04");
        assert_eq!(msh.field(10).raw(), "MSG0001");
        assert_eq!(msh.field(12).raw(), "2.5.1");
        assert!(msh.field(40).is_empty());
        assert_eq!(m.encoding().delimiters, Delimiters::STANDARD);
    }

    #[test]
    fn fields_repetitions_components_and_subcomponents() {
        let m = parse(ADT);
        let pid = m.segment("PID").unwrap();
        let ids: Vec<_> = pid.field(3).repetitions().map(|r| r.component(1).raw()).collect();
        assert_eq!(ids, ["RXX123", "9434765919"]);
        let names: Vec<_> = pid.field(5).repetitions().map(|r| r.component(7).raw()).collect();
        assert_eq!(names, ["L", "M"]);
        assert_eq!(pid.field(5).component(3).text().unwrap(), "Mair");
        assert_eq!(pid.field(7).raw(), "19800229");
        assert_eq!(pid.field(3).first().component(4).subcomponent(1).raw(), "RXX");
        assert_eq!(pid.field(3).first().component(4).subcomponent(2).raw(), "");
        assert_eq!(pid.field(2).repetitions().count(), 0);
        assert_eq!(m.segment_names().collect::<Vec<_>>(), ["EVN", "PID"]);
        assert_eq!(m.segments("PID").count(), 1);
    }

    #[test]
    fn null_is_not_empty() {
        let m = parse("MSH|^~\\&|A\rPID|1|\"\"||x");
        let pid = m.segment("PID").unwrap();
        assert!(pid.field(2).is_null() && !pid.field(2).is_empty());
        assert_eq!(pid.field(2).text().unwrap(), "");
        assert!(pid.field(3).is_empty() && !pid.field(3).is_null());
    }

    #[test]
    fn a_message_declares_its_own_delimiters() {
        let m = parse("MSH#!*%@#APP#FAC\rPID#1##a!b*c!d%T%e");
        let pid = m.segment("PID").unwrap();
        assert_eq!(m.header().field(3).raw(), "APP");
        assert_eq!(pid.field(3).repetitions().count(), 2);
        assert_eq!(pid.field(3).component(2).raw(), "b");
        assert_eq!(pid.field(3).repetitions().nth(1).unwrap().component(2).text().unwrap(), "d@e");
        // A v2.7 truncation character is allowed as a fifth.
        assert!(Message::parse("MSH|^~\\&#|A", Charset::Utf8).is_ok());
    }

    #[test]
    fn line_endings_of_every_kind() {
        for sep in ["\r", "\n", "\r\n"] {
            let text = format!("MSH|^~\\&|A{sep}PID|1{sep}{sep}");
            let m = Message::parse(&text, Charset::Utf8).unwrap();
            assert_eq!(m.segment_names().collect::<Vec<_>>(), ["PID"], "{sep:?}");
        }
        assert!(Message::parse("\u{feff}MSH|^~\\&|A", Charset::Utf8).is_ok());
    }

    #[test]
    fn bad_structure_is_refused_with_the_reason() {
        let err = |t: &str| Message::parse(t, Charset::Utf8).unwrap_err();
        assert_eq!(err(""), ParseError::Empty);
        assert_eq!(err("\r\n"), ParseError::Empty);
        assert_eq!(err("PID|1"), ParseError::NoHeader);
        assert_eq!(err("MSH"), ParseError::BadDelimiters);
        assert_eq!(err("MSH|"), ParseError::BadDelimiters);
        assert_eq!(err("MSH|^~\\|"), ParseError::BadDelimiters);
        assert_eq!(err("MSH|^^\\&|"), ParseError::BadDelimiters);
        assert_eq!(err("MSH|^~|&|"), ParseError::BadDelimiters);
        assert_eq!(err("MSHA^~\\&|"), ParseError::BadDelimiters);
        assert_eq!(err("MSH é~\\&|"), ParseError::BadDelimiters);
        assert_eq!(err("MSHé^~\\&"), ParseError::BadDelimiters);
        assert_eq!(err("MSH|^~\\&|A\rpid|1"), ParseError::BadSegmentName(2));
        assert_eq!(err("MSH|^~\\&|A\rPIDX|1"), ParseError::BadSegmentName(2));
        assert_eq!(err("MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B"), ParseError::SecondHeader(3));
    }

    #[test]
    fn the_header_alone_reads_from_a_message_whose_body_is_broken() {
        let text = "MSH|^~\\&|PAS|RXX|||20261120||ADT^A04|C1|P|2.5\rpid broken";
        assert!(Message::parse(text, Charset::Utf8).is_err());
        let msh = Message::parse_header(text, Charset::Utf8).unwrap();
        assert_eq!(msh.field(10).raw(), "C1");
    }
}
