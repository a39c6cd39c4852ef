//! Imports as stored: how one reads back for its preview or result, how it
//! is discarded, and how imports left waiting expire.

use portico_types::api::{CsvImportResult, CsvImportView, CsvRowProblem};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::audit::{self, Action, Event};
use crate::clock::{parse_stored, stored};
use crate::db::{Db, Engine};

/// An import not committed within a day is discarded: its rows are personal
/// data waiting for a decision, and a day-old preview may no longer be true.
pub const EXPIRES_AFTER: Duration = Duration::hours(24);
/// A commit counts as running for this long after it was asked for; a
/// commit cut off by a crash wrote nothing, and can be asked for again after.
pub const COMMIT_LEASE: Duration = Duration::minutes(10);
/// Problems shown on one page of the preview.
pub const PROBLEMS_PER_PAGE: u32 = 50;

/// The state of an import as it is now (stored states, with expiry and a
/// running commit worked out from the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ready,
    Committing,
    Committed,
    Discarded,
    Expired,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Committing => "committing",
            State::Committed => "committed",
            State::Discarded => "discarded",
            State::Expired => "expired",
        }
    }
}

type ImportRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
);

/// An import's own row, read back.
#[derive(Debug, Clone)]
pub struct Import {
    pub id: String,
    pub team_id: String,
    pub file_name: String,
    pub stored_state: String,
    pub uploaded_at: String,
    pub expires_at: String,
    pub rows: i64,
    pub good_rows: i64,
    pub bad_rows: i64,
    pub committed_at: Option<String>,
    pub counts: (Option<i64>, Option<i64>, Option<i64>),
    pub commit_requested_at: Option<String>,
    pub commit_error: Option<String>,
    pub file_sha256: String,
}

impl Import {
    pub fn state(&self, now: OffsetDateTime) -> State {
        let past = |at: &str| parse_stored(at).is_none_or(|at| at <= now);
        match self.stored_state.as_str() {
            "committed" => State::Committed,
            "discarded" => State::Discarded,
            "expired" => State::Expired,
            _ if past(&self.expires_at) => State::Expired,
            _ if self
                .commit_requested_at
                .as_deref()
                .and_then(parse_stored)
                .is_some_and(|at| now - at < COMMIT_LEASE) =>
            {
                State::Committing
            }
            _ => State::Ready,
        }
    }
}

const IMPORT_COLUMNS: &str = "id, team_id, file_name, state, uploaded_at, expires_at, rows_total, rows_good, \
     rows_bad, committed_at, created, updated, unchanged, commit_requested_at, commit_error, file_sha256";

fn import(row: ImportRow) -> Import {
    let (
        id,
        team_id,
        file_name,
        stored_state,
        uploaded_at,
        expires_at,
        rows,
        good_rows,
        bad_rows,
        committed_at,
        created,
        updated,
        unchanged,
        commit_requested_at,
        commit_error,
        file_sha256,
    ) = row;
    Import {
        id,
        team_id,
        file_name,
        stored_state,
        uploaded_at,
        expires_at,
        rows,
        good_rows,
        bad_rows,
        committed_at,
        counts: (created, updated, unchanged),
        commit_requested_at,
        commit_error,
        file_sha256,
    }
}

/// Import `import_id` of `team_id`, if there is one. `lock` (PostgreSQL
/// only) holds its row until the transaction ends.
pub async fn find<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    team_id: &str,
    import_id: &str,
    lock: bool,
) -> Result<Option<Import>, sqlx::Error> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM csv_imports WHERE id = $1 AND team_id = $2{lock}");
    let row: Option<ImportRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(import_id).bind(team_id).fetch_optional(executor).await?;
    Ok(row.map(import))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The preview (or result) of import `import_id`, with page `page` of its problems.
pub async fn view(
    db: &Db,
    team_id: &str,
    import_id: &str,
    page: u32,
    now: OffsetDateTime,
) -> Result<Option<CsvImportView>, sqlx::Error> {
    let Some(import) = find(&db.pool, team_id, import_id, false).await? else {
        return Ok(None);
    };
    let offset = i64::from(page.saturating_sub(1)) * i64::from(PROBLEMS_PER_PAGE);
    let rows: Vec<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT row_number, column_name, message FROM csv_import_problems WHERE import_id = $1 \
         ORDER BY row_number, seq LIMIT $2 OFFSET $3",
    )
    .bind(import_id)
    .bind(i64::from(PROBLEMS_PER_PAGE))
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM csv_import_problems WHERE import_id = $1")
        .bind(import_id)
        .fetch_one(&db.pool)
        .await?;
    let same_file: Option<String> = sqlx::query_scalar(
        "SELECT MAX(committed_at) FROM csv_imports WHERE team_id = $1 AND file_sha256 = $2 AND state = 'committed' \
         AND id <> $3",
    )
    .bind(team_id)
    .bind(&import.file_sha256)
    .bind(import_id)
    .fetch_one(&db.pool)
    .await?;
    let state = import.state(now);
    let result = match (state, &import.committed_at, import.counts) {
        (State::Committed, Some(at), (Some(created), Some(updated), Some(unchanged))) => Some(CsvImportResult {
            created: count(created),
            updated: count(updated),
            unchanged: count(unchanged),
            committed_at: at.clone(),
        }),
        _ => None,
    };
    Ok(Some(CsvImportView {
        id: import.id,
        team_id: import.team_id,
        file_name: import.file_name,
        state: state.as_str().to_owned(),
        uploaded_at: import.uploaded_at,
        expires_at: import.expires_at,
        rows: count(import.rows),
        good_rows: count(import.good_rows),
        bad_rows: count(import.bad_rows),
        problems: rows
            .into_iter()
            .map(|(row, column, message)| CsvRowProblem {
                row: u32::try_from(row).unwrap_or(u32::MAX),
                column,
                message,
            })
            .collect(),
        problems_total: count(total),
        page,
        page_size: PROBLEMS_PER_PAGE,
        same_file_committed_at: same_file,
        commit_error: if state == State::Ready { import.commit_error } else { None },
        result,
    }))
}

/// Why an import could not be discarded.
#[derive(Debug, thiserror::Error)]
pub enum DiscardError {
    #[error("no such import")]
    NotFound,
    #[error("the import is {}", .0.as_str())]
    NotWaiting(State),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Discards an import waiting for its commit: its rows and problems go at once.
pub async fn discard(
    db: &Db,
    team_id: &str,
    import_id: &str,
    account_id: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), DiscardError> {
    let mut tx = db.begin_write().await?;
    let import =
        find(&mut *tx, team_id, import_id, db.engine == Engine::Postgres).await?.ok_or(DiscardError::NotFound)?;
    let state = import.state(now);
    if state != State::Ready {
        return Err(DiscardError::NotWaiting(state));
    }
    let done = sqlx::query(
        "UPDATE csv_imports SET state = 'discarded' WHERE id = $1 AND state = 'ready' AND \
         (commit_requested_at IS NULL OR commit_requested_at <= $2)",
    )
    .bind(import_id)
    .bind(stored(now - COMMIT_LEASE))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DiscardError::NotWaiting(State::Committing));
    }
    for sql in
        ["DELETE FROM csv_import_batches WHERE import_id = $1", "DELETE FROM csv_import_problems WHERE import_id = $1"]
    {
        sqlx::query(sql).bind(import_id).execute(&mut *tx).await?;
    }
    let event =
        Event { team_id: Some(team_id), ..Event::new(Action::CsvImportDiscarded, now).actor(account_id).ip(Some(ip)) };
    audit::record(&mut tx, event.detail(json!({ "import_id": import_id }))).await?;
    tx.commit().await?;
    Ok(())
}

/// Expires imports left waiting past their time, and drops the rows and
/// problems of every import past it. Returns how many imports expired.
pub async fn sweep_expired(db: &Db, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let now = stored(now);
    let mut tx = db.begin_write().await?;
    for sql in [
        "DELETE FROM csv_import_batches WHERE import_id IN (SELECT id FROM csv_imports WHERE expires_at <= $1)",
        "DELETE FROM csv_import_problems WHERE import_id IN (SELECT id FROM csv_imports WHERE expires_at <= $1)",
    ] {
        sqlx::query(sql).bind(&now).execute(&mut *tx).await?;
    }
    let expired = sqlx::query("UPDATE csv_imports SET state = 'expired' WHERE state = 'ready' AND expires_at <= $1")
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(expired)
}

/// Runs [`sweep_expired`] every few minutes, for as long as the server runs.
pub async fn sweep_every_few_minutes(db: Db, clock: std::sync::Arc<dyn crate::clock::Clock>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        if let Err(err) = sweep_expired(&db, clock.now()).await {
            tracing::warn!(error = %err, "could not sweep expired CSV imports");
        }
    }
}
