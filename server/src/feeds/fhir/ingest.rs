//! Writing converted FHIR resources: patients first (so entries in the same
//! Bundle can refer to them), then entries, in one transaction.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::convert::{IncomingEntry, IncomingPatient, Subject};
use super::model::Issue;
use crate::clock::stored;
use crate::db::{Db, Tx};
use crate::feeds::keys::FeedClient;
use crate::records::entries::upsert_entry;
use crate::records::store::{ChangedBy, Outcome, UpsertError, upsert_patient};

/// One resource, converted.
#[derive(Debug, Clone)]
pub enum Item {
    /// A patient, and the names entries in the same Bundle may call it by.
    Patient(IncomingPatient, Vec<String>),
    Entry(IncomingEntry),
}

/// What happened to one resource.
#[derive(Debug, Clone)]
pub enum Done {
    Written { location: String, outcome: Outcome },
    Refused { status: u16, issues: Vec<Issue> },
}

impl Done {
    fn refused(status: u16, issue: Issue) -> Self {
        Self::Refused { status, issues: vec![issue] }
    }
}

/// Writes `items` (in Bundle order) for `client`, in one transaction. In a
/// transaction (`atomic`), the first refusal rolls everything back and the
/// results say why; otherwise refusals are reported and the rest is written.
pub async fn write(
    db: &Db,
    client: &FeedClient,
    items: Vec<Result<Item, Vec<Issue>>>,
    atomic: bool,
    now: OffsetDateTime,
) -> Result<(Vec<Done>, bool), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let changed_by = ChangedBy(format!("fhir:{}", client.key_id));
    let mut names: HashMap<String, String> = HashMap::new();
    let mut done: Vec<Option<Done>> = vec![None; items.len()];
    // Patients first, entries after: a Bundle may list them in any order.
    for pass in [true, false] {
        for (i, item) in items.iter().enumerate() {
            let result = match item {
                Err(issues) if pass => Done::Refused { status: 400, issues: issues.clone() },
                Ok(Item::Patient(patient, aliases)) if pass => {
                    write_patient(&mut tx, db, client, patient, aliases, &mut names, &changed_by, now).await?
                }
                Ok(Item::Entry(entry)) if !pass => write_entry(&mut tx, client, entry, &names, now).await?,
                _ => continue,
            };
            done[i] = Some(result);
        }
    }
    let done: Vec<Done> = done.into_iter().flatten().collect();
    let refused = done.iter().any(|d| matches!(d, Done::Refused { .. }));
    if atomic && refused {
        tx.rollback().await?;
        return Ok((done, false));
    }
    sqlx::query("UPDATE feed_keys SET last_used_at = $2 WHERE id = $1")
        .bind(&client.key_id)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((done, true))
}

#[allow(clippy::too_many_arguments)]
async fn write_patient(
    tx: &mut Tx,
    db: &Db,
    client: &FeedClient,
    patient: &IncomingPatient,
    aliases: &[String],
    names: &mut HashMap<String, String>,
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<Done, sqlx::Error> {
    match upsert_patient(tx, db.engine, &client.team_id, &patient.details, patient.source_updated_at, changed_by, now)
        .await
    {
        Ok(upserted) => {
            for alias in aliases {
                names.insert(alias.clone(), upserted.record_id.clone());
            }
            Ok(Done::Written { location: format!("Patient/{}", upserted.record_id), outcome: upserted.outcome })
        }
        Err(UpsertError::Ambiguous) => Ok(Done::refused(
            409,
            Issue::error(
                "multiple-matches",
                "More than one record in the team matches this patient, who has no NHS number: send the NHS number",
            ),
        )),
        Err(UpsertError::Database(err)) => Err(err),
        Err(UpsertError::Corrupt(what)) => Err(sqlx::Error::Protocol(format!("stored record unreadable: {what}"))),
    }
}

async fn write_entry(
    tx: &mut Tx,
    client: &FeedClient,
    (subject, entry): &IncomingEntry,
    names: &HashMap<String, String>,
    now: OffsetDateTime,
) -> Result<Done, sqlx::Error> {
    let record_id = match subject {
        Subject::Reference(reference) => names.get(reference).cloned(),
        Subject::NhsNumber(nhs) => {
            sqlx::query_scalar(
                "SELECT r.id FROM records r JOIN team_records tr ON tr.record_id = r.id WHERE r.nhs_number = $1 AND tr.team_id = $2",
            )
            .bind(nhs.as_digits())
            .bind(&client.team_id)
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let Some(record_id) = record_id else {
        return Ok(Done::refused(
            404,
            Issue::error(
                "not-found",
                "No patient of this team matches the subject: send the Patient first, or in the same Bundle",
            ),
        ));
    };
    let outcome = upsert_entry(tx, &record_id, entry, now).await?;
    let kind = entry.source_id.split('/').next().unwrap_or("Entry");
    Ok(Done::Written { location: format!("{kind}/{}", entry.source_id.split('/').nth(1).unwrap_or("")), outcome })
}
