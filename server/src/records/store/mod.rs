//! Creating and updating records from feeds and uploads, with a version
//! history, idempotently: the same details twice change nothing.
//!
//! Matching rule: a record is found by NHS number. Where the incoming
//! details have none, or no record has that number yet, the one record *in
//! the same team that has no NHS number* with the same name (case-insensitive),
//! date of birth and postcode is the match; it gains the NHS number if one
//! came. A record that has an NHS number is never matched on demographics,
//! and two or more candidates are refused as ambiguous, never guessed.

use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber, OdsCode, Postcode};
use time::OffsetDateTime;

use super::details::PatientDetails;
use crate::clock::{parse_stored, stored};
use crate::db::{Db, Engine, Tx};

mod bulk;
pub use bulk::{Incoming, upsert_patients};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// The details were already so (a repeated message).
    Unchanged,
    /// The source says this is older than what the record already has.
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub record_id: String,
    pub outcome: Outcome,
}

#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    #[error("more than one record in the team matches these details without an NHS number")]
    Ambiguous,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored record unreadable: {0}")]
    Corrupt(String),
}

/// Where a change came from: `fhir:<feed key id>`, `csv:<account id>`, `hl7:<sending application>`.
#[derive(Debug, Clone)]
pub struct ChangedBy(pub String);

type RecordRow = (
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
    Option<String>,
    String,
);

const RECORD_COLUMNS: &str = "r.id, r.nhs_number, r.given_name, r.family_name, r.date_of_birth, r.email, r.mobile, \
     r.address_lines, r.postcode, r.gp_ods_code, r.version, r.source_updated_at, r.updated_at";

/// A record as stored, its details read back into domain values.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub id: String,
    pub details: PatientDetails,
    pub version: i64,
    pub source_updated_at: Option<OffsetDateTime>,
    pub updated_at: String,
}

fn corrupt(what: &str) -> UpsertError {
    UpsertError::Corrupt(what.to_owned())
}

fn existing(row: RecordRow) -> Result<StoredRecord, UpsertError> {
    let (id, nhs, given, family, dob, email, mobile, address, postcode, gp, version, source_updated_at, updated_at) =
        row;
    let details = PatientDetails {
        nhs_number: nhs.as_deref().map(NhsNumber::parse).transpose().map_err(|_| corrupt("nhs_number"))?,
        given_name: given,
        family_name: family,
        date_of_birth: DateOfBirth::from_stored(&dob).map_err(|_| corrupt("date_of_birth"))?,
        email: email.as_deref().map(EmailAddress::parse).transpose().map_err(|_| corrupt("email"))?,
        mobile: mobile.as_deref().map(MobileNumber::parse).transpose().map_err(|_| corrupt("mobile"))?,
        address_lines: address.map(|a| a.lines().map(str::to_owned).collect()).unwrap_or_default(),
        postcode: postcode.as_deref().map(Postcode::parse).transpose().map_err(|_| corrupt("postcode"))?,
        gp_ods_code: gp.as_deref().map(OdsCode::parse).transpose().map_err(|_| corrupt("gp_ods_code"))?,
    };
    Ok(StoredRecord {
        id,
        details,
        version,
        source_updated_at: source_updated_at.as_deref().and_then(parse_stored),
        updated_at,
    })
}

/// The record `record_id`, or `None` if there is none.
pub async fn load(db: &Db, record_id: &str) -> Result<Option<StoredRecord>, UpsertError> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = $1");
    let row: Option<RecordRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(record_id).fetch_optional(&db.pool).await?;
    row.map(existing).transpose()
}

/// The record `details` match under the rule above, locked for the
/// transaction on PostgreSQL (SQLite's write transaction holds the lock).
pub async fn find(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    details: &PatientDetails,
) -> Result<Option<StoredRecord>, UpsertError> {
    let lock = if engine == Engine::Postgres { " FOR UPDATE OF r" } else { "" };
    if let Some(nhs) = details.nhs_number {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.nhs_number = $1{lock}");
        let row: Option<RecordRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(nhs.as_digits()).fetch_optional(&mut **tx).await?;
        if let Some(row) = row {
            return existing(row).map(Some);
        }
    }
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records r JOIN team_records tr ON tr.record_id = r.id \
         WHERE tr.team_id = $1 AND r.nhs_number IS NULL AND r.search_name = $2 AND r.date_of_birth = $3 \
         AND COALESCE(r.postcode, '') = $4 LIMIT 2{lock}"
    );
    let rows: Vec<RecordRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(team_id)
        .bind(details.search_name())
        .bind(details.date_of_birth.iso())
        .bind(details.postcode.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default())
        .fetch_all(&mut **tx)
        .await?;
    match rows.len() {
        0 => Ok(None),
        1 => rows.into_iter().next().map(existing).transpose(),
        _ => Err(UpsertError::Ambiguous),
    }
}

/// Creates or updates the record these details describe, and makes sure it
/// belongs to `team_id`. `source_updated_at` is when the source last changed
/// the patient, where it says.
pub async fn upsert_patient(
    tx: &mut Tx,
    engine: Engine,
    team_id: &str,
    details: &PatientDetails,
    source_updated_at: Option<OffsetDateTime>,
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<Upserted, UpsertError> {
    let found = find(tx, engine, team_id, details).await?;
    let upserted = match decide(found.as_ref(), details, source_updated_at) {
        Decision::Create => {
            let record_id = uuid::Uuid::now_v7().to_string();
            write_record(tx, &record_id, details, 1, source_updated_at, now, true).await?;
            write_version(tx, &record_id, 1, details, changed_by, now).await?;
            Upserted { record_id, outcome: Outcome::Created }
        }
        Decision::Update { record_id, version } => {
            write_record(tx, &record_id, details, version, source_updated_at, now, false).await?;
            write_version(tx, &record_id, version, details, changed_by, now).await?;
            Upserted { record_id, outcome: Outcome::Updated }
        }
        Decision::Keep { record_id, outcome } => Upserted { record_id, outcome },
    };
    add_to_team(tx, team_id, &upserted.record_id, now).await?;
    Ok(upserted)
}

/// Whether record `record_id` is one of team `team_id`'s.
pub async fn in_team(tx: &mut Tx, team_id: &str, record_id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT record_id FROM team_records WHERE team_id = $1 AND record_id = $2")
            .bind(team_id)
            .bind(record_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

/// Makes record `record_id` one of team `team_id`'s; true if it was not already.
pub async fn add_to_team(
    tx: &mut Tx,
    team_id: &str,
    record_id: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let added = sqlx::query(
        "INSERT INTO team_records (team_id, record_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (team_id, record_id) DO NOTHING",
    )
    .bind(team_id)
    .bind(record_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// Creates a record from details the patient brought (NHS login proved
/// them), in no team: its owner sees it, and a team adds it when it sees them.
pub async fn create_unteamed(
    tx: &mut Tx,
    details: &PatientDetails,
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<String, UpsertError> {
    let record_id = uuid::Uuid::now_v7().to_string();
    write_record(tx, &record_id, details, 1, None, now, true).await?;
    write_version(tx, &record_id, 1, details, changed_by, now).await?;
    Ok(record_id)
}

/// What to do with incoming details, given the record they matched.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Create,
    Update {
        record_id: String,
        version: i64,
    },
    /// Nothing to write: `Unchanged` or `Stale`.
    Keep {
        record_id: String,
        outcome: Outcome,
    },
}

fn decide(
    current: Option<&StoredRecord>,
    details: &PatientDetails,
    source_updated_at: Option<OffsetDateTime>,
) -> Decision {
    let Some(current) = current else { return Decision::Create };
    let record_id = current.id.clone();
    if current.source_updated_at.zip(source_updated_at).is_some_and(|(had, got)| got < had) {
        Decision::Keep { record_id, outcome: Outcome::Stale }
    } else if current.details == *details {
        Decision::Keep { record_id, outcome: Outcome::Unchanged }
    } else {
        Decision::Update { record_id, version: current.version + 1 }
    }
}

async fn write_record(
    tx: &mut Tx,
    record_id: &str,
    d: &PatientDetails,
    version: i64,
    source_updated_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
    new: bool,
) -> Result<(), sqlx::Error> {
    let sql = if new {
        "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, mobile, \
         address_lines, postcode, gp_ods_code, version, source_updated_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)"
    } else {
        "UPDATE records SET nhs_number = $2, given_name = $3, family_name = $4, search_name = $5, date_of_birth = $6, \
         email = $7, mobile = $8, address_lines = $9, postcode = $10, gp_ods_code = $11, version = $12, \
         source_updated_at = COALESCE($13, source_updated_at), updated_at = $14 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(record_id)
        .bind(d.nhs_number.map(|n| n.as_digits()))
        .bind(&d.given_name)
        .bind(&d.family_name)
        .bind(d.search_name())
        .bind(d.date_of_birth.iso())
        .bind(d.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(d.mobile.as_ref().map(|m| m.e164().to_owned()))
        .bind((!d.address_lines.is_empty()).then(|| d.address_lines.join("\n")))
        .bind(d.postcode.as_ref().map(|p| p.as_str().to_owned()))
        .bind(d.gp_ods_code.as_ref().map(|o| o.as_str().to_owned()))
        .bind(version)
        .bind(source_updated_at.map(stored))
        .bind(stored(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn write_version(
    tx: &mut Tx,
    record_id: &str,
    version: i64,
    details: &PatientDetails,
    changed_by: &ChangedBy,
    now: OffsetDateTime,
) -> Result<(), UpsertError> {
    let snapshot = serde_json::to_string(details).map_err(|e| UpsertError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO record_versions (record_id, version, changed_at, changed_by, snapshot) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(record_id)
    .bind(version)
    .bind(stored(now))
    .bind(&changed_by.0)
    .bind(snapshot)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
