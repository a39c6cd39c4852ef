//! Safeguarding exclusions: a flag a safeguarding lead sets on a record with a
//! reason. While it is set, no invitation of any kind goes out for the record,
//! sign-ups that would claim it are held for review, and feeds keep filling it.

use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Tx};

/// Why a record is excluded. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    SafeguardingConcern,
    CourtOrder,
    ClinicalDecision,
    Deceased,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 5] =
        [Self::SafeguardingConcern, Self::CourtOrder, Self::ClinicalDecision, Self::Deceased, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SafeguardingConcern => "safeguarding_concern",
            Self::CourtOrder => "court_order",
            Self::ClinicalDecision => "clinical_decision",
            Self::Deceased => "deceased",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A record's exclusion, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub reason: Reason,
    pub note: String,
    pub set_by: String,
    pub set_at: String,
    /// The display name of the account `set_by`.
    pub set_by_name: String,
}

/// Sets (or replaces) the exclusion on `record_id`, audited in the same transaction.
pub async fn set(
    tx: &mut Tx,
    record_id: &str,
    reason: Reason,
    note: &str,
    by: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO exclusions (record_id, reason, note, set_by, set_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (record_id) DO UPDATE SET reason = $2, note = $3, set_by = $4, set_at = $5",
    )
    .bind(record_id)
    .bind(reason.as_str())
    .bind(note)
    .bind(by)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(Action::ExclusionSet, now).actor(by).record(record_id).ip(Some(ip));
    audit::record(tx, event.detail(json!({ "reason": reason.as_str() }))).await?;
    // No invitation already out may be used while the exclusion stands.
    crate::invitations::revoke_live(tx, record_id, None, Some(by), now).await?;
    Ok(())
}

/// Lifts the exclusion on `record_id`; returns whether there was one.
pub async fn lift(
    tx: &mut Tx,
    record_id: &str,
    note: &str,
    by: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let lifted = sqlx::query("DELETE FROM exclusions WHERE record_id = $1").bind(record_id).execute(&mut **tx).await?;
    if lifted.rows_affected() == 0 {
        return Ok(false);
    }
    // The note is why it was lifted; the audit keeps it, the record does not.
    let event = Event::new(Action::ExclusionLifted, now).actor(by).record(record_id).ip(Some(ip));
    audit::record(tx, event.detail(json!({ "note": note }))).await?;
    Ok(true)
}

pub async fn of_record(db: &Db, record_id: &str) -> Result<Option<Exclusion>, sqlx::Error> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT x.reason, x.note, x.set_by, x.set_at, a.display_name FROM exclusions x \
         JOIN accounts a ON a.id = x.set_by WHERE x.record_id = $1",
    )
    .bind(record_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(|(reason, note, set_by, set_at, set_by_name)| {
        Reason::parse(&reason).map(|reason| Exclusion { reason, note, set_by, set_at, set_by_name })
    }))
}

/// The records of team `team_id` that may be invited: every record of the
/// team that is not excluded. (Registration state joins this rule when
/// invitations exist.) This is the one query invitation work starts from.
pub async fn records_invitable_by_team(db: &Db, team_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT tr.record_id FROM team_records tr \
         WHERE tr.team_id = $1 AND NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.record_id = tr.record_id) \
         ORDER BY tr.record_id",
    )
    .bind(team_id)
    .fetch_all(&db.pool)
    .await
}
