//! Checking an uploaded file and keeping what it holds until the admin
//! commits or discards it: the good rows in batches of JSON, each problem in
//! a row of its own. The file is read once, on a blocking thread, while the
//! batches it yields are written, all in one transaction: a file refused
//! half-way leaves nothing behind.

use std::mem;

use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::imports::EXPIRES_AFTER;
use super::parse::{FileProblem, Item, Limits, ReadError, RowProblem, Summary, read_patients};
use super::upload::Received;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Engine, Statement, Tx};
use crate::records::details::PatientDetails;

/// Good rows kept together: one database row, about 150 KB of JSON.
pub const BATCH_ROWS: usize = 1_000;
/// Problems written in one statement (5 values each).
const PROBLEM_ROWS: usize = 100;

/// Who uploaded what, for which team.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    pub team_id: &'a str,
    pub account_id: &'a str,
    pub ip: &'a str,
    pub file_name: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("file refused")]
    File(FileProblem),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StageError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// What the reading thread hands to the writer.
enum Staged {
    /// A JSON array of `[row, details]`.
    Patients(String),
    Problems(Vec<RowProblem>),
}

/// Checks `received` and keeps it as a new import of `upload.team_id`,
/// ready to preview. Returns the import's id.
pub async fn stage(
    db: &Db,
    upload: Upload<'_>,
    received: Received,
    limits: Limits,
    now: OffsetDateTime,
) -> Result<String, StageError> {
    let import_id = uuid::Uuid::now_v7().to_string();
    let (sender, mut staged) = mpsc::channel::<Staged>(4);
    let today = now.date();
    let file = received.file;
    let reader = tokio::task::spawn_blocking(move || read_in_batches(file, today, limits, &sender));

    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO csv_imports (id, team_id, uploaded_by, file_name, file_sha256, file_bytes, state, \
         rows_total, rows_good, rows_bad, uploaded_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'ready', 0, 0, 0, $7, $8)",
    )
    .bind(&import_id)
    .bind(upload.team_id)
    .bind(upload.account_id)
    .bind(upload.file_name)
    .bind(&received.sha256)
    .bind(i64::try_from(received.bytes).unwrap_or(i64::MAX))
    .bind(stored(now))
    .bind(stored(now + EXPIRES_AFTER))
    .execute(&mut *tx)
    .await?;
    let (mut batches, mut problems) = (0i64, 0i64);
    while let Some(item) = staged.recv().await {
        match item {
            Staged::Patients(json) => {
                sqlx::query("INSERT INTO csv_import_batches (import_id, seq, patients) VALUES ($1, $2, $3)")
                    .bind(&import_id)
                    .bind(batches)
                    .bind(json)
                    .execute(&mut *tx)
                    .await?;
                batches += 1;
            }
            Staged::Problems(list) => {
                insert_problems(&mut tx, db.engine, &import_id, problems, &list).await?;
                problems += list.len() as i64;
            }
        }
    }
    let summary = match reader.await.map_err(anyhow::Error::from)? {
        Ok(summary) => summary,
        Err(ReadError::File(problem)) => return Err(StageError::File(problem)),
        Err(ReadError::Io(err)) => return Err(anyhow::Error::from(err).context("reading the uploaded file").into()),
        Err(ReadError::Sink(())) => return Err(anyhow::anyhow!("the writer stopped taking batches").into()),
    };
    sqlx::query("UPDATE csv_imports SET rows_total = $2, rows_good = $3, rows_bad = $4 WHERE id = $1")
        .bind(&import_id)
        .bind(i64::from(summary.rows))
        .bind(i64::from(summary.good_rows()))
        .bind(i64::from(summary.bad_rows))
        .execute(&mut *tx)
        .await?;
    let event = Event {
        team_id: Some(upload.team_id),
        ..Event::new(Action::CsvImportUploaded, now).actor(upload.account_id).ip(Some(upload.ip))
    };
    let detail = json!({
        "import_id": import_id,
        "file_sha256": received.sha256,
        "file_bytes": received.bytes,
        "rows": summary.rows,
        "bad_rows": summary.bad_rows,
    });
    audit::record(&mut tx, event.detail(detail)).await?;
    tx.commit().await?;
    Ok(import_id)
}

/// Reads the file, sending good rows in batches of [`BATCH_ROWS`] and
/// problems in batches of [`PROBLEM_ROWS`]. Runs on a blocking thread.
fn read_in_batches(
    file: std::fs::File,
    today: time::Date,
    limits: Limits,
    sender: &mpsc::Sender<Staged>,
) -> Result<Summary, ReadError<()>> {
    let mut good: Vec<(u32, PatientDetails)> = Vec::with_capacity(BATCH_ROWS);
    let mut problems: Vec<RowProblem> = Vec::new();
    let send_good = |good: &mut Vec<(u32, PatientDetails)>| {
        let json = serde_json::to_string(&good).map_err(|_| ())?;
        good.clear();
        sender.blocking_send(Staged::Patients(json)).map_err(|_| ())
    };
    let send_problems =
        |problems: &mut Vec<RowProblem>| sender.blocking_send(Staged::Problems(mem::take(problems))).map_err(|_| ());
    let summary = read_patients(file, today, limits, |item| match item {
        Item::Good { row, details } => {
            good.push((row, details));
            if good.len() == BATCH_ROWS { send_good(&mut good) } else { Ok(()) }
        }
        Item::Problems(found) => {
            problems.extend(found);
            if problems.len() >= PROBLEM_ROWS { send_problems(&mut problems) } else { Ok(()) }
        }
    })?;
    if !good.is_empty() {
        send_good(&mut good).map_err(ReadError::Sink)?;
    }
    if !problems.is_empty() {
        send_problems(&mut problems).map_err(ReadError::Sink)?;
    }
    Ok(summary)
}

/// Appends `problems` to an import's, numbered on from `first_seq`.
pub async fn insert_problems(
    tx: &mut Tx,
    engine: Engine,
    import_id: &str,
    first_seq: i64,
    problems: &[RowProblem],
) -> Result<(), sqlx::Error> {
    // SQLite reads long multi-row statements slowly: keep them short there.
    let per_statement = if engine == Engine::Sqlite { 20 } else { PROBLEM_ROWS };
    for (n, chunk) in problems.chunks(per_statement).enumerate() {
        let first = first_seq + (n * per_statement) as i64;
        let mut insert =
            Statement::new("INSERT INTO csv_import_problems (import_id, seq, row_number, column_name, message) ");
        insert.values(chunk.iter().enumerate(), |row, (i, p)| {
            row.bind(import_id)
                .bind(first + i as i64)
                .bind(i64::from(p.row))
                .bind(p.column.clone())
                .bind(p.message.as_str());
        });
        insert.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}
