//! Reading a whole record: details, teams, entries.

use portico_types::api::{EntrySummary, RecordDetail, TeamRef};
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber, OdsCode, Postcode};

use crate::db::Db;

type DetailRow = (
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
);

/// The record's details, or `None` if there is no such record.
pub async fn detail(db: &Db, record_id: &str) -> anyhow::Result<Option<RecordDetail>> {
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT id, nhs_number, given_name, family_name, date_of_birth, email, mobile, address_lines, postcode, \
         gp_ods_code, version, updated_at FROM records WHERE id = $1",
    )
    .bind(record_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, nhs, given_name, family_name, dob, email, mobile, address, postcode, gp, version, updated_at)) = row
    else {
        return Ok(None);
    };
    let bad = |what: &str| anyhow::anyhow!("stored {what} unreadable");
    Ok(Some(RecordDetail {
        id,
        nhs_number: nhs.as_deref().map(NhsNumber::parse).transpose().map_err(|_| bad("nhs_number"))?,
        given_name,
        family_name,
        date_of_birth: DateOfBirth::from_stored(&dob).map_err(|_| bad("date_of_birth"))?,
        email: email.as_deref().map(EmailAddress::parse).transpose().map_err(|_| bad("email"))?,
        mobile: mobile.as_deref().map(MobileNumber::parse).transpose().map_err(|_| bad("mobile"))?,
        address_lines: address.map(|a| a.lines().map(str::to_owned).collect()).unwrap_or_default(),
        postcode: postcode.as_deref().map(Postcode::parse).transpose().map_err(|_| bad("postcode"))?,
        gp_ods_code: gp.as_deref().map(OdsCode::parse).transpose().map_err(|_| bad("gp_ods_code"))?,
        version,
        updated_at,
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

/// The record's entries, newest first.
pub async fn entries(db: &Db, record_id: &str) -> anyhow::Result<Vec<EntrySummary>> {
    let rows: Vec<(String, String, String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT id, kind, title, body, occurred_at, sensitive FROM entries WHERE record_id = $1 \
         ORDER BY occurred_at DESC, id DESC",
    )
    .bind(record_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, title, body, occurred_at, sensitive)| EntrySummary {
            id,
            kind,
            title,
            body,
            occurred_at,
            sensitive: sensitive != 0,
        })
        .collect())
}
