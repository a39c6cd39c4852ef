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
use crate::records::store::{ChangedBy, Outcome, UpsertError, Upserted, upsert_patients};

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
    // Patients first, all at once, then entries: a Bundle may list them in any
    // order, and entries may name a patient of the same Bundle.
    let patients: Vec<(usize, &IncomingPatient, &[String])> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Ok(Item::Patient(patient, aliases)) => Some((i, patient, aliases.as_slice())),
            _ => None,
        })
        .collect();
    let incoming: Vec<_> = patients.iter().map(|(_, p, _)| (&p.details, p.source_updated_at)).collect();
    let answers = upsert_patients(&mut tx, db.engine, &client.team_id, &incoming, &changed_by, now)
        .await
        .map_err(database_error)?;
    for ((i, _, aliases), answer) in patients.iter().zip(answers) {
        done[*i] = Some(patient_done(answer, aliases, &mut names)?);
    }
    for (i, item) in items.iter().enumerate() {
        match item {
            Err(issues) => done[i] = Some(Done::Refused { status: 400, issues: issues.clone() }),
            Ok(Item::Entry(entry)) => done[i] = Some(write_entry(&mut tx, client, entry, &names, now).await?),
            Ok(Item::Patient(..)) => {}
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

/// The answer for one patient of the Bundle; entries may then call it by its aliases.
fn patient_done(
    answer: Result<Upserted, UpsertError>,
    aliases: &[String],
    names: &mut HashMap<String, String>,
) -> Result<Done, sqlx::Error> {
    match answer {
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
        Err(other) => Err(database_error(other)),
    }
}

fn database_error(err: UpsertError) -> sqlx::Error {
    match err {
        UpsertError::Database(err) => err,
        other => sqlx::Error::Protocol(other.to_string()),
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
    if outcome == crate::records::store::Outcome::Created {
        crate::notifications::pending::entry_added(tx, &record_id, entry.sensitive, now).await?;
    }
    let kind = entry.source_id.split('/').next().unwrap_or("Entry");
    Ok(Done::Written { location: format!("{kind}/{}", entry.source_id.split('/').nth(1).unwrap_or("")), outcome })
}
