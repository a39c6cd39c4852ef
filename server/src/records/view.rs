//! Reading a whole record: details, teams, entries.

use portico_types::api::{EntrySummary, RecordDetail, TeamRef};

use super::store;
use crate::db::Db;

/// The record's details, or `None` if there is no such record.
pub async fn detail(db: &Db, record_id: &str) -> anyhow::Result<Option<RecordDetail>> {
    let Some(stored) = store::load(db, record_id).await? else {
        return Ok(None);
    };
    let d = stored.details;
    Ok(Some(RecordDetail {
        id: stored.id,
        nhs_number: d.nhs_number,
        given_name: d.given_name,
        family_name: d.family_name,
        date_of_birth: d.date_of_birth,
        email: d.email,
        mobile: d.mobile,
        address_lines: d.address_lines,
        postcode: d.postcode,
        gp_ods_code: d.gp_ods_code,
        version: stored.version,
        updated_at: stored.updated_at,
    }))
}

pub async fn teams(db: &Db, record_id: &str) -> anyhow::Result<Vec<TeamRef>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.id, t.name FROM teams t JOIN team_records tr ON tr.team_id = t.id WHERE tr.record_id = $1 ORDER BY t.name",
    )
    .bind(record_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(id, name)| TeamRef { id, name }).collect())
}

/// An entry as `entries` reads it: id, kind, title, body, when, sensitive, private.
type EntryRow = (String, String, String, Option<String>, String, i64, i64);

/// The record's entries, newest first.
pub async fn entries(db: &Db, record_id: &str) -> anyhow::Result<Vec<EntrySummary>> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, kind, title, body, occurred_at, sensitive, private_to_patient FROM entries WHERE record_id = $1 \
         ORDER BY occurred_at DESC, id DESC",
    )
    .bind(record_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, title, body, occurred_at, sensitive, private)| EntrySummary {
            id,
            kind,
            title,
            body,
            occurred_at,
            sensitive: sensitive != 0,
            private_to_patient: private != 0,
        })
        .collect())
}
