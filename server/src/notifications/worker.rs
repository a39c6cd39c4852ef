//! Turns due pending notifications into outbox emails: a coalesced row once
//! its window has passed since its first event, and each person's digest
//! rows once the digest hour has passed since theirs.
//!
//! Each email is made in one transaction with the row's move out of
//! `pending`, under an outbox key named after the row (or the account and
//! digest time): a crash before commit leaves the row pending to be done
//! again, and no row is ever emailed twice. Two instances claim rows with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's one writer serialises them.

use std::time::Duration;

use super::unsubscribe::{self, Scope};
use super::{Delivery, Kind, preferences, send};
use crate::clock::stored;
use crate::db::{Engine, Tx};
use crate::mail::{self, Email, HeaderText, templates};
use crate::state::AppState;

/// How often an idle worker looks for due notifications.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Runs until `stop` turns true.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(err) = deliver_due(&state).await {
            tracing::warn!(error = %err, "notifications: could not turn due events into emails");
        }
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Everything due now; returns how many emails it queued.
pub async fn deliver_due(state: &AppState) -> Result<usize, sqlx::Error> {
    if !anything_due(state).await? {
        return Ok(0);
    }
    let mut queued = 0;
    while let Some(sent) = one_coalesced(state).await? {
        queued += usize::from(sent);
    }
    while let Some(sent) = one_digest(state).await? {
        queued += usize::from(sent);
    }
    Ok(queued)
}

/// A read, so an idle worker polling twice a second never takes SQLite's write lock.
async fn anything_due(state: &AppState) -> Result<bool, sqlx::Error> {
    let now = state.now();
    let settings = &state.settings.notifications;
    let due: Option<String> = sqlx::query_scalar(
        "SELECT id FROM notifications WHERE state = 'pending' AND ((delivery = 'immediately' AND first_event_at <= $1) \
         OR (delivery = 'daily_digest' AND first_event_at < $2)) LIMIT 1",
    )
    .bind(stored(now - settings.window()))
    .bind(stored(settings.last_digest_at(now)))
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(due.is_some())
}

fn skip_locked(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    }
}

type DueRow = (String, String, String, i64, Option<String>, i64);

/// Takes the oldest coalesced row whose window has passed; `Some(true)` when
/// it became an email, `Some(false)` when it was dropped (the person turned
/// the kind off since, or their account is gone), `None` when none is due.
async fn one_coalesced(state: &AppState) -> Result<Option<bool>, sqlx::Error> {
    let now = state.now();
    let due_before = now - state.settings.notifications.window();
    let mut tx = state.db.begin_write().await?;
    let sql = format!(
        "UPDATE notifications SET state = 'sent', done_at = $2, outbox_key = 'notification:' || id \
         WHERE id = (SELECT id FROM notifications WHERE state = 'pending' AND delivery = 'immediately' \
           AND first_event_at <= $1 ORDER BY first_event_at LIMIT 1{}) \
         RETURNING id, account_id, kind, events, record_id, for_carer",
        skip_locked(state.db.engine)
    );
    let row: Option<DueRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(stored(due_before))
        .bind(stored(now))
        .fetch_optional(&mut *tx)
        .await?;
    let Some((id, account_id, kind, events, record_id, for_carer)) = row else {
        tx.rollback().await?;
        return Ok(None);
    };
    let kind = Kind::parse(&kind);
    let email = match kind {
        Some(kind) if preferences::delivery_of(&mut tx, &account_id, kind).await? != Delivery::Off => {
            coalesced_email(&mut tx, state, &account_id, kind, events, for_carer == 1).await?
        }
        _ => None,
    };
    let Some(email) = email else {
        drop_row(&mut tx, &id).await?;
        tx.commit().await?;
        return Ok(Some(false));
    };
    let about =
        mail::About { account_id: Some(&account_id), record_id: record_id.as_deref(), kind: kind.map(Kind::as_str) };
    mail::enqueue_about(&mut tx, &format!("notification:{id}"), &email, None, about, now).await?;
    tx.commit().await?;
    Ok(Some(true))
}

async fn coalesced_email(
    tx: &mut Tx,
    state: &AppState,
    account_id: &str,
    kind: Kind,
    events: i64,
    for_carer: bool,
) -> Result<Option<Email>, sqlx::Error> {
    let Some((to, greeting, name)) = send::recipient(tx, account_id).await? else { return Ok(None) };
    let footer = unsubscribe::footer(state, account_id, Scope::Kind(kind));
    let base = &state.settings.public_base_url;
    let email = match kind {
        Kind::NewEntries => templates::new_entries(base, &to, &greeting, for_carer, &footer),
        // Only new entries come in bursts today; any other kind coalesced reads as a one-line digest.
        other => templates::digest(base, &to, &greeting, vec![other.digest_line(events, for_carer)], &footer),
    };
    Ok(Some(Email { to_name: Some(HeaderText::new(&name)), ..email }))
}

async fn drop_row(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notifications SET state = 'dropped' WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// One person's digest, if anyone's is due: every digest row of theirs whose
/// first event came before the last digest time, as one email.
async fn one_digest(state: &AppState) -> Result<Option<bool>, sqlx::Error> {
    let now = state.now();
    let digest_at = state.settings.notifications.last_digest_at(now);
    let mut tx = state.db.begin_write().await?;
    let sql = format!(
        "SELECT account_id FROM notifications WHERE state = 'pending' AND delivery = 'daily_digest' \
         AND first_event_at < $1 ORDER BY first_event_at LIMIT 1{}",
        skip_locked(state.db.engine)
    );
    let account: Option<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(stored(digest_at)).fetch_optional(&mut *tx).await?;
    let Some(account_id) = account else {
        tx.rollback().await?;
        return Ok(None);
    };
    let key = format!("digest:{account_id}:{}", stored(digest_at));
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "UPDATE notifications SET state = 'sent', done_at = $3, outbox_key = $4 \
         WHERE account_id = $1 AND state = 'pending' AND delivery = 'daily_digest' AND first_event_at < $2 \
         RETURNING kind, events, for_carer",
    )
    .bind(&account_id)
    .bind(stored(digest_at))
    .bind(stored(now))
    .bind(&key)
    .fetch_all(&mut *tx)
    .await?;
    let mut lines = Vec::new();
    for kind in Kind::ALL {
        let of_kind: Vec<&(String, i64, i64)> = rows.iter().filter(|(k, _, _)| k == kind.as_str()).collect();
        if of_kind.is_empty() || preferences::delivery_of(&mut tx, &account_id, kind).await? == Delivery::Off {
            continue;
        }
        let events = of_kind.iter().map(|(_, e, _)| e).sum();
        lines.push(kind.digest_line(events, of_kind.iter().all(|(_, _, c)| *c == 1)));
    }
    let recipient = send::recipient(&mut tx, &account_id).await?;
    let (Some((to, greeting, name)), false) = (recipient, lines.is_empty()) else {
        sqlx::query("UPDATE notifications SET state = 'dropped' WHERE outbox_key = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Some(false));
    };
    let footer = unsubscribe::footer(state, &account_id, Scope::All);
    let email = templates::digest(&state.settings.public_base_url, &to, &greeting, lines, &footer);
    let email = Email { to_name: Some(HeaderText::new(&name)), ..email };
    let about = mail::About { account_id: Some(&account_id), kind: Some("digest"), ..mail::About::default() };
    mail::enqueue_about(&mut tx, &key, &email, None, about, now).await?;
    tx.commit().await?;
    Ok(Some(true))
}
