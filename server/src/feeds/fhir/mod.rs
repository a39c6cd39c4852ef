//! The FHIR R4 feed: `POST /api/v1/feeds/fhir` takes a `transaction` or
//! `batch` Bundle, `POST /api/v1/feeds/fhir/{type}` one resource (`Patient`,
//! `DocumentReference`, `Observation`, `Appointment`). Authenticated by a feed
//! key; records created join the key's team. Answers are FHIR: an
//! `OperationOutcome`, or a `transaction-response` / `batch-response` Bundle.
//!
//! A transaction is all or nothing: one bad entry and nothing is written, the
//! outcome naming each bad entry. A batch writes every good entry and reports
//! each bad one in its own response entry.

mod convert;
mod ingest;
mod model;
pub mod read;
mod routes;

pub use routes::{Docs, routes};
