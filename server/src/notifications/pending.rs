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
/// if anyone has registered for it. One statement per entry, whatever the
/// burst: the owner and their choice are found in the same `INSERT`.
///
/// Carers (issue 8) hook in here: a second `INSERT … SELECT` over the
/// record's live carer links with `for_carer = 1`, skipping `sensitive`
/// entries for carers whose access leaves them out.
pub async fn entry_added(
    tx: &mut Tx,
    record_id: &str,
    sensitive: bool,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let _ = sensitive; // the owner sees every entry; carers' access will read it
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
    Ok(())
}
