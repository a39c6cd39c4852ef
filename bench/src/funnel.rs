//! The drop-off funnel's cost: the uptake report's funnel over (by default)
//! 1,000,000 invitations, against the uptake report itself over the same
//! invitations in the same run, on both engines (or the one
//! PORTICO_BENCH_ENGINE names). In process, straight against the database,
//! so the figure is the two queries' own.
//!
//! The invitations are spread over every step (a tenth each): three tenths
//! never entered, then a code refused for a wrong date of birth, an expired
//! code, a registration begun, an email given, an email confirmed, and two
//! tenths registered; in three channels.

use std::time::{Duration, Instant};

use portico_server::clock::{Clock, SystemClock, stored};
use portico_server::db::{Db, Engine};
use portico_server::reports::{self, Period, Scope};

use crate::baseline;

/// Runs of each report; the best of them is the figure.
const RUNS: usize = 3;

pub fn report(count: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let dir = tempfile::tempdir()?;
    println!("\n## Uptake report with its drop-off funnel, over {count} invitations\n");
    println!("| engine | uptake report (ms, best of {RUNS}) | funnel (ms, best of {RUNS}) | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for engine in engines() {
        let url = baseline::fresh_database(&runtime, engine, dir.path(), "funnel.db")?;
        let (uptake, funnel) = runtime.block_on(timings(&url, count))?;
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        println!(
            "| {name} | {:.0} | {:.0} | {:.2} |",
            uptake.as_secs_f64() * 1e3,
            funnel.as_secs_f64() * 1e3,
            funnel.as_secs_f64() / uptake.as_secs_f64()
        );
    }
    Ok(())
}

/// The best times of the uptake report and of the funnel, run alternately.
async fn timings(url: &str, count: usize) -> anyhow::Result<(Duration, Duration)> {
    let now = SystemClock.now();
    let (db, team, admin) = crate::campaigns::seeded(url, count, now).await?;
    invite_and_stop(&db, &team, now).await?;
    let scope = Scope { admin_account_id: admin, team_id: None, period: Period::default() };
    let (mut uptake, mut funnel) = (Duration::MAX, Duration::MAX);
    for _ in 0..RUNS {
        let started = Instant::now();
        let rows = reports::uptake(&db, &scope).await?;
        uptake = uptake.min(started.elapsed());
        let invited: u64 = rows.iter().map(|r| r.invited).sum();
        anyhow::ensure!(invited >= count as u64, "the uptake report counted {invited} of {count}");

        let started = Instant::now();
        let rows = reports::funnel(&db, &scope).await?;
        funnel = funnel.min(started.elapsed());
        // Records 8 and 9 of every ten registered (and the demo's own, if any).
        let registered: u64 = rows.iter().map(|r| r.steps[5].records).sum();
        let expected = (count / 10 * 2 + (count % 10).saturating_sub(8)) as u64;
        anyhow::ensure!(registered >= expected, "the funnel counted {registered} registered of {expected}");
    }
    Ok((uptake, funnel))
}

/// The engines to measure: both, or the one PORTICO_BENCH_ENGINE names.
fn engines() -> Vec<Engine> {
    match std::env::var("PORTICO_BENCH_ENGINE").as_deref() {
        Ok("sqlite") => vec![Engine::Sqlite],
        Ok("postgres") => vec![Engine::Postgres],
        _ => vec![Engine::Sqlite, Engine::Postgres],
    }
}

/// One invitation per record (the record's number `n` from its name picks
/// its channel and how far it got), and what each step would have written.
async fn invite_and_stop(db: &Db, team: &str, now: time::OffsetDateTime) -> anyhow::Result<()> {
    let at = stored(now);
    let later = stored(now + time::Duration::hours(30));
    // The bench's records are named `Given<n>`; the demo's own are left out.
    let n = "(CAST(SUBSTR(r.given_name, 6) AS INTEGER))";
    let bench = "r.given_name LIKE 'Given%'";
    let invitations = format!(
        "INSERT INTO invitations (id, record_id, team_id, channel, code_hash, state, issued_at, expires_at, updated_at) \
             SELECT r.id, r.id, $1, CASE {n} % 3 WHEN 0 THEN 'letter' WHEN 1 THEN 'sms' ELSE 'email' END, \
             'bench-' || r.id, CASE WHEN {n} % 10 = 4 THEN 'expired' WHEN {n} % 10 >= 8 THEN 'used' \
             WHEN {n} % 10 >= 5 THEN 'opened' ELSE 'issued' END, $2, $3, \
             CASE WHEN {n} % 10 >= 8 THEN $3 ELSE $2 END FROM records r WHERE {bench}"
    );
    sqlx::query(sqlx::AssertSqlSafe(invitations)).bind(team).bind(&at).bind(&later).execute(&db.pool).await?;
    // Refused: a wrong date of birth twice, or an expired code once.
    let refusals = format!(
        "INSERT INTO invitation_refusals (invitation_id, mismatch, expired) \
         SELECT r.id, CASE WHEN {n} % 10 = 3 THEN 2 ELSE 0 END, CASE WHEN {n} % 10 = 4 THEN 1 ELSE 0 END \
         FROM records r WHERE {bench} AND {n} % 10 IN (3, 4)"
    );
    sqlx::query(sqlx::AssertSqlSafe(refusals)).execute(&db.pool).await?;
    // Begun, with an email given, confirmed, and the account made.
    let registrations = format!(
        "INSERT INTO registrations (id, token_hash, invitation_id, record_id, started_at, expires_at, email, \
         email_verified_at, completed_at) \
         SELECT r.id, 'bench-' || r.id, r.id, r.id, $1, $2, \
         CASE WHEN {n} % 10 >= 6 THEN 'p' || r.id || '@bench.example' END, \
         CASE WHEN {n} % 10 >= 7 THEN $2 END, CASE WHEN {n} % 10 >= 8 THEN $2 END \
         FROM records r WHERE {bench} AND {n} % 10 >= 5"
    );
    sqlx::query(sqlx::AssertSqlSafe(registrations)).bind(&at).bind(&later).execute(&db.pool).await?;
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    Ok(())
}
