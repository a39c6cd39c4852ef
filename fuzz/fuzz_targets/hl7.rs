#![no_main]
//! The HL7 listener's handling of untrusted bytes, short of the database:
//! MLLP deframing (in two chunks, cut where the input says), reading a
//! message (charset, structure, escapes, header checks, PID mapping,
//! timestamps) and building its ACK. Nothing may panic, and every answer
//! must read back with Portico's own parser as an ACK to that message.

use libfuzzer_sys::fuzz_target;
use portico_server::feeds::hl7::ack::{self, Answer};
use portico_server::feeds::hl7::charset::{self, Charset};
use portico_server::feeds::hl7::mllp::{Deframer, Frame};
use portico_server::feeds::hl7::parse::{Delimiters, Message};
use portico_server::feeds::hl7::{escape, receive, timestamp};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);
const LIMIT: usize = 512;

fn deframe(data: &[u8]) {
    let cut = usize::from(data.first().copied().unwrap_or(0)).min(data.len());
    let (a, b) = data.split_at(cut);
    let mut deframer = Deframer::new(LIMIT);
    let mut frames = Vec::new();
    if deframer.push(a, &mut frames).is_ok() {
        let _ = deframer.push(b, &mut frames);
    }
    for frame in frames {
        match frame {
            Frame::Message(m) => assert!(m.len() <= LIMIT),
            Frame::Oversized { head, size } => assert!(head.len() == LIMIT && size > LIMIT),
        }
    }
}

/// The ACK Portico would send for `data`, checked to read back as one.
fn answer(data: &[u8]) {
    let reading = receive::read(data, NOW);
    let answer = match &reading.verdict {
        Ok(_) => Answer::accept("Record created"),
        Err(refused) => {
            assert!(!refused.problems.is_empty());
            refused.clone()
        }
    };
    let charset = reading.envelope.encoding.charset;
    let bytes = charset::encode(&ack::build(&reading.envelope, &answer, "FUZZ", NOW), charset);
    assert!(!bytes.iter().any(|&b| b == 0x0b || b == 0x1c), "an answer must not break its frame");
    let text = charset::decode(&bytes, charset).expect("an answer decodes in its own charset");
    let parsed = Message::parse(&text, charset).expect("an answer parses");
    let msa = parsed.segment("MSA").expect("an answer has its MSA");
    assert_eq!(msa.field(1).raw(), answer.code.as_str());
    assert_eq!(msa.field(2).raw(), reading.envelope.control_id, "MSA-2 echoes MSH-10");
    assert_eq!(parsed.header().field(5).raw(), reading.envelope.sending_application);
    assert_eq!(parsed.segments("ERR").count(), answer.problems.len());
    let oversized = receive::oversized(data, data.len() + 1, data.len(), NOW);
    assert!(!oversized.iter().any(|&b| b == 0x0b || b == 0x1c));
}

/// Escaping Portico's own text and decoding it again gives the text back
/// (less control characters, which an answer never carries).
fn escapes(text: &str) {
    for delimiters in [
        Delimiters::STANDARD,
        Delimiters { field: '#', component: '!', repetition: '*', escape: '%', subcomponent: '@' },
    ] {
        let encoded = escape::encode(text, &delimiters);
        let decoded = escape::decode(&encoded, &delimiters, Charset::Utf8).expect("own escapes decode");
        let expected: String = text.chars().filter(|c| !c.is_control()).collect();
        assert_eq!(decoded, expected);
        let _ = escape::decode(text, &delimiters, Charset::Utf8);
        let _ = escape::decode(text, &delimiters, Charset::Latin9);
    }
    let _ = timestamp::parse(text);
}

fuzz_target!(|data: &[u8]| {
    deframe(data);
    answer(data);
    if let Ok(text) = std::str::from_utf8(data) {
        escapes(text);
    }
});
