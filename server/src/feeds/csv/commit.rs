//! Committing an import: every good row in one transaction, so a failure
//! half-way writes nothing.
//!
//! A commit of a large file takes longer than a request may, so asking for
//! it ([`request`]) only checks it may go ahead and marks it running; the
//! work ([`run`]) continues in the background and the page asks how it went.
//!
//! Commits wait for one another: one at a time in each Portico process, and
//! on PostgreSQL one at a time per team across processes (the team's row is
//! locked). An import uploaded before another of the same team that has
//! since been committed is refused: committing the older file would undo
//! the newer one's changes.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use serde_json::json;
use time::OffsetDateTime;

use super::imports::{self, State};
use super::parse::RowProblem;
use super::stage::insert_problems;
use super::write::write_patients;
use crate::audit::{self, Action, Event};
use crate::clock::{Clock, stored};
use crate::db::{Db, Engine, Tx};
use crate::records::details::PatientDetails;
use crate::records::store::{ChangedBy, Outcome, UpsertError};

/// One commit at a time in this process (SQLite has one writer anyway).
static ONE_AT_A_TIME: LazyLock<tokio::sync::Mutex<()>> = LazyLock::new(|| tokio::sync::Mutex::new(()));

/// Why a commit may not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum CommitRefusal {
    #[error("no such import")]
    NotFound,
    #[error("the import is {}", .0.as_str())]
    NotWaiting(State),
    /// A file of the team uploaded later has been committed since.
    #[error("a newer upload was committed at {0}")]
    Superseded(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Who asked, from where.
#[derive(Debug, Clone)]
pub struct Committer {
    pub account_id: String,
    pub ip: String,
}

/// Checks that import `import_id` may be committed and marks its commit as running.
pub async fn request(
    db: &Db,
    team_id: &str,
    import_id: &str,
    account_id: &str,
    now: OffsetDateTime,
) -> Result<(), CommitRefusal> {
    let mut tx = db.begin_write().await?;
    let import = imports::find(&mut *tx, team_id, import_id, db.engine == Engine::Postgres)
        .await?
        .ok_or(CommitRefusal::NotFound)?;
    match import.state(now) {
        State::Ready => {}
        other => return Err(CommitRefusal::NotWaiting(other)),
    }
    if let Some(at) = newer_commit(&mut tx, team_id, &import.uploaded_at).await? {
        return Err(CommitRefusal::Superseded(at));
    }
    sqlx::query(
        "UPDATE csv_imports SET commit_requested_at = $2, commit_error = NULL, committed_by = $3 WHERE id = $1",
    )
    .bind(import_id)
    .bind(stored(now))
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When a file of `team_id` uploaded after `uploaded_at` was committed, if one was.
async fn newer_commit(tx: &mut Tx, team_id: &str, uploaded_at: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MAX(committed_at) FROM csv_imports WHERE team_id = $1 AND state = 'committed' AND uploaded_at > $2",
    )
    .bind(team_id)
    .bind(uploaded_at)
    .fetch_one(&mut **tx)
    .await
}

/// What a commit did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Rows refused at commit: more than one record matched them.
    pub ambiguous: i64,
}

/// How a commit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    Committed(Tally),
    /// It was no longer waiting: another commit of it finished first.
    NotWaiting,
    /// A newer upload of the team was committed while this one waited its turn.
    Superseded(String),
}

/// Runs a requested commit to its end. When it does not commit, the reason
/// is kept on the import for the page to show, and (nothing having been
/// written) the commit can be asked for again.
pub async fn run_in_background(db: Db, clock: Arc<dyn Clock>, team_id: String, import_id: String, by: Committer) {
    let why = match run(&db, clock.as_ref(), &team_id, &import_id, &by).await {
        Ok(Ran::Committed(_) | Ran::NotWaiting) => return,
        Ok(Ran::Superseded(at)) => format!(
            "A newer upload for this team was imported at {at} while this one waited, so this one was not \
             imported: it would undo the newer one's changes. Upload this file again if it is still what you want."
        ),
        Err(err) => {
            tracing::error!(cause = %format!("{err:#}"), import_id, "CSV import commit failed; nothing was written");
            "Sorry, there is a problem with the service and the import could not be finished. Nothing was \
             imported. Try again in a few minutes."
                .to_owned()
        }
    };
    let kept = sqlx::query(
        "UPDATE csv_imports SET commit_requested_at = NULL, commit_error = $2 WHERE id = $1 AND state = 'ready'",
    )
    .bind(&import_id)
    .bind(why)
    .execute(&db.pool)
    .await;
    if let Err(err) = kept {
        tracing::error!(error = %err, import_id, "could not record why a commit did not happen");
    }
}

/// Commits import `import_id`: its good rows into records, all or nothing.
pub async fn run(db: &Db, clock: &dyn Clock, team_id: &str, import_id: &str, by: &Committer) -> anyhow::Result<Ran> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let now = clock.now();
    let mut tx = db.begin_write().await?;
    if db.engine == Engine::Postgres {
        sqlx::query("SELECT id FROM teams WHERE id = $1 FOR UPDATE").bind(team_id).fetch_optional(&mut *tx).await?;
    }
    let Some(import) = imports::find(&mut *tx, team_id, import_id, db.engine == Engine::Postgres).await? else {
        return Ok(Ran::NotWaiting);
    };
    if import.stored_state != "ready" {
        return Ok(Ran::NotWaiting);
    }
    if let Some(at) = newer_commit(&mut tx, team_id, &import.uploaded_at).await? {
        return Ok(Ran::Superseded(at));
    }
    let bad: HashSet<i64> =
        sqlx::query_scalar("SELECT DISTINCT row_number FROM csv_import_problems WHERE import_id = $1")
            .bind(import_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let changed_by = ChangedBy(format!("csv:{}", by.account_id));
    let mut tally = Tally::default();
    let mut refused = Vec::new();
    for seq in 0i64.. {
        let batch: Option<String> =
            sqlx::query_scalar("SELECT patients FROM csv_import_batches WHERE import_id = $1 AND seq = $2")
                .bind(import_id)
                .bind(seq)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(batch) = batch else { break };
        let (rows, patients): (Vec<u32>, Vec<PatientDetails>) =
            serde_json::from_str::<Vec<(u32, PatientDetails)>>(&batch)?
                .into_iter()
                .filter(|(row, _)| !bad.contains(&i64::from(*row)))
                .unzip();
        let written = write_patients(&mut tx, db.engine, team_id, &patients, &changed_by, now).await?;
        for (row, result) in rows.into_iter().zip(written) {
            match result.map(|u| u.outcome) {
                Ok(Outcome::Created) => tally.created += 1,
                Ok(Outcome::Updated) => tally.updated += 1,
                Ok(Outcome::Unchanged | Outcome::Stale) => tally.unchanged += 1,
                Err(UpsertError::Ambiguous) => refused.push(RowProblem {
                    row,
                    column: None,
                    message: "More than one record of the team matches this patient, who has no NHS number. \
                              Add the NHS number and upload the row again."
                        .into(),
                }),
                Err(other) => return Err(other.into()),
            }
        }
    }
    if !refused.is_empty() {
        let next: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), -1) + 1 FROM csv_import_problems WHERE import_id = $1")
                .bind(import_id)
                .fetch_one(&mut *tx)
                .await?;
        insert_problems(&mut tx, db.engine, import_id, next, &refused).await?;
        tally.ambiguous = refused.len() as i64;
    }
    sqlx::query(
        "UPDATE csv_imports SET state = 'committed', committed_at = $2, committed_by = $3, created = $4, \
         updated = $5, unchanged = $6, rows_good = rows_good - $7, rows_bad = rows_bad + $7, \
         commit_requested_at = NULL, commit_error = NULL WHERE id = $1",
    )
    .bind(import_id)
    .bind(stored(now))
    .bind(&by.account_id)
    .bind(tally.created)
    .bind(tally.updated)
    .bind(tally.unchanged)
    .bind(tally.ambiguous)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM csv_import_batches WHERE import_id = $1").bind(import_id).execute(&mut *tx).await?;
    let event = Event {
        team_id: Some(team_id),
        ..Event::new(Action::CsvImportCommitted, now).actor(&by.account_id).ip(Some(&by.ip))
    };
    let detail = json!({
        "import_id": import_id,
        "created": tally.created,
        "updated": tally.updated,
        "unchanged": tally.unchanged,
        "refused": tally.ambiguous,
    });
    audit::record(&mut tx, event.detail(detail)).await?;
    tx.commit().await?;
    Ok(Ran::Committed(tally))
}
