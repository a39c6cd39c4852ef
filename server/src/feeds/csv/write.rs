//! The one door from an import to the record store.
//!
//! `write_patients` is the only place a commit writes records. It goes
//! through this crate's [`batched`](super::batched) upsert, which creates
//! plainly new patients a few dozen to a statement and hands every other row
//! to `records::store::upsert_patient`. When the store has its own batched
//! `upsert_patients`, the body below becomes that one call, and `batched`
//! can go.

use time::OffsetDateTime;

use super::batched;
use crate::db::{Engine, Tx};
use crate::records::details::PatientDetails;
use crate::records::store::{ChangedBy, UpsertError, Upserted};

/// Creates or updates the records `patients` describe, in order, all joining
/// `team_id`. Each row's own refusal (an ambiguous match) comes back in its
/// place; a database failure stops the lot.
pub async fn write_patients(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    patients: &[PatientDetails],
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<Vec<Result<Upserted, UpsertError>>, UpsertError> {
    batched::upsert_patients(tx, engine, team_id, patients, changed_by, now).await
}
