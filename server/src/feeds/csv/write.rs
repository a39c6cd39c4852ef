//! The one door from an import to the record store: the store's batched
//! upsert, which gives exactly what upserting each row in file order gives.

use time::OffsetDateTime;

use crate::db::{Engine, Tx};
use crate::records::details::PatientDetails;
use crate::records::store::{ChangedBy, Incoming, UpsertError, Upserted, upsert_patients};

/// Creates or updates the records `patients` describe, in order, all joining
/// `team_id`. Each row's own refusal (an ambiguous match) comes back in its
/// place; a database failure stops the lot. A file carries no time of its
/// own, so every row counts as current.
pub async fn write_patients(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    patients: &[PatientDetails],
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<Vec<Result<Upserted, UpsertError>>, UpsertError> {
    let incoming: Vec<Incoming<'_>> = patients.iter().map(|p| (p, None)).collect();
    upsert_patients(tx, engine, team_id, &incoming, changed_by, now).await
}
