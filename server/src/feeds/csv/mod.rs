//! CSV upload of patients by a team admin: the file is streamed to disk,
//! read row by row into `PatientDetails` (every bad row named by its row,
//! column and why), kept for a preview, then committed in one transaction or
//! discarded. Committing the same file again changes nothing.
//!
//! The format (columns, encoding, limits) is described in the README.

pub mod columns;
pub mod commit;
pub mod imports;
pub mod parse;
mod routes;
pub mod row;
pub mod stage;
pub mod upload;
mod write;

pub use routes::{Docs, routes};
