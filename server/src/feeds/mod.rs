//! The ways records and their entries come in: FHIR R4 over HTTP, HL7 v2
//! over MLLP, and CSV uploaded by a team admin. Each turns its format into
//! `records::details::PatientDetails` and calls `records::store`.

pub mod csv;
pub mod fhir;
pub mod hl7;
pub mod keys;
