//! Events waiting to become an email, coalesced: one pending row per
//! recipient, kind and delivery, which each further event only counts into.
//! A thousand entries in a minute are a thousand increments of one row, and
//! one email when the worker sends it.

use time::OffsetDateTime;

use super::{Delivery, Kind};
use crate::clock::stored;
use crate::db::Tx;

/// Folds one event of `kind` for `account_id` into its pending row (or
/// starts one), within the transaction of what happened.
pub async fn record(
    tx: &mut Tx,
    account_id: &str,
    kind: Kind,
    delivery: Delivery,
    record_id: Option<&str>,
    for_carer: bool,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if delivery == Delivery::Off {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, delivery, state, events, record_id, for_carer, \
         first_event_at, last_event_at) VALUES ($1, $2, $3, $4, 'pending', 1, $5, $6, $7, $7) \
         ON CONFLICT (account_id, kind, delivery) WHERE state = 'pending' DO UPDATE SET \
         events = notifications.events + 1, last_event_at = excluded.last_event_at, record_id = excluded.record_id, \
         for_carer = CASE WHEN notifications.for_carer < excluded.for_carer THEN notifications.for_carer ELSE excluded.for_carer END",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(account_id)
    .bind(kind.as_str())
    .bind(delivery.as_str())
    .bind(record_id)
    .bind(i64::from(for_carer))
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A feed added an entry to `record_id`: its owner is told (as they chose),
/// if anyone has registered for it, and so is each carer whose live link lets
/// them see the entry (a `sensitive` one is not theirs to hear of unless they
/// see everything). One statement for the owner, whatever the burst (the
/// owner and their choice are found in the same `INSERT`), and one more per
/// carer.
pub async fn entry_added(
    tx: &mut Tx,
    record_id: &str,
    sensitive: bool,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, delivery, state, events, record_id, for_carer, \
         first_event_at, last_event_at) \
         SELECT $1, r.owner_account_id, 'new_entries', COALESCE(p.delivery, 'immediately'), 'pending', 1, r.id, 0, $3, $3 \
         FROM records r LEFT JOIN notification_preferences p \
           ON p.account_id = r.owner_account_id AND p.kind = 'new_entries' \
         WHERE r.id = $2 AND r.owner_account_id IS NOT NULL AND COALESCE(p.delivery, 'immediately') <> 'off' \
         ON CONFLICT (account_id, kind, delivery) WHERE state = 'pending' DO UPDATE SET \
         events = notifications.events + 1, last_event_at = excluded.last_event_at, record_id = excluded.record_id, \
         for_carer = 0",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(record_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    let sql = format!(
        "SELECT l.carer_account_id FROM carer_links l WHERE l.record_id = $1 AND {} AND {} \
         AND ($3 = 0 OR l.access_level = 'everything')",
        crate::carers::access::LIVE.replace("$now", "$2"),
        crate::carers::access::NOT_SUSPENDED,
    );
    let carers: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(record_id)
        .bind(stored(now))
        .bind(i64::from(sensitive))
        .fetch_all(&mut **tx)
        .await?;
    for carer in carers {
        sqlx::query(
            "INSERT INTO notifications (id, account_id, kind, delivery, state, events, record_id, for_carer, \
             first_event_at, last_event_at) \
             SELECT $1, $2, 'new_entries', COALESCE(p.delivery, 'immediately'), 'pending', 1, $3, 1, $4, $4 \
             FROM accounts a LEFT JOIN notification_preferences p ON p.account_id = a.id AND p.kind = 'new_entries' \
             WHERE a.id = $2 AND COALESCE(p.delivery, 'immediately') <> 'off' \
             ON CONFLICT (account_id, kind, delivery) WHERE state = 'pending' DO UPDATE SET \
             events = notifications.events + 1, last_event_at = excluded.last_event_at, \
             record_id = excluded.record_id, \
             for_carer = CASE WHEN notifications.for_carer < excluded.for_carer THEN notifications.for_carer \
             ELSE excluded.for_carer END",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&carer)
        .bind(record_id)
        .bind(stored(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
