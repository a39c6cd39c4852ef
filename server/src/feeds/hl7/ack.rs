//! Acknowledgements in original mode. MSA-1 is `AA` when the message was
//! applied or had nothing to apply, `AE` when its content is wrong (an ERR
//! segment per problem names the field and says why), and `AR` when it is
//! not a message Portico takes, or Portico could not process it just now.
//! MSA-2 echoes MSH-10; the ACK's MSH swaps sender and receiver.

use time::OffsetDateTime;

use super::charset::Charset;
use super::escape;
use super::parse::{Delimiters, Encoding, Segment};

/// MSA-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// `AA`: applied, or nothing to apply.
    Accept,
    /// `AE`: the content is wrong; fix it and send it again.
    Error,
    /// `AR`: not a message Portico takes, or not processed now.
    Reject,
}

impl AckCode {
    pub fn as_str(self) -> &'static str {
        match self {
            AckCode::Accept => "AA",
            AckCode::Error => "AE",
            AckCode::Reject => "AR",
        }
    }
}

/// HL7 table 0357, the error codes of ERR-3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    SegmentSequence,
    RequiredFieldMissing,
    DataType,
    TableValueNotFound,
    UnsupportedMessageType,
    UnsupportedEvent,
    UnsupportedProcessingId,
    UnsupportedVersion,
    DuplicateKey,
    InternalError,
}

impl ErrorCode {
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::SegmentSequence => 100,
            ErrorCode::RequiredFieldMissing => 101,
            ErrorCode::DataType => 102,
            ErrorCode::TableValueNotFound => 103,
            ErrorCode::UnsupportedMessageType => 200,
            ErrorCode::UnsupportedEvent => 201,
            ErrorCode::UnsupportedProcessingId => 202,
            ErrorCode::UnsupportedVersion => 203,
            ErrorCode::DuplicateKey => 205,
            ErrorCode::InternalError => 207,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            ErrorCode::SegmentSequence => "Segment sequence error",
            ErrorCode::RequiredFieldMissing => "Required field missing",
            ErrorCode::DataType => "Data type error",
            ErrorCode::TableValueNotFound => "Table value not found",
            ErrorCode::UnsupportedMessageType => "Unsupported message type",
            ErrorCode::UnsupportedEvent => "Unsupported event code",
            ErrorCode::UnsupportedProcessingId => "Unsupported processing id",
            ErrorCode::UnsupportedVersion => "Unsupported version id",
            ErrorCode::DuplicateKey => "Duplicate key identifier",
            ErrorCode::InternalError => "Application internal error",
        }
    }
}

/// Where a problem is: a segment, a field, and perhaps a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub segment: &'static str,
    pub field: usize,
    pub component: Option<usize>,
}

impl Location {
    pub fn field(segment: &'static str, field: usize) -> Self {
        Self { segment, field, component: None }
    }

    pub fn component(segment: &'static str, field: usize, component: usize) -> Self {
        Self { segment, field, component: Some(component) }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.component {
            Some(c) => write!(f, "{}-{}.{c}", self.segment, self.field),
            None => write!(f, "{}-{}", self.segment, self.field),
        }
    }
}

/// One thing wrong with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Option<Location>,
    pub code: ErrorCode,
    /// For the person fixing the message; names the field, never its value.
    pub text: String,
}

impl Problem {
    pub fn at(location: Location, code: ErrorCode, text: impl std::fmt::Display) -> Self {
        Self { location: Some(location), code, text: format!("{location}: {text}") }
    }

    pub fn general(code: ErrorCode, text: impl Into<String>) -> Self {
        Self { location: None, code, text: text.into() }
    }
}

/// What Portico answers: MSA-1, a short MSA-3 text, and the problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub code: AckCode,
    pub text: String,
    pub problems: Vec<Problem>,
}

impl Answer {
    pub fn accept(text: impl Into<String>) -> Self {
        Self { code: AckCode::Accept, text: text.into(), problems: Vec::new() }
    }

    pub fn error(problems: Vec<Problem>) -> Self {
        Self::with(AckCode::Error, problems)
    }

    pub fn reject(problem: Problem) -> Self {
        Self::with(AckCode::Reject, vec![problem])
    }

    fn with(code: AckCode, problems: Vec<Problem>) -> Self {
        let text = problems.first().map(|p| p.text.clone()).unwrap_or_default();
        Self { code, text, problems }
    }
}

/// The parts of the incoming MSH an answer echoes, as sent (in the
/// message's own delimiters, which the answer reuses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub encoding: Encoding,
    pub sending_application: String,
    pub sending_facility: String,
    pub receiving_application: String,
    pub receiving_facility: String,
    pub control_id: String,
    pub processing_id: String,
    pub version: String,
    pub event: String,
    pub charset_name: String,
}

/// A raw value safe to echo: no control characters, which would break the
/// answer's segments or its MLLP frame.
fn echo(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).collect()
}

impl Envelope {
    pub fn of(msh: &Segment<'_>) -> Self {
        Self {
            encoding: msh.encoding(),
            sending_application: echo(msh.field(3).raw()),
            sending_facility: echo(msh.field(4).raw()),
            receiving_application: echo(msh.field(5).raw()),
            receiving_facility: echo(msh.field(6).raw()),
            control_id: echo(msh.field(10).raw()),
            processing_id: echo(msh.field(11).raw()),
            version: echo(msh.field(12).raw()),
            event: echo(msh.field(9).component(2).raw()),
            charset_name: echo(msh.field(18).raw()),
        }
    }

    /// For a message whose MSH cannot be read: standard delimiters, no echoes.
    pub fn unknown(charset: Charset) -> Self {
        Self {
            encoding: Encoding { delimiters: Delimiters::STANDARD, charset },
            sending_application: String::new(),
            sending_facility: String::new(),
            receiving_application: String::new(),
            receiving_facility: String::new(),
            control_id: String::new(),
            processing_id: String::new(),
            version: String::new(),
            event: String::new(),
            charset_name: String::new(),
        }
    }
}

/// MSA-3 is 80 characters at most; ERR-8 carries the whole text.
const MSA_TEXT_CHARS: usize = 80;

fn dtm(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}+0000",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// ERR-1 (ELD) is what versions before 2.5 read; 2.5 kept it for them only
/// and 2.7 withdrew it, so later versions get ERR-2 to ERR-8 alone.
fn before_2_5(version: &str) -> bool {
    matches!(version.split(['.', '^']).nth(1), Some("3" | "4")) && version.starts_with("2.")
}

/// The ACK for `envelope`'s message, as text with CR segment terminators.
pub fn build(envelope: &Envelope, answer: &Answer, control_id: &str, now: OffsetDateTime) -> String {
    let d = envelope.encoding.delimiters;
    let (f, c, s) = (d.field, d.component, d.subcomponent);
    let text = |t: &str| escape::encode(t, &d);
    let message_type =
        if envelope.event.is_empty() { "ACK".to_owned() } else { format!("ACK{c}{}{c}ACK", envelope.event) };
    let processing_id = if envelope.processing_id.is_empty() { "P" } else { &envelope.processing_id };
    let version = if envelope.version.is_empty() { "2.5" } else { &envelope.version };
    let mut msh = vec![
        format!("MSH{f}{}", d.encoding_characters()),
        envelope.receiving_application.clone(),
        envelope.receiving_facility.clone(),
        envelope.sending_application.clone(),
        envelope.sending_facility.clone(),
        dtm(now),
        String::new(),
        message_type,
        text(control_id),
        processing_id.to_owned(),
        version.to_owned(),
    ];
    if !envelope.charset_name.is_empty() {
        msh.resize(16, String::new());
        msh.push(envelope.charset_name.clone());
    }
    let summary: String = answer.text.chars().take(MSA_TEXT_CHARS).collect();
    let mut out = msh.join(&f.to_string());
    out.push('\r');
    out.push_str(&format!("MSA{f}{}{f}{}{f}{}\r", answer.code.as_str(), envelope.control_id, text(&summary)));
    // ERR-2 (ERL): segment, its sequence, field, repetition, component.
    let erl = |at: Location| match at.component {
        Some(n) => format!("{}{c}1{c}{}{c}1{c}{n}", at.segment, at.field),
        None => format!("{}{c}1{c}{}", at.segment, at.field),
    };
    for problem in &answer.problems {
        let code = problem.code;
        let (eld, erl) = match problem.location {
            Some(at) if before_2_5(version) => {
                let eld = format!("{}{c}1{c}{}{c}{}{s}{}{s}HL70357", at.segment, at.field, code.code(), code.text());
                (eld, erl(at))
            }
            Some(at) => (String::new(), erl(at)),
            None => (String::new(), String::new()),
        };
        out.push_str(&format!(
            "ERR{f}{eld}{f}{erl}{f}{}{c}{}{c}HL70357{f}E{f}{f}{f}{f}{}\r",
            code.code(),
            code.text(),
            text(&problem.text)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::hl7::parse::Message;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 09:00:05 UTC);

    fn envelope(msh: &str) -> Envelope {
        let m = Message::parse(msh, Charset::Utf8).unwrap();
        Envelope::of(m.header())
    }

    #[test]
    fn an_ack_swaps_sender_and_receiver_and_echoes_the_control_id() {
        let e = envelope("MSH|^~\\&|PAS^1.2.3^ISO|RXX|PORTICO|X26|20261120||ADT^A04^ADT_A01|C-77|P|2.4");
        let ack = build(&e, &Answer::accept("Record created"), "A1", NOW);
        assert_eq!(
            ack,
            "MSH|^~\\&|PORTICO|X26|PAS^1.2.3^ISO|RXX|20261125090005+0000||ACK^A04^ACK|A1|P|2.4\rMSA|AA|C-77|Record created\r"
        );
    }

    #[test]
    fn errors_list_each_problem_with_its_place_and_code() {
        let e = envelope("MSH|^~\\&|PAS|RXX|||20261120||ADT^A08|C-78|P|2.5.1||||||8859/1");
        let answer = Answer::error(vec![
            Problem::at(Location::field("PID", 7), ErrorCode::DataType, "Date of birth must be a real date"),
            Problem::at(Location::component("PID", 11, 5), ErrorCode::DataType, "Enter a real postcode"),
        ]);
        let ack = build(&e, &answer, "A2", NOW);
        let lines: Vec<&str> = ack.split('\r').collect();
        assert!(lines[0].ends_with("|ACK^A08^ACK|A2|P|2.5.1||||||8859/1"), "{}", lines[0]);
        assert_eq!(lines[1], "MSA|AE|C-78|PID-7: Date of birth must be a real date");
        assert_eq!(lines[2], "ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7: Date of birth must be a real date");
        assert_eq!(lines[3], "ERR||PID^1^11^1^5|102^Data type error^HL70357|E||||PID-11.5: Enter a real postcode");
        let parsed = Message::parse(&ack, Charset::Utf8).unwrap();
        assert_eq!(parsed.segments("ERR").count(), 2);
        // Before v2.5, ERR-1 says it too.
        let old = build(&envelope("MSH|^~\\&|PAS|RXX|||20261120||ADT^A08|C-79|P|2.4"), &answer, "A5", NOW);
        assert!(
            old.contains("\rERR|PID^1^7^102&Data type error&HL70357|PID^1^7|102^Data type error^HL70357|E||||PID-7:"),
            "{old}"
        );
    }

    #[test]
    fn texts_are_escaped_and_echoes_cannot_break_the_frame() {
        let mut e = envelope("MSH#!*%@#PAS#RXX#####ADT!A04#C|1#P#2.5");
        e.control_id = echo("C|1\u{1c}\r");
        let ack = build(&e, &Answer::reject(Problem::general(ErrorCode::InternalError, "a|b^c")), "A3", NOW);
        assert!(ack.starts_with("MSH#!*%@#"), "{ack}");
        assert!(ack.contains("MSA#AR#C|1#a|b^c\r"), "{ack}");
        assert!(!ack.contains('\u{1c}'));
        assert_eq!(ack.matches('\r').count(), 3);
    }

    #[test]
    fn an_unreadable_message_still_gets_a_standard_answer() {
        let ack = build(
            &Envelope::unknown(Charset::Utf8),
            &Answer::reject(Problem::general(ErrorCode::SegmentSequence, "a message must begin with an MSH segment")),
            "A4",
            NOW,
        );
        assert!(ack.starts_with("MSH|^~\\&|||||20261125090005+0000||ACK|A4|P|2.5\rMSA|AR||"), "{ack}");
    }
}
