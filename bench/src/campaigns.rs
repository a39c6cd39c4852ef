//! Campaign figures:
//!
//! - invitations made per second by a campaign over a cohort of (by default)
//!   1,000,000 records, against a plain batched INSERT of the same rows
//!   (invitation, outbox message, audit event) in the same run, with the
//!   process's memory before, early in, and at the peak of the run;
//! - texts handed to the Notify stand-in per second by the outbox worker,
//!   against the Notify client sending the same texts directly with the same
//!   concurrency, and what pacing to a per-minute limit lets through.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use portico_server::campaigns::{self, cohort};
use portico_server::clock::{Clock, ManualClock, SystemClock, stored};
use portico_server::config::Settings;
use portico_server::db::{Db, Engine, Statement};
use portico_server::secrets::Keys;
use portico_server::state::AppState;
use portico_types::api::CohortRequest;

use crate::baseline;

const PER_TRANSACTION: usize = 1_000;

/// The engines to measure: both, or the one PORTICO_BENCH_ENGINE names
/// (`sqlite` or `postgres`), to repeat one figure without the other's half hour.
pub fn engines() -> Vec<Engine> {
    match std::env::var("PORTICO_BENCH_ENGINE").as_deref() {
        Ok("sqlite") => vec![Engine::Sqlite],
        Ok("postgres") => vec![Engine::Postgres],
        _ => vec![Engine::Sqlite, Engine::Postgres],
    }
}

pub fn report(cohort_size: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let dir = tempfile::tempdir()?;
    println!("\n## Campaign: text-message invitations over a cohort of {cohort_size} records\n");
    println!(
        "| engine | raw batched INSERT (rows/s) | campaign (invitations/s) | ratio | memory before / after 10% / peak (MB) |"
    );
    println!("| --- | ---: | ---: | ---: | --- |");
    for engine in engines() {
        let url = baseline::fresh_database(&runtime, engine, dir.path(), "campaign.db")?;
        let figures = runtime.block_on(invitation_rate(&url, cohort_size))?;
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        println!(
            "| {name} | {:.0} | {:.0} | {:.2} | {:.0} / {:.0} / {:.0} |",
            figures.raw_rate,
            figures.campaign_rate,
            figures.campaign_rate / figures.raw_rate,
            figures.rss_before_mb,
            figures.rss_early_mb,
            figures.rss_peak_mb,
        );
    }
    runtime.block_on(crate::campaign_notify::report(dir.path()))?;
    Ok(())
}

struct Figures {
    raw_rate: f64,
    campaign_rate: f64,
    rss_before_mb: f64,
    rss_early_mb: f64,
    rss_peak_mb: f64,
}

/// A demo organisation with `count` records in the diabetes team, each with a mobile number.
pub async fn seeded(url: &str, count: usize, now: time::OffsetDateTime) -> anyhow::Result<(Db, String, String)> {
    let db = Db::connect(url, 8).await?;
    portico_server::demo::seed(&db, 0, now).await?;
    let team: String = sqlx::query_scalar("SELECT id FROM teams WHERE slug = 'diabetes'").fetch_one(&db.pool).await?;
    let admin: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'asha.patel@demo.portico.example'")
        .fetch_one(&db.pool)
        .await?;
    let at = stored(now);
    // NHS numbers stay empty: the 999 test range holds fewer than a million valid ones.
    let patients: Vec<usize> = (0..count).collect();
    for chunk in patients.chunks(PER_TRANSACTION) {
        let mut tx = db.begin_write().await?;
        let ids: Vec<String> = chunk.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
        for (rows, offset) in rows_of(db.engine, chunk.len(), 9) {
            let mut insert = Statement::for_engine(
                db.engine,
                "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, mobile, \
                 created_at, updated_at) ",
            );
            insert.values(offset..offset + rows, |row, i| {
                let n = chunk[i];
                let (given, family) = (format!("Given{n}"), format!("Family{}", n % 977));
                row.bind(ids[i].as_str())
                    .bind(None::<String>)
                    .bind(given.as_str())
                    .bind(family.as_str())
                    .bind(format!("{given} {family}").to_lowercase())
                    .bind(format!("{}-{:02}-{:02}", 1930 + n % 90, 1 + n % 12, 1 + n % 28))
                    .bind(format!("+4477{:08}", n % 100_000_000))
                    .bind(at.as_str())
                    .bind(at.as_str());
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        for (rows, offset) in rows_of(db.engine, chunk.len(), 3) {
            let mut join = Statement::for_engine(db.engine, "INSERT INTO team_records (team_id, record_id, added_at) ");
            join.values(offset..offset + rows, |row, i| {
                row.bind(team.as_str()).bind(ids[i].as_str()).bind(at.as_str());
            });
            join.query()?.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok((db, team, admin))
}

/// `(rows, offset)` slices of `total` rows of `columns` values each, sized for one statement.
fn rows_of(engine: Engine, total: usize, columns: usize) -> Vec<(usize, usize)> {
    let per = engine.rows_per_statement(columns);
    (0..total).step_by(per).map(|offset| (per.min(total - offset), offset)).collect()
}

async fn invitation_rate(url: &str, count: usize) -> anyhow::Result<Figures> {
    let now = SystemClock.now();
    let (db, team, admin) = seeded(url, count, now).await?;
    let raw = raw_insert(&db, &team, &admin, now).await?;
    let raw_rate = count as f64 / raw.as_secs_f64();
    // The baseline's rows go before the campaign starts. On PostgreSQL by TRUNCATE:
    // a DELETE of a million invitations checks the outbox's foreign key (not indexed:
    // nothing looks messages up by invitation) against a million dead rows, per row.
    // ANALYZE first, as autovacuum would have done by now on a live server (it is off
    // on some test machines): without column statistics the planner guesses that few
    // invitations are live and, for a chunk's revoke, scans them all instead of
    // looking up the chunk's records, which makes a campaign quadratic.
    match db.engine {
        Engine::Postgres => {
            sqlx::query("ANALYZE").execute(&db.pool).await?;
            sqlx::query("TRUNCATE audit_events, outbox, invitations CASCADE").execute(&db.pool).await?;
        }
        Engine::Sqlite => {
            for table in ["audit_events", "outbox", "invitations"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&db.pool).await?;
            }
        }
    }

    let settings = Settings { campaign_backlog: 0, campaign_chunk_size: 1_000, ..Settings::default() };
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now));
    let keys = Keys::load(&db, None, now).await?;
    let state = AppState::new(db, settings, clock, keys);
    let rss_before = rss_mb();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while sampling.load(Ordering::Relaxed) {
                samples.push((Instant::now(), rss_mb()));
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        })
    };
    let started = Instant::now();
    let asked = cohort::parse(&sms_cohort(None), now.date()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let id = campaigns::start(&state, &team, "Bench", &asked, &admin).await?;
    campaigns::worker::work_until_idle(&state).await?;
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let samples = sampler.join().map_err(|_| anyhow::anyhow!("the memory sampler panicked"))?;
    let issued: i64 =
        sqlx::query_scalar("SELECT issued FROM campaigns WHERE id = $1").bind(&id).fetch_one(&state.db.pool).await?;
    anyhow::ensure!(issued == count as i64, "the campaign issued {issued} of {count}");
    let early_until = started + elapsed / 10;
    let peak =
        |until: Instant| samples.iter().filter(|(at, _)| *at <= until).map(|(_, mb)| *mb).fold(rss_before, f64::max);
    Ok(Figures {
        raw_rate,
        campaign_rate: count as f64 / elapsed.as_secs_f64(),
        rss_before_mb: rss_before,
        rss_early_mb: peak(early_until),
        rss_peak_mb: peak(Instant::now()),
    })
}

/// Text messages to every record never invited; `without_entries` says what
/// becomes of records with no entry (`None`: the team's setting).
pub(crate) fn sms_cohort(without_entries: Option<&str>) -> CohortRequest {
    CohortRequest {
        channel: "sms".into(),
        registration: "not_invited".into(),
        min_age: None,
        max_age: None,
        nhs_numbers_csv: None,
        invited_days_ago: None,
        max_reminders: None,
        records_without_entries: without_entries.map(str::to_owned),
    }
}

/// What a campaign writes for each record (an invitation, its text in the
/// outbox, an audit event), prepared in full before the clock starts and
/// inserted in transactions of 1,000 records.
async fn raw_insert(db: &Db, team: &str, admin: &str, now: time::OffsetDateTime) -> anyhow::Result<Duration> {
    let records: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.id, r.mobile FROM records r JOIN team_records tr ON tr.record_id = r.id \
         WHERE tr.team_id = $1 AND r.mobile IS NOT NULL ORDER BY r.id",
    )
    .bind(team)
    .fetch_all(&db.pool)
    .await?;
    let at = stored(now);
    let rows: Vec<[String; 4]> = records
        .into_iter()
        // Codes' keyed hashes are random: so are these, as the index sees them.
        .map(|(record, mobile)| {
            let hash = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
            [uuid::Uuid::now_v7().to_string(), record, mobile, hash]
        })
        .collect();
    let started = Instant::now();
    for chunk in rows.chunks(PER_TRANSACTION) {
        let mut tx = db.begin_write().await?;
        for (n, offset) in rows_of(db.engine, chunk.len(), 12) {
            let mut insert = Statement::for_engine(
                db.engine,
                "INSERT INTO invitations (id, record_id, team_id, channel, code_hash, state, sent_to, issued_by, \
                 issued_at, expires_at, updated_at, for_account_id) ",
            );
            insert.values(&chunk[offset..offset + n], |row, [id, record, mobile, hash]| {
                row.bind(id.as_str())
                    .bind(record.as_str())
                    .bind(team)
                    .bind("sms")
                    .bind(hash.as_str())
                    .bind("issued")
                    .bind(mobile.as_str())
                    .bind(admin)
                    .bind(at.as_str())
                    .bind(at.as_str())
                    .bind(at.as_str())
                    .bind(None::<String>);
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        for (n, offset) in rows_of(db.engine, chunk.len(), 13) {
            let mut insert = Statement::for_engine(
                db.engine,
                "INSERT INTO outbox (id, idempotency_key, channel, to_address, subject, body_text, personalisation, \
                 invitation_id, created_at, next_attempt_at, priority, attempts, last_error) ",
            );
            insert.values(&chunk[offset..offset + n], |row, [id, _, mobile, _]| {
                row.bind(uuid::Uuid::now_v7().to_string())
                    .bind(format!("invitation:{id}"))
                    .bind("sms")
                    .bind(mobile.as_str())
                    .bind("")
                    .bind("Diabetes Clinic invites you to see your health record online. Register at https://portico.example/register?code=7KQM-2XRD-93TB or go to portico.example/register and enter code 7KQM-2XRD-93TB. You will need your date of birth. The code expires on 4 December 2026.")
                    .bind("{\"team\":\"Diabetes Clinic\",\"code\":\"7KQM-2XRD-93TB\"}")
                    .bind(id.as_str())
                    .bind(at.as_str())
                    .bind(at.as_str())
                    .bind(1_i64)
                    .bind(0_i64)
                    .bind(None::<String>);
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        for (n, offset) in rows_of(db.engine, chunk.len(), 8) {
            let mut insert = Statement::for_engine(
                db.engine,
                "INSERT INTO audit_events (id, occurred_at, action, actor_account_id, record_id, team_id, ip, detail) ",
            );
            insert.values(&chunk[offset..offset + n], |row, [id, record, _, _]| {
                row.bind(uuid::Uuid::now_v7().to_string())
                    .bind(at.as_str())
                    .bind("invitation_issued")
                    .bind(admin)
                    .bind(record.as_str())
                    .bind(team)
                    .bind(None::<String>)
                    .bind(format!("{{\"invitation_id\":\"{id}\",\"channel\":\"sms\",\"expires_at\":\"{at}\"}}"));
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(started.elapsed())
}

/// This process's resident memory, in MB (Linux).
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
