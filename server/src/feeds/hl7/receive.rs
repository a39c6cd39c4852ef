//! One framed message to its answer: decode, parse, check the header, read
//! the patient, store, acknowledge. Everything before the store is a pure
//! function of the bytes and the time ([`read`]), which the fuzz target drives.

use time::{Duration, OffsetDateTime};

use super::ack::{self, Answer, Envelope, ErrorCode, Location, Problem};
use super::charset::{self, Charset};
use super::ingest::{self, Admission, AdmitError};
use super::parse::{Field, Message, ParseError};
use super::{Context, pid, timestamp};
use crate::records::store::Outcome;

/// The events Portico applies: each carries the patient's demographics.
pub const EVENTS: [&str; 6] = ["A01", "A04", "A05", "A08", "A28", "A31"];

/// How far ahead of Portico's clock a message's time may be. Further, and
/// it would make every later message look stale.
const CLOCK_SKEW: Duration = Duration::hours(1);

/// A message read, before anything is stored: whom to answer, and either
/// the patient to write or the answer already decided.
#[derive(Debug, Clone)]
pub struct Reading {
    pub envelope: Envelope,
    pub verdict: Result<Admission, Answer>,
}

fn reject(code: ErrorCode, location: Option<Location>, text: impl std::fmt::Display) -> Answer {
    Answer::reject(match location {
        Some(at) => Problem::at(at, code, text),
        None => Problem::general(code, text.to_string()),
    })
}

/// Reads `bytes` (one frame's content) at `now`.
pub fn read(bytes: &[u8], now: OffsetDateTime) -> Reading {
    let refused = |charset: Charset, answer: Answer| Reading {
        envelope: envelope_of(&String::from_utf8_lossy(bytes), charset),
        verdict: Err(answer),
    };
    let charset = match charset::declared(bytes) {
        Ok(charset) => charset,
        Err(err) => {
            let at = Location::field("MSH", 18);
            let mut reading = refused(Charset::Utf8, reject(ErrorCode::TableValueNotFound, Some(at), err));
            // The answer goes back in UTF-8, so it must not claim the set it refused.
            reading.envelope.charset_name.clear();
            return reading;
        }
    };
    let text = match charset::decode(bytes, charset) {
        Ok(text) => text,
        Err(err) => return refused(charset, reject(ErrorCode::DataType, None, err)),
    };
    let message = match Message::parse(&text, charset) {
        Ok(message) => message,
        Err(err) => {
            let code = if err == ParseError::BadDelimiters { ErrorCode::DataType } else { ErrorCode::SegmentSequence };
            let answer = reject(code, None, format!("The message cannot be read: {err}"));
            return Reading { envelope: envelope_of(&text, charset), verdict: Err(answer) };
        }
    };
    Reading { envelope: Envelope::of(message.header()), verdict: admission(&message, now) }
}

/// The envelope of whatever MSH `text` begins with, or a blank one.
fn envelope_of(text: &str, charset: Charset) -> Envelope {
    Message::parse_header(text, charset).map_or_else(|_| Envelope::unknown(charset), |msh| Envelope::of(&msh))
}

fn admission(message: &Message<'_>, now: OffsetDateTime) -> Result<Admission, Answer> {
    let event = check_header(message)?;
    let source_time = source_time(message, now);
    let patient = pid::read(message, now.date());
    let (source_time, patient) = match (source_time, patient) {
        (Ok(time), Ok(patient)) => (time, patient),
        (time, patient) => {
            let problems = time.err().into_iter().chain(patient.err().unwrap_or_default()).collect();
            return Err(Answer::error(problems));
        }
    };
    let msh = message.header();
    Ok(Admission {
        patient,
        source_time,
        sending_application: label(msh.field(3)),
        sending_facility: label(msh.field(4)),
        event,
        control_id: label_raw(msh.field(10).raw()),
    })
}

/// MSH-9 must be an ADT event Portico applies, MSH-11 production, MSH-12
/// a v2 version Portico reads, and MSH-10 present. Returns the event.
fn check_header(message: &Message<'_>) -> Result<String, Answer> {
    let msh = message.header();
    if msh.field(10).raw().trim().is_empty() {
        let at = Some(Location::field("MSH", 10));
        return Err(reject(ErrorCode::RequiredFieldMissing, at, "the message control id is required"));
    }
    let kind = msh.field(9).component(1).raw().trim();
    let mut event = msh.field(9).component(2).raw().trim();
    if event.is_empty() {
        // Before v2.3 the event was in EVN-1 only.
        event = message.segment("EVN").map(|evn| evn.field(1).raw().trim()).unwrap_or_default();
    }
    if kind != "ADT" {
        let at = Some(Location::component("MSH", 9, 1));
        return Err(reject(
            ErrorCode::UnsupportedMessageType,
            at,
            format!("Portico takes ADT messages, not '{}'", label_raw(kind)),
        ));
    }
    if !EVENTS.contains(&event) {
        let at = Some(Location::component("MSH", 9, 2));
        let text = format!("Portico applies ADT {}, not '{}'", EVENTS.join(", "), label_raw(event));
        return Err(reject(ErrorCode::UnsupportedEvent, at, text));
    }
    if msh.field(11).component(1).raw().trim() != "P" {
        let at = Some(Location::field("MSH", 11));
        let text = "Portico applies production messages (P) only, not training or debugging ones";
        return Err(reject(ErrorCode::UnsupportedProcessingId, at, text));
    }
    if !supported_version(msh.field(12).component(1).raw().trim()) {
        let at = Some(Location::field("MSH", 12));
        return Err(reject(ErrorCode::UnsupportedVersion, at, "Portico reads HL7 versions 2.3 to 2.9"));
    }
    Ok(event.to_owned())
}

/// `2.3` to `2.9`, with any further parts (`2.5.1`).
fn supported_version(version: &str) -> bool {
    let mut parts = version.split('.');
    parts.next() == Some("2")
        && parts.next().and_then(|minor| minor.parse::<u8>().ok()).is_some_and(|minor| (3..=9).contains(&minor))
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// When the source recorded the change: EVN-2, else MSH-7.
fn source_time(message: &Message<'_>, now: OffsetDateTime) -> Result<OffsetDateTime, Problem> {
    let recorded = message.segment("EVN").map(|evn| evn.field(2)).filter(|f| !f.is_empty());
    let (field, at): (Field<'_>, Location) = match recorded {
        Some(field) => (field, Location::field("EVN", 2)),
        None => (message.header().field(7), Location::field("MSH", 7)),
    };
    if field.is_empty() {
        return Err(Problem::at(at, ErrorCode::RequiredFieldMissing, "the message's date and time is required"));
    }
    // v2.3's TS has the time as its first component.
    let time = timestamp::parse(field.component(1).raw())
        .map_err(|e| Problem::at(at, ErrorCode::DataType, format!("the value {e}")))?;
    if time > now + CLOCK_SKEW {
        return Err(Problem::at(
            at,
            ErrorCode::DataType,
            "the time is more than an hour ahead of Portico's clock: check the sending system's clock and time zone",
        ));
    }
    Ok(time)
}

/// A raw value as a label: control characters dropped, at most 100 characters.
fn label_raw(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(100).collect::<String>().trim().to_owned()
}

/// An HD (MSH-3, MSH-4) as a label: its namespace id, else its universal id.
fn label(field: Field<'_>) -> String {
    let text = |n: usize| {
        field.component(n).text().map(|t| label_raw(&t)).unwrap_or_else(|_| label_raw(field.component(n).raw()))
    };
    let namespace = text(1);
    let name = if namespace.is_empty() { text(2) } else { namespace };
    if name.is_empty() { "unknown".to_owned() } else { name }
}

/// The ACK for one frame's content, in the message's character set.
pub async fn answer(ctx: &Context, bytes: &[u8], peer: &str) -> Vec<u8> {
    let now = ctx.clock.now();
    let reading = read(bytes, now);
    let (answer, outcome) = match &reading.verdict {
        Err(answer) => (answer.clone(), None),
        Ok(admission) => match ingest::admit(&ctx.db, &ctx.feed_key, admission, peer, now).await {
            Ok((_, outcome)) => (Answer::accept(accepted(outcome)), Some(outcome)),
            Err(err) => (refused(err), None),
        },
    };
    tracing::info!(
        peer,
        event = %reading.envelope.event,
        control_id = %reading.envelope.control_id,
        ack = answer.code.as_str(),
        outcome = outcome.map(tracing::field::debug),
        problems = answer.problems.len(),
        "HL7 message answered"
    );
    encode(&reading.envelope, &answer, now)
}

/// The AR for a frame larger than `limit`, addressed from its first bytes.
pub fn oversized(head: &[u8], size: usize, limit: usize, now: OffsetDateTime) -> Vec<u8> {
    let charset = charset::declared(head).unwrap_or(Charset::Utf8);
    let envelope = envelope_of(&String::from_utf8_lossy(head), charset);
    let text = format!("The message is {size} bytes; Portico takes messages of at most {limit} bytes");
    let answer = reject(ErrorCode::InternalError, None, text);
    tracing::warn!(size, limit, control_id = %envelope.control_id, "HL7 message too large");
    encode(&envelope, &answer, now)
}

fn encode(envelope: &Envelope, answer: &Answer, now: OffsetDateTime) -> Vec<u8> {
    let control_id: String = uuid::Uuid::new_v4().simple().to_string().chars().take(20).collect();
    charset::encode(&ack::build(envelope, answer, &control_id, now), envelope.encoding.charset)
}

fn accepted(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "Record created",
        Outcome::Updated => "Record updated",
        Outcome::Unchanged => "No change: the record already holds these details",
        Outcome::Stale => "Not applied: the record holds newer details",
    }
}

fn refused(err: AdmitError) -> Answer {
    match err {
        AdmitError::Ambiguous => Answer::error(vec![Problem::at(
            Location::field("PID", 3),
            ErrorCode::DuplicateKey,
            "more than one record in the team matches this patient, who has no NHS number: send the NHS number",
        )]),
        AdmitError::KeyNotLive => reject(
            ErrorCode::InternalError,
            None,
            "Portico's HL7 listener has no live feed key: ask the team's admin for one",
        ),
        err @ (AdmitError::Database(_) | AdmitError::Corrupt(_)) => {
            tracing::error!(cause = %err, "HL7 message could not be stored");
            reject(ErrorCode::InternalError, None, "Portico could not store the message just now: send it again")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::hl7::ack::AckCode;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    fn adt(msh: &str, rest: &str) -> String {
        format!("{msh}\rEVN|A04|20261120103000\rPID|1||9434765919^^^NHS^NH||Hughes^Alys||19800229\r{rest}")
    }

    fn verdict(text: &str) -> Result<Admission, Answer> {
        read(text.as_bytes(), NOW).verdict
    }

    fn refusal(text: &str) -> (AckCode, u16, String) {
        let answer = verdict(text).unwrap_err();
        let problem = &answer.problems[0];
        (answer.code, problem.code.code(), problem.text.clone())
    }

    const MSH: &str = "MSH|^~\\&|PAS^RXX.PAS|RXX|PORTICO|X26|20261120103000||ADT^A04^ADT_A01|C1|P|2.5.1";

    #[test]
    fn a_good_message_is_read_whole() {
        let a = verdict(&adt(MSH, "")).unwrap();
        assert_eq!((a.event.as_str(), a.control_id.as_str()), ("A04", "C1"));
        assert_eq!((a.sending_application.as_str(), a.sending_facility.as_str()), ("PAS", "RXX"));
        assert_eq!(a.source_time, datetime!(2026-11-20 10:30 UTC), "EVN-2, UK time (GMT in November)");
    }

    #[test]
    fn header_problems_are_rejected() {
        let swap = |from: &str, to: &str| adt(&MSH.replace(from, to), "");
        assert_eq!(refusal(&swap("ADT^A04^ADT_A01", "ORU^R01^ORU_R01")).0, AckCode::Reject);
        assert_eq!(refusal(&swap("ADT^A04^ADT_A01", "ORU^R01^ORU_R01")).1, 200);
        assert_eq!(refusal(&swap("ADT^A04^ADT_A01", "ADT^A40^ADT_A39")).1, 201);
        assert_eq!(refusal(&swap("|P|", "|T|")).1, 202);
        assert_eq!(refusal(&swap("2.5.1", "2.2")).1, 203);
        assert_eq!(refusal(&swap("2.5.1", "3.0")).1, 203);
        assert_eq!(refusal(&swap("|C1|", "||")).1, 101);
        assert_eq!(refusal("garbage").0, AckCode::Reject);
        assert_eq!(refusal("MSH|^~\\&|A\rnot a segment").1, 100);
        let (code, _, text) = refusal(&swap("2.5.1", "2.5.1||||||UNICODE UTF-16"));
        assert_eq!(code, AckCode::Reject);
        assert!(text.starts_with("MSH-18"), "{text}");
        let latin1 = [MSH.as_bytes(), b"\rPID|1||||Ren\xe9e^A||19800229"].concat();
        assert_eq!(read(&latin1, NOW).verdict.unwrap_err().code, AckCode::Reject, "undeclared Latin-1");
        assert!(
            supported_version("2.3")
                && supported_version("2.9")
                && !supported_version("2.")
                && !supported_version("2.5.")
        );
    }

    #[test]
    fn content_problems_are_errors_listed_together() {
        let text = adt(MSH, "").replace("19800229", "20260230").replace("EVN|A04|20261120103000", "EVN|A04|2026x");
        let answer = verdict(&text).unwrap_err();
        assert_eq!(answer.code, AckCode::Error);
        let texts: Vec<_> = answer.problems.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "EVN-2: the value is not an HL7 date and time (YYYYMMDDHHMMSS, optionally with +ZZZZ)",
                "PID-7: Date of birth must be a real date"
            ]
        );
        let future = adt(MSH, "").replace("EVN|A04|20261120103000", "EVN|A04|20261125110000+0000");
        assert!(verdict(&future).unwrap_err().problems[0].text.contains("ahead of Portico's clock"));
    }

    #[test]
    fn msh7_is_the_time_without_evn2_and_the_event_may_come_from_evn1() {
        let text = adt(&MSH.replace("ADT^A04^ADT_A01", "ADT"), "").replace("EVN|A04|20261120103000", "EVN|A08");
        let a = verdict(&text).unwrap();
        assert_eq!(a.event, "A08");
        assert_eq!(a.source_time, datetime!(2026-11-20 10:30 UTC));
    }

    #[test]
    fn oversized_messages_are_rejected_with_their_control_id() {
        let ack = oversized(MSH.as_bytes(), 5_000_000, 1_048_576, NOW);
        let ack = String::from_utf8(ack).unwrap();
        assert!(ack.contains("\rMSA|AR|C1|The message is 5000000 bytes"), "{ack}");
    }
}
