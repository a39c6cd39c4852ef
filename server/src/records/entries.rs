//! Entries on a record (letters, results, appointments, notes), as feeds send
//! them: keyed by where they came from and their id there, so the same entry
//! sent again changes nothing and a changed one is updated in place.

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::store::Outcome;
use crate::clock::stored;
use crate::db::Tx;

/// What kind of thing an entry is. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Letter,
    Result,
    Appointment,
    Note,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Letter => "letter",
            Self::Result => "result",
            Self::Appointment => "appointment",
            Self::Note => "note",
        }
    }
}

/// One entry, checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryDetails {
    pub kind: EntryKind,
    /// The sending system (a FHIR server's base, an HL7 application).
    pub source_system: String,
    /// The entry's id in that system.
    pub source_id: String,
    pub title: String,
    pub body: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// Labelled sensitive by a professional: hidden from carers with limited access.
    pub sensitive: bool,
}

impl EntryDetails {
    fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(canonical))
    }
}

/// Adds `entry` to `record_id`, or updates it if the source sent it before.
pub async fn upsert_entry(
    tx: &mut Tx,
    record_id: &str,
    entry: &EntryDetails,
    now: OffsetDateTime,
) -> Result<Outcome, sqlx::Error> {
    let hash = entry.content_hash();
    let existing: Option<(String, String)> = sqlx::query_as(
        "SELECT id, content_hash FROM entries WHERE record_id = $1 AND source_system = $2 AND source_id = $3",
    )
    .bind(record_id)
    .bind(&entry.source_system)
    .bind(&entry.source_id)
    .fetch_optional(&mut **tx)
    .await?;
    match existing {
        Some((_, had)) if had == hash => Ok(Outcome::Unchanged),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE entries SET kind = $2, title = $3, body = $4, occurred_at = $5, sensitive = $6, \
                 content_hash = $7, updated_at = $8 WHERE id = $1",
            )
            .bind(id)
            .bind(entry.kind.as_str())
            .bind(&entry.title)
            .bind(&entry.body)
            .bind(stored(entry.occurred_at))
            .bind(i64::from(entry.sensitive))
            .bind(hash)
            .bind(stored(now))
            .execute(&mut **tx)
            .await?;
            Ok(Outcome::Updated)
        }
        None => {
            sqlx::query(
                "INSERT INTO entries (id, record_id, kind, source_system, source_id, title, body, occurred_at, sensitive, \
                 content_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(record_id)
            .bind(entry.kind.as_str())
            .bind(&entry.source_system)
            .bind(&entry.source_id)
            .bind(&entry.title)
            .bind(&entry.body)
            .bind(stored(entry.occurred_at))
            .bind(i64::from(entry.sensitive))
            .bind(hash)
            .bind(stored(now))
            .execute(&mut **tx)
            .await?;
            Ok(Outcome::Created)
        }
    }
}
