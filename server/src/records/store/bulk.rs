//! Many patients at once, for Bundles and uploads: the same rules and outcomes
//! as [`upsert_patient`] called for each in turn, in a handful of statements
//! per thousand patients instead of several per patient (on PostgreSQL every
//! statement is a round trip, and those dominated the import time).
//!
//! The fast way is exact only where the NHS number alone decides the match:
//! the first patient with each NHS number in the batch, when neither the batch
//! nor the team holds details without an NHS number (otherwise a patient whose
//! number is new might match an unnumbered record on demographics). Every other
//! patient (no NHS number, a repeat of a number earlier in the batch, a new
//! number where a demographic match is possible) goes one by one afterwards,
//! in batch order. The two groups never touch the same record, so the result
//! is what one-by-one in batch order gives.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use super::{
    ChangedBy, Decision, Outcome, PatientDetails, RECORD_COLUMNS, RecordRow, StoredRecord, UpsertError, Upserted,
    decide, existing, upsert_patient, write_record,
};
use crate::clock::stored;
use crate::db::{Engine, Statement, Tx};

/// Values per row of each multi-row statement below.
const RECORD_VALUES: usize = 15;
const VERSION_VALUES: usize = 5;
const TEAM_LINK_VALUES: usize = 3;
/// NHS numbers per `IN (…)` lookup.
const LOOKUP_VALUES: usize = 1;

/// One patient of a batch: the details, and when the source last changed them.
pub type Incoming<'a> = (&'a PatientDetails, Option<OffsetDateTime>);

/// Creates or updates the records these patients describe, all in `team_id`,
/// and answers for each, in order. A refusal of one patient (an ambiguous
/// demographic match) is its own answer; a database error ends the batch.
pub async fn upsert_patients(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    patients: &[Incoming<'_>],
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<Vec<Result<Upserted, UpsertError>>, UpsertError> {
    let mut answers: Vec<Option<Result<Upserted, UpsertError>>> = patients.iter().map(|_| None).collect();
    let demographic_match_possible =
        patients.iter().any(|(details, _)| details.nhs_number.is_none()) || team_has_unnumbered(tx, team_id).await?;

    let mut seen = HashSet::new();
    let (mut fast, mut one_by_one): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for (i, (details, _)) in patients.iter().enumerate() {
        match details.nhs_number {
            Some(nhs) if seen.insert(nhs) => fast.push(i),
            _ => one_by_one.push(i),
        }
    }

    let numbers: Vec<String> = fast.iter().filter_map(|&i| patients[i].0.nhs_number).map(|n| n.as_digits()).collect();
    let found = by_nhs_number(tx, engine, &numbers).await?;
    let mut created: Vec<(usize, String)> = Vec::new();
    let mut versions: Vec<(usize, String, i64)> = Vec::new();
    for i in fast {
        let (details, source_updated_at) = patients[i];
        let current = details.nhs_number.and_then(|nhs| found.get(&nhs.as_digits()));
        if current.is_none() && demographic_match_possible {
            one_by_one.push(i);
            continue;
        }
        let answer = match decide(current, details, source_updated_at) {
            Decision::Create => {
                let record_id = uuid::Uuid::now_v7().to_string();
                created.push((i, record_id.clone()));
                versions.push((i, record_id.clone(), 1));
                Upserted { record_id, outcome: Outcome::Created }
            }
            Decision::Update { record_id, version } => {
                write_record(tx, &record_id, details, version, source_updated_at, now, false).await?;
                versions.push((i, record_id.clone(), version));
                Upserted { record_id, outcome: Outcome::Updated }
            }
            Decision::Keep { record_id, outcome } => Upserted { record_id, outcome },
        };
        answers[i] = Some(Ok(answer));
    }

    for chunk in created.chunks(engine.rows_per_statement(RECORD_VALUES)) {
        insert_records(tx, engine, chunk, patients, now).await?;
    }
    for chunk in versions.chunks(engine.rows_per_statement(VERSION_VALUES)) {
        insert_versions(tx, engine, chunk, patients, changed_by, now).await?;
    }
    let linked: Vec<&str> = answers.iter().flatten().flatten().map(|u| u.record_id.as_str()).collect();
    for chunk in linked.chunks(engine.rows_per_statement(TEAM_LINK_VALUES)) {
        link_to_team(tx, engine, team_id, chunk, now).await?;
    }

    one_by_one.sort_unstable();
    for i in one_by_one {
        let (details, source_updated_at) = patients[i];
        answers[i] =
            Some(match upsert_patient(tx, engine, team_id, details, source_updated_at, changed_by, now).await {
                Err(UpsertError::Ambiguous) => Err(UpsertError::Ambiguous),
                other => Ok(other?),
            });
    }
    // Every patient went the fast way or one by one; a gap would be a bug here.
    answers
        .into_iter()
        .map(|a| a.ok_or_else(|| UpsertError::Corrupt("a patient of the batch went unanswered".into())))
        .collect()
}

async fn team_has_unnumbered(tx: &mut Tx, team_id: &str) -> Result<bool, sqlx::Error> {
    let any: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM team_records tr JOIN records r ON r.id = tr.record_id \
         WHERE tr.team_id = $1 AND r.nhs_number IS NULL LIMIT 1",
    )
    .bind(team_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(any.is_some())
}

/// The records holding these NHS numbers, by number (locked on PostgreSQL).
async fn by_nhs_number(
    tx: &mut Tx,
    engine: Engine,
    numbers: &[String],
) -> Result<HashMap<String, StoredRecord>, UpsertError> {
    let mut found = HashMap::new();
    for chunk in numbers.chunks(engine.rows_per_statement(LOOKUP_VALUES)) {
        let mut select =
            Statement::for_engine(engine, &format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.nhs_number IN "));
        select.bind_list(chunk.iter().map(String::as_str));
        if engine == Engine::Postgres {
            select.push(" FOR UPDATE OF r");
        }
        let rows: Vec<RecordRow> = select.query_as()?.fetch_all(&mut **tx).await?;
        for row in rows {
            let record = existing(row)?;
            if let Some(nhs) = record.details.nhs_number {
                found.insert(nhs.as_digits(), record);
            }
        }
    }
    Ok(found)
}

async fn insert_records(
    tx: &mut Tx,
    engine: Engine,
    created: &[(usize, String)],
    patients: &[Incoming<'_>],
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let now = stored(now);
    let mut insert = Statement::for_engine(
        engine,
        "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, mobile, \
         address_lines, postcode, gp_ods_code, version, source_updated_at, created_at, updated_at) ",
    );
    insert.values(created, |row, (i, record_id)| {
        let (d, source_updated_at) = patients[*i];
        row.bind(record_id.as_str())
            .bind(d.nhs_number.map(|n| n.as_digits()))
            .bind(d.given_name.as_str())
            .bind(d.family_name.as_str())
            .bind(d.search_name())
            .bind(d.date_of_birth.iso())
            .bind(d.email.as_ref().map(|e| e.as_str().to_owned()))
            .bind(d.mobile.as_ref().map(|m| m.e164().to_owned()))
            .bind((!d.address_lines.is_empty()).then(|| d.address_lines.join("\n")))
            .bind(d.postcode.as_ref().map(|p| p.as_str().to_owned()))
            .bind(d.gp_ods_code.as_ref().map(|o| o.as_str().to_owned()))
            .bind(1_i64)
            .bind(source_updated_at.map(stored))
            .bind(now.as_str())
            .bind(now.as_str());
    });
    insert.query()?.execute(&mut **tx).await?;
    Ok(())
}

async fn insert_versions(
    tx: &mut Tx,
    engine: Engine,
    versions: &[(usize, String, i64)],
    patients: &[Incoming<'_>],
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<(), UpsertError> {
    let now = stored(now);
    let mut snapshots = Vec::with_capacity(versions.len());
    for (i, _, _) in versions {
        snapshots.push(serde_json::to_string(patients[*i].0).map_err(|e| UpsertError::Corrupt(e.to_string()))?);
    }
    let mut insert = Statement::for_engine(
        engine,
        "INSERT INTO record_versions (record_id, version, changed_at, changed_by, snapshot) ",
    );
    insert.values(versions.iter().zip(snapshots), |row, ((_, record_id, version), snapshot)| {
        row.bind(record_id.as_str()).bind(*version).bind(now.as_str()).bind(changed_by.0.as_str()).bind(snapshot);
    });
    insert.query()?.execute(&mut **tx).await?;
    Ok(())
}

async fn link_to_team(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    record_ids: &[&str],
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let now = stored(now);
    let mut insert = Statement::for_engine(engine, "INSERT INTO team_records (team_id, record_id, added_at) ");
    insert.values(record_ids, |row, record_id| {
        row.bind(team_id).bind(*record_id).bind(now.as_str());
    });
    insert.push(" ON CONFLICT (team_id, record_id) DO NOTHING");
    insert.query()?.execute(&mut **tx).await?;
    Ok(())
}
