//! The carer access check's cost: a patient-view record read (details and
//! entries) behind `carers::access::check`, by the owner (0 carer links) and
//! by a carer of a record with 1 and with 50 carer links, against the same
//! read without the check, in the same run, on both engines. In process,
//! straight against the database, so the figure is the check's own.

use std::time::{Duration, Instant};

use portico_server::carers::access;
use portico_server::db::{Db, Engine};
use portico_server::records::view;

use crate::baseline;

const READS: usize = 2_000;
const AT: &str = "2026-11-25T09:00:00.000000Z";

async fn account(db: &Db, id: &str) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO accounts (id, email, display_name, created_at) VALUES ($1, $1, $1, $2)")
        .bind(id)
        .bind(AT)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Gives `record_id` an owner and `links` carers; returns who reads it (the
/// owner with no links, else the last carer).
async fn prepare(db: &Db, record_id: &str, links: usize) -> anyhow::Result<String> {
    let owner = format!("owner-{record_id}@bench.example");
    account(db, &owner).await?;
    sqlx::query("UPDATE records SET owner_account_id = $1 WHERE id = $2")
        .bind(&owner)
        .bind(record_id)
        .execute(&db.pool)
        .await?;
    let mut reader = owner.clone();
    for n in 0..links {
        let carer = format!("carer-{n}-{record_id}@bench.example");
        account(db, &carer).await?;
        sqlx::query(
            "INSERT INTO carer_links (id, record_id, carer_account_id, kind, access_level, starts_at, granted_by) \
             VALUES ($1, $2, $3, 'adult_carer_consent', 'not_private', $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(record_id)
        .bind(&carer)
        .bind(AT)
        .bind(&owner)
        .execute(&db.pool)
        .await?;
        reader = carer;
    }
    Ok(reader)
}

async fn read(db: &Db, record_id: &str) -> anyhow::Result<usize> {
    let detail = view::detail(db, record_id).await?;
    Ok(detail.map_or(0, |_| 1) + view::entries(db, record_id).await?.len())
}

async fn timed(db: &Db, record_id: &str, reader: Option<&str>) -> anyhow::Result<Duration> {
    let now = time::macros::datetime!(2026-11-26 09:00 UTC);
    let started = Instant::now();
    for _ in 0..READS {
        if let Some(reader) = reader {
            let level = access::check(db, reader, record_id, now).await?;
            anyhow::ensure!(level.is_some(), "the reader may not read the record");
        }
        read(db, record_id).await?;
    }
    Ok(started.elapsed() / READS as u32)
}

async fn run(url: &str) -> anyhow::Result<Vec<(usize, Duration, Duration)>> {
    let db = Db::connect(url, 4).await?;
    portico_server::demo::seed(&db, 60, time::macros::datetime!(2026-11-25 09:00 UTC)).await?;
    let records: Vec<String> =
        sqlx::query_scalar("SELECT id FROM records WHERE owner_account_id IS NULL ORDER BY id LIMIT 3")
            .fetch_all(&db.pool)
            .await?;
    let mut rows = Vec::new();
    for (record_id, links) in records.iter().zip([0, 1, 50]) {
        let reader = prepare(&db, record_id, links).await?;
        timed(&db, record_id, Some(&reader)).await?; // warm up
        let without = timed(&db, record_id, None).await?;
        let with = timed(&db, record_id, Some(&reader)).await?;
        rows.push((links, without, with));
    }
    Ok(rows)
}

pub fn report() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    println!("\n## Carer access check: a record read ({READS} reads each)\n");
    println!("| engine | carer links | read alone (µs) | check + read (µs) | ratio |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let url = baseline::fresh_database(&runtime, engine, dir.path(), "carers.db")?;
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        for (links, without, with) in runtime.block_on(run(&url))? {
            let ratio = with.as_secs_f64() / without.as_secs_f64();
            println!("| {name} | {links} | {} | {} | {ratio:.2} |", without.as_micros(), with.as_micros());
        }
    }
    Ok(())
}
