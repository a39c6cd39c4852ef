//! The one access check: what an account may see of a record, decided at
//! request time from the database. The owner sees everything; a live carer
//! link its level; anyone else nothing, answered as "not found" so that a
//! record's existence never leaks. A link is live while it has not ended and
//! its end date (if any) is still ahead, so ending one takes effect on the
//! very next request, open sessions included; and a safeguarding exclusion
//! set on the record suspends its links (see [`NOT_SUSPENDED`]).

use portico_types::api::CarerAccess;
use time::OffsetDateTime;

use super::{AccessLevel, CarerKind};
use crate::clock::stored;
use crate::db::Db;

/// What an account may see of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// The patient: everything.
    Owner,
    /// A carer, through one live link.
    Carer(CarerAccess),
}

impl Access {
    pub fn level(&self) -> AccessLevel {
        match self {
            Self::Owner => AccessLevel::Everything,
            Self::Carer(link) => link.access_level,
        }
    }
}

/// SQL: the live links, given `$now`, of table alias `l`.
pub const LIVE: &str = "l.ended_at IS NULL AND l.starts_at <= $now AND (l.ends_at IS NULL OR l.ends_at > $now)";

/// SQL: link `l` is not suspended by a safeguarding exclusion. While its
/// record is excluded, a link works only if a safeguarding lead made it
/// knowing of the exclusion (the invitation's override): the concern may be
/// about the carer. Lifting the exclusion lets the others work again.
pub const NOT_SUSPENDED: &str = "(NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.record_id = l.record_id) \
     OR EXISTS (SELECT 1 FROM carer_invitations ci WHERE ci.id = l.invitation_id \
     AND ci.exclusion_override IS NOT NULL))";

/// A link row as [`CarerAccess`] reads it.
pub type LinkRow = (String, String, Option<String>, String, String, Option<String>);

pub fn carer_access(row: LinkRow) -> Option<CarerAccess> {
    let (link_id, kind, relationship, level, since, ends_at) = row;
    Some(CarerAccess {
        link_id,
        kind: CarerKind::parse(&kind)?,
        relationship,
        access_level: AccessLevel::parse(&level)?,
        since,
        ends_at,
    })
}

/// What `account_id` may see of `record_id` at `now`; `None`: nothing (or no
/// such record). One query: the record's owner beside the account's live link.
pub async fn check(
    db: &Db,
    account_id: &str,
    record_id: &str,
    now: OffsetDateTime,
) -> Result<Option<Access>, sqlx::Error> {
    let sql = format!(
        "SELECT r.owner_account_id, l.id, l.kind, l.relationship, l.access_level, l.starts_at, l.ends_at \
         FROM records r LEFT JOIN carer_links l ON l.record_id = r.id AND l.carer_account_id = $2 AND {} \
         AND {NOT_SUSPENDED} WHERE r.id = $1",
        LIVE.replace("$now", "$3")
    );
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(record_id)
        .bind(account_id)
        .bind(stored(now))
        .fetch_optional(&db.pool)
        .await?;
    let Some((owner, link_id, kind, relationship, level, since, ends_at)) = row else { return Ok(None) };
    if owner.as_deref() == Some(account_id) {
        return Ok(Some(Access::Owner));
    }
    let (Some(link_id), Some(kind), Some(level), Some(since)) = (link_id, kind, level, since) else { return Ok(None) };
    Ok(carer_access((link_id, kind, relationship, level, since, ends_at)).map(Access::Carer))
}

/// Whether `entry` shows at `level`: limited access hides what the patient
/// marked private and what a professional labelled sensitive.
pub fn shows(level: AccessLevel, entry: &portico_types::api::EntrySummary) -> bool {
    match level {
        AccessLevel::Everything => true,
        AccessLevel::NotPrivate => !entry.private_to_patient && !entry.sensitive,
    }
}
