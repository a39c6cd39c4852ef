//! The HL7 v2 feed: ADT messages over MLLP from an integration engine
//! (Mirth, Rhapsody, InterSystems), each answered with an original-mode ACK.
//!
//! - A01, A04, A05, A08, A28 and A31 create or update the patient's record,
//!   as a FHIR Patient would (`pid` says which field becomes what). Anything
//!   else is answered AR; a message with bad content AE, an ERR segment per
//!   problem.
//! - The listener writes for the team of one feed key, named in the settings
//!   (`mllp_feed_key`): the team admin makes the key and can revoke it, and
//!   MLLP itself has no authentication to say who is sending.
//! - Records are matched as every feed matches them (`records::store`): by
//!   NHS number (PID-3), else one record of the team without an NHS number
//!   with the same name, date of birth and postcode; two such records are
//!   refused (AE) rather than guessed between.
//! - Idempotent: a repeat changes nothing (AA). EVN-2 (else MSH-7) is the
//!   source time: a message older than the record's last change is not
//!   applied (AA, "not applied"). Each version keeps `hl7:<MSH-3>` as who
//!   changed it, and each create or update is audited.
//!
//! The parser is Portico's own (`parse`, `escape`, `charset`): the HL7 v2
//! crates on crates.io (`hl7-parser` 0.3.0, `hl7kit` 0.2.0, `rust-hl7` 0.5.0,
//! `hl7-net` 0.1.0) each panic on some malformed escape sequence (`ab\é\`,
//! `\XAé1\`), and a feed must not.

pub mod ack;
pub mod charset;
pub mod escape;
pub mod ingest;
pub mod listener;
pub mod mllp;
pub mod parse;
pub mod pid;
pub mod receive;
pub mod settings;
pub mod timestamp;

use std::sync::Arc;

pub use listener::Listener;
pub use settings::MllpSettings;

use crate::clock::Clock;
use crate::db::Db;

/// What handling a message needs.
#[derive(Debug, Clone)]
pub struct Context {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// The feed key whose team the messages feed.
    pub feed_key: String,
}
