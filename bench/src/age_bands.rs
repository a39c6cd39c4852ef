//! Age bands (issue 11): the coming-of-age job narrowing many parents'
//! links at once (by default 100,000 links whose band at 13 has come; each
//! link one transaction with its conditional UPDATE, audit event and the
//! parent's email in the outbox, 500 links a run), against a plain UPDATE of
//! the same rows to the same values, in the same run, on both engines. In
//! process, straight against the database, so the figure is the job's own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_server::carers::coming_of_age;
use portico_server::clock::{Clock, ManualClock};
use portico_server::config::Settings;
use portico_server::db::{Db, Engine, Statement};
use portico_server::secrets::Keys;
use portico_server::state::AppState;

use crate::baseline;

const AT: &str = "2026-11-25T09:00:00.000000Z";
/// The children's 13th birthday: the band that narrows, as the links record it.
const THIRTEENTH: &str = "2026-11-20T00:00:00.000000Z";
const ROWS_PER_INSERT: usize = 1_000;

/// `links` parents' links to the demo's records, each child 13 since 20
/// November 2026, and the organisation's bands: narrow at 13, end at 18.
async fn prepare(db: &Db, links: usize) -> anyhow::Result<()> {
    portico_server::demo::seed(db, 1_000, time::macros::datetime!(2026-11-25 09:00 UTC)).await?;
    sqlx::query("UPDATE records SET date_of_birth = '2013-11-20'").execute(&db.pool).await?;
    let (organisation_id, asha): (String, String) = sqlx::query_as(
        "SELECT p.organisation_id, p.account_id FROM professionals p JOIN accounts a ON a.id = p.account_id \
         WHERE a.email = 'asha.patel@demo.portico.example'",
    )
    .fetch_one(&db.pool)
    .await?;
    // Only the bench's own links.
    sqlx::query("DELETE FROM carer_links").execute(&db.pool).await?;
    sqlx::query("DELETE FROM carer_age_bands").execute(&db.pool).await?;
    for (age, becomes) in [(13_i64, "not_private"), (18, "end")] {
        sqlx::query("INSERT INTO carer_age_bands (organisation_id, age, access_becomes) VALUES ($1, $2, $3)")
            .bind(&organisation_id)
            .bind(age)
            .bind(becomes)
            .execute(&db.pool)
            .await?;
    }
    let records: Vec<String> = sqlx::query_scalar("SELECT id FROM records ORDER BY id").fetch_all(&db.pool).await?;
    for start in (0..links).step_by(ROWS_PER_INSERT) {
        let batch: Vec<usize> = (start..links.min(start + ROWS_PER_INSERT)).collect();
        let mut accounts =
            Statement::for_engine(db.engine, "INSERT INTO accounts (id, email, display_name, created_at) ");
        accounts.values(batch.iter().copied(), |row, n| {
            let id = format!("bench-parent-{n}");
            row.bind(id.as_str()).bind(format!("{id}@bench.example").as_str()).bind("Pat Parent").bind(AT);
        });
        accounts.query()?.execute(&db.pool).await?;
        let mut insert = Statement::for_engine(
            db.engine,
            "INSERT INTO carer_links (id, record_id, carer_account_id, kind, access_level, relationship, \
             legal_basis, organisation_id, starts_at, review_at, granted_by, next_band_age) ",
        );
        insert.values(batch.iter().copied(), |row, n| {
            row.bind(format!("bench-link-{n}").as_str())
                .bind(records[n % records.len()].as_str())
                .bind(format!("bench-parent-{n}").as_str())
                .bind("parent_guardian")
                .bind("everything")
                .bind("Mother")
                .bind("parental_responsibility")
                .bind(organisation_id.as_str())
                .bind(AT)
                .bind(THIRTEENTH)
                .bind(asha.as_str())
                .bind(13_i64);
        });
        insert.query()?.execute(&db.pool).await?;
    }
    if db.engine == Engine::Postgres {
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }
    Ok(())
}

/// The baseline: the same rows to the same values, as one UPDATE.
async fn plain_update(db: &Db) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let done = sqlx::query(
        "UPDATE carer_links SET access_level = 'not_private', band_age = 13, next_band_age = 18, \
         review_at = '2031-11-20T00:00:00.000000Z' WHERE kind = 'parent_guardian' AND ended_at IS NULL \
         AND next_band_age = 13 AND review_at <= $1",
    )
    .bind("2026-11-25T10:00:00.000000Z")
    .execute(&db.pool)
    .await?;
    let took = started.elapsed();
    // Back as they were, for the job.
    sqlx::query(
        "UPDATE carer_links SET access_level = 'everything', band_age = NULL, next_band_age = 13, review_at = $1",
    )
    .bind(THIRTEENTH)
    .execute(&db.pool)
    .await?;
    Ok((took, done.rows_affected()))
}

/// The job, run after run until it finds nothing left.
async fn job(db: Db) -> anyhow::Result<(Duration, u64)> {
    let now = time::macros::datetime!(2026-11-25 10:00 UTC);
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now));
    let keys = Keys::load(&db, None, now).await?;
    let state = AppState::new(db, Settings::default(), clock, keys);
    let started = Instant::now();
    let mut narrowed = 0;
    loop {
        let done = coming_of_age::run_once(&state).await?;
        if done.narrowed == 0 {
            break;
        }
        narrowed += done.narrowed;
    }
    Ok((started.elapsed(), narrowed))
}

async fn run(url: &str, links: usize) -> anyhow::Result<(Duration, Duration)> {
    let db = Db::connect(url, 4).await?;
    prepare(&db, links).await?;
    let (plain, updated) = plain_update(&db).await?;
    anyhow::ensure!(updated == links as u64, "the plain UPDATE changed {updated} of {links}");
    let (took, narrowed) = job(db).await?;
    anyhow::ensure!(narrowed == links as u64, "the job narrowed {narrowed} of {links}");
    Ok((took, plain))
}

pub fn report(links: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    println!("\n## Age bands: {links} parents' links narrowed at 13\n");
    println!("| engine | job (s) | links/s | plain UPDATE (ms) | ratio |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let url = baseline::fresh_database(&runtime, engine, dir.path(), "bands.db")?;
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        let (job, plain) = runtime.block_on(run(&url, links))?;
        let rate = links as f64 / job.as_secs_f64();
        let ratio = job.as_secs_f64() / plain.as_secs_f64();
        println!(
            "| {name} | {:.1} | {rate:.0} | {:.0} | {ratio:.0} |",
            job.as_secs_f64(),
            plain.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
