//! Held invitations: the release job over many held records (by default
//! 100,000, `PORTICO_BENCH_HELD`), each given an entry after its campaign
//! held it, against the plain campaign chunk run that invites the same
//! number of records, measured in the same run on the same engine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_server::campaigns::{self, cohort};
use portico_server::clock::{Clock, ManualClock, SystemClock, stored};
use portico_server::config::Settings;
use portico_server::db::{Db, Engine, Statement};
use portico_server::secrets::Keys;
use portico_server::state::AppState;

use crate::baseline;
use crate::campaigns::{engines, seeded, sms_cohort};

pub fn report(count: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let dir = tempfile::tempdir()?;
    let admin = crate::load::postgres_admin();
    println!("\n## Held invitations: {count} held records released once each has an entry\n");
    println!(
        "| engine | plain campaign (invitations/s) | holding chunks (records/s) | release (invitations/s) | release / plain |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    let rate = |took: Duration| count as f64 / took.as_secs_f64();
    for engine in engines() {
        let (plain_url, held_url) = baseline::databases(&runtime, engine, dir.path(), &admin)?;
        let (_, _, plain) = runtime.block_on(campaign_run(&plain_url, count, "invite"))?;
        let (state, id, holding) = runtime.block_on(campaign_run(&held_url, count, "hold"))?;
        let release = runtime.block_on(release_run(&state, &id, count))?;
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.2} |",
            if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" },
            rate(plain),
            rate(holding),
            rate(release),
            rate(release) / rate(plain)
        );
    }
    Ok(())
}

async fn state_over(db: Db, now: time::OffsetDateTime) -> anyhow::Result<AppState> {
    let settings = Settings { campaign_backlog: 0, campaign_chunk_size: 1_000, ..Settings::default() };
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now));
    let keys = Keys::load(&db, None, now).await?;
    Ok(AppState::new(db, settings, clock, keys))
}

async fn issued(state: &AppState, id: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT issued FROM campaigns WHERE id = $1").bind(id).fetch_one(&state.db.pool).await?)
}

/// A campaign over `count` fresh records, none with an entry, that does
/// `without_entries` with them (`invite`: the baseline; `hold`), worked
/// chunk by chunk until none is left: its state, id and time.
async fn campaign_run(url: &str, count: usize, without_entries: &str) -> anyhow::Result<(AppState, String, Duration)> {
    let now = SystemClock.now();
    let (db, team, admin) = seeded(url, count, now).await?;
    let state = state_over(db, now).await?;
    let asked = cohort::parse(&sms_cohort(Some(without_entries)), now.date()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let id = campaigns::start(&state, &team, "Bench", &asked, &admin).await?;
    campaigns::worker::work_until_idle(&state).await?;
    let took = started.elapsed();
    let (held, _) = campaigns::hold::counts(&state.db, &id).await?;
    let expected = if without_entries == "hold" { (0, count as u64) } else { (count as i64, 0) };
    anyhow::ensure!(
        (issued(&state, &id).await?, held) == expected,
        "{without_entries}: issued and held not as expected"
    );
    Ok((state, id, took))
}

/// Gives every held record an entry (not timed), then times the release
/// job until it has invited them all.
async fn release_run(state: &AppState, id: &str, count: usize) -> anyhow::Result<Duration> {
    give_entries(&state.db, state.now()).await?;
    let started = Instant::now();
    campaigns::worker::work_until_idle(state).await?;
    let took = started.elapsed();
    anyhow::ensure!(issued(state, id).await? == count as i64, "the release issued too few");
    Ok(took)
}

/// One entry on every record, as a feed would bring them (not timed).
async fn give_entries(db: &Db, now: time::OffsetDateTime) -> anyhow::Result<()> {
    let at = stored(now);
    let records: Vec<String> = sqlx::query_scalar("SELECT id FROM records ORDER BY id").fetch_all(&db.pool).await?;
    for chunk in records.chunks(1_000) {
        let mut tx = db.begin_write().await?;
        for slice in chunk.chunks(db.engine.rows_per_statement(10)) {
            let mut insert = Statement::for_engine(
                db.engine,
                "INSERT INTO entries (id, record_id, kind, source_system, source_id, title, occurred_at, content_hash, \
                 created_at, updated_at) ",
            );
            insert.values(slice, |row, record| {
                row.bind(uuid::Uuid::now_v7().to_string())
                    .bind(record.as_str())
                    .bind("result")
                    .bind("bench")
                    .bind(record.as_str())
                    .bind("HbA1c")
                    .bind(at.as_str())
                    .bind("x")
                    .bind(at.as_str())
                    .bind(at.as_str());
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
