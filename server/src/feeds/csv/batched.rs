//! A batched upsert for imports, same rule as `records::store::upsert_patient`
//! (see its matching rule), written for SQLite, where every statement costs a
//! round trip to sqlx's worker thread and a row-by-row upsert runs at a
//! fraction of a plain INSERT's speed.
//!
//! Rows with an NHS number are taken a run at a time. One query finds which
//! of the run's numbers are already on a record, one which of the run's
//! names belong to a team record without an NHS number (a possible
//! demographic match). Every row that is neither is new: those are inserted
//! together. The rest, and every row without an NHS number, go through
//! `upsert_patient` one by one, in file order, so the outcome is the same as
//! upserting each row in turn.

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::clock::stored;
use crate::db::{Engine, Statement, Tx};
use crate::records::details::PatientDetails;
use crate::records::store::{ChangedBy, Outcome, UpsertError, Upserted, upsert_patient};

/// Rows looked up together: the `IN (…)` lists stay short.
const RUN: usize = 100;

/// Rows per multi-row INSERT. SQLite (through sqlx) reads long statements
/// slowly, so it gets short ones; PostgreSQL gains from fewer round trips.
fn rows_per_insert(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => 10,
        Engine::Postgres => 200,
    }
}

/// See the module documentation. Results come back in the order of `patients`.
pub async fn upsert_patients(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    patients: &[PatientDetails],
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<Vec<Result<Upserted, UpsertError>>, UpsertError> {
    let write = Write { engine, team_id, changed_by, now };
    let mut done = Vec::with_capacity(patients.len());
    let mut run: Vec<&PatientDetails> = Vec::with_capacity(RUN);
    for patient in patients {
        if patient.nhs_number.is_some() {
            run.push(patient);
            if run.len() == RUN {
                done.extend(write.run(tx, &run).await?);
                run.clear();
            }
        } else {
            done.extend(write.run(tx, &run).await?);
            run.clear();
            done.push(write.one(tx, patient).await?);
        }
    }
    done.extend(write.run(tx, &run).await?);
    Ok(done)
}

struct Write<'a> {
    engine: Engine,
    team_id: &'a str,
    changed_by: &'a ChangedBy,
    now: OffsetDateTime,
}

impl Write<'_> {
    /// One row through the store's own upsert. A database failure stops
    /// everything; an ambiguous match is that row's answer.
    async fn one(&self, tx: &mut Tx, patient: &PatientDetails) -> Result<Result<Upserted, UpsertError>, UpsertError> {
        match upsert_patient(tx, self.engine, self.team_id, patient, None, self.changed_by, self.now).await {
            Err(UpsertError::Ambiguous) => Ok(Err(UpsertError::Ambiguous)),
            other => other.map(Ok),
        }
    }

    /// A run of rows that all have NHS numbers.
    async fn run(
        &self,
        tx: &mut Tx,
        run: &[&PatientDetails],
    ) -> Result<Vec<Result<Upserted, UpsertError>>, UpsertError> {
        if run.is_empty() {
            return Ok(Vec::new());
        }
        let numbers: Vec<String> = run.iter().filter_map(|p| p.nhs_number.map(|n| n.as_digits())).collect();
        let names: Vec<String> = run.iter().map(|p| p.search_name()).collect();
        let mut known = Statement::new("SELECT nhs_number FROM records WHERE nhs_number IN ");
        in_list(&mut known, &numbers);
        let known = strings(tx, known).await?;
        let mut candidates = Statement::new(
            "SELECT r.search_name FROM records r JOIN team_records tr ON tr.record_id = r.id \
             WHERE r.nhs_number IS NULL AND tr.team_id = ",
        );
        candidates.bind(self.team_id).push(" AND r.search_name IN ");
        in_list(&mut candidates, &names);
        let candidates = strings(tx, candidates).await?;
        // A number twice in one run: the first creates, the second updates.
        let mut seen = HashSet::new();
        let is_new: Vec<bool> = numbers
            .iter()
            .zip(&names)
            .map(|(number, name)| !known.contains(number) && !candidates.contains(name) && seen.insert(number))
            .collect();
        let new: Vec<(&PatientDetails, String)> = run
            .iter()
            .zip(&is_new)
            .filter(|(_, new)| **new)
            .map(|(p, _)| (*p, uuid::Uuid::now_v7().to_string()))
            .collect();
        self.insert_new(tx, &new).await?;
        let mut created = new.into_iter().map(|(_, id)| id);
        let mut done = Vec::with_capacity(run.len());
        for (patient, new) in run.iter().zip(is_new) {
            if new {
                let record_id = created.next().unwrap_or_default();
                done.push(Ok(Upserted { record_id, outcome: Outcome::Created }));
            } else {
                done.push(self.one(tx, patient).await?);
            }
        }
        Ok(done)
    }

    /// Inserts records that match nothing, with their first version, in `team_id`.
    async fn insert_new(&self, tx: &mut Tx, new: &[(&PatientDetails, String)]) -> Result<(), UpsertError> {
        let now = stored(self.now);
        for chunk in new.chunks(rows_per_insert(self.engine)) {
            let mut records = Statement::new(
                "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, \
                 mobile, address_lines, postcode, gp_ods_code, version, created_at, updated_at) ",
            );
            records.values(chunk, |row, (d, id)| {
                row.bind(id.as_str())
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
                    .bind(now.as_str())
                    .bind(now.as_str());
            });
            records.query()?.execute(&mut **tx).await?;
            let snapshots = chunk
                .iter()
                .map(|(d, id)| serde_json::to_string(d).map(|s| (id.as_str(), s)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| UpsertError::Corrupt(e.to_string()))?;
            let mut versions =
                Statement::new("INSERT INTO record_versions (record_id, version, changed_at, changed_by, snapshot) ");
            versions.values(snapshots, |row, (id, snapshot)| {
                row.bind(id).bind(1_i64).bind(now.as_str()).bind(self.changed_by.0.as_str()).bind(snapshot);
            });
            versions.query()?.execute(&mut **tx).await?;
            let mut members = Statement::new("INSERT INTO team_records (team_id, record_id, added_at) ");
            members.values(chunk, |row, (_, id)| {
                row.bind(self.team_id).bind(id.as_str()).bind(now.as_str());
            });
            members.query()?.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Appends `(…)` with one placeholder per value.
fn in_list(statement: &mut Statement, values: &[String]) {
    statement.push("(");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            statement.push(", ");
        }
        statement.bind(value.as_str());
    }
    statement.push(")");
}

/// The first column of every row `statement` answers.
async fn strings(tx: &mut Tx, statement: Statement) -> Result<HashSet<String>, sqlx::Error> {
    let found: Vec<String> = statement.query_scalar()?.fetch_all(&mut **tx).await?;
    Ok(found.into_iter().collect())
}
