//! A patient's access history: every view of their record by a carer, and
//! every change to who holds it, from the audit log.

use portico_types::api::AccessEvent;

use crate::db::Db;

/// The audit actions a patient sees about their own record.
const SHOWN: &str = "('carer_record_viewed', 'carer_invited', 'carer_invitation_withdrawn', \
     'carer_exclusion_overridden', 'carer_link_granted', 'carer_link_changed', 'carer_link_ended', \
     'carer_link_review_due', 'carer_link_narrowed', 'carer_link_extended')";

/// How many events the page shows, newest first.
pub const LIMIT: i64 = 500;

pub async fn of_record(db: &Db, record_id: &str) -> Result<Vec<AccessEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT e.occurred_at, e.action, a.display_name FROM audit_events e \
         LEFT JOIN accounts a ON a.id = e.actor_account_id \
         WHERE e.record_id = $1 AND e.action IN {SHOWN} ORDER BY e.occurred_at DESC, e.id DESC LIMIT $2"
    );
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(record_id).bind(LIMIT).fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(at, action, by)| AccessEvent { at, action, by }).collect())
}
