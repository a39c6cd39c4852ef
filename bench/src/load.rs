//! `scripts/battery load`: a sustained mix of the patient journeys' API calls
//! on loopback, `CLIENTS` people at a time, against one `portico` on SQLite
//! and two on one PostgreSQL database. Of every ten journeys three are
//! registrations, six are patients' visits (sign in, read, sign out) and one
//! a professional's (sign in, search, open a record). Printed per endpoint:
//! requests, rate, p50, p99 and errors (429s apart), each instance's memory
//! at the start and the end, and `GET /healthz` alone, by the same clients in
//! the same run, as the baseline.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::journeys::{Call, Calls, Site};
use crate::server::{Launch, Running};

pub const CLIENTS: usize = 16;
/// Demo records seeded: more than the registrations a minute can make.
pub const RECORDS: usize = 4_000;

/// What a load run counted, for the battery's verdict.
#[derive(Debug, Default, Clone, Copy)]
pub struct Verdict {
    pub requests: usize,
    pub errors: usize,
    pub throttled: usize,
}

/// Which setups to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setups {
    SqliteOnly,
    Both,
}

pub fn report(binary: &Path, seconds: u64, setups: Setups) -> anyhow::Result<Verdict> {
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let mut launch = Launch::new(&format!("sqlite://{}", dir.path().join("portico.db").display()))?;
    launch.records = RECORDS;
    let running = launch.spawn(binary)?;
    let mut verdict = runtime.block_on(run(
        "SQLite, one instance",
        vec![launch.base()],
        &[&running],
        &launch.database_url,
        seconds,
    ))?;
    drop(running);
    if setups == Setups::Both {
        let admin = postgres_admin();
        let url = runtime.block_on(crate::baseline::fresh_postgres(&admin))?;
        let outcome = (|| {
            let mut first = Launch::new(&url)?;
            first.records = RECORDS;
            let one = first.spawn(binary)?;
            let second = Launch { port: crate::server::free_port()?, ..first.clone() };
            let two = second.spawn(binary)?;
            let bases = vec![first.base(), second.base()];
            runtime.block_on(run("PostgreSQL, two instances on one database", bases, &[&one, &two], &url, seconds))
        })();
        runtime.block_on(drop_postgres(&admin, &url))?;
        let pg = outcome?;
        verdict.requests += pg.requests;
        verdict.errors += pg.errors;
        verdict.throttled += pg.throttled;
    }
    Ok(verdict)
}

/// The PostgreSQL the battery makes its databases on.
pub fn postgres_admin() -> String {
    std::env::var("PORTICO_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Drops a database `fresh_postgres` made, whoever is still connected.
pub async fn drop_postgres(admin: &str, url: &str) -> anyhow::Result<()> {
    let name = url.rsplit_once('/').map(|(_, name)| name.to_owned()).unwrap_or_default();
    anyhow::ensure!(name.starts_with("portico_bench_"), "not a bench database: {name}");
    let pool = sqlx::AnyPool::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&pool).await?;
    pool.close().await;
    Ok(())
}

/// Resident memory of a process in MB, from /proc (Linux).
pub fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// How many journeys of each kind ran.
#[derive(Default)]
pub struct Journeys {
    pub registrations: AtomicUsize,
    pub patient_visits: AtomicUsize,
    pub staff_visits: AtomicUsize,
}

/// Runs the mix on `site` by `CLIENTS` clients until `deadline`.
pub async fn mix(site: Arc<Site>, deadline: Instant) -> anyhow::Result<Arc<Journeys>> {
    let next = Arc::new(AtomicUsize::new(0));
    let journeys = Arc::new(Journeys::default());
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (site, next, journeys) = (Arc::clone(&site), Arc::clone(&next), Arc::clone(&journeys));
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let visited = match n % 10 {
                    3..=8 => site.patient_visit(n).await?.then_some(&journeys.patient_visits),
                    9 => site.staff_visit(n).await?.then_some(&journeys.staff_visits),
                    _ => None,
                };
                if let Some(counter) = visited {
                    counter.fetch_add(1, Ordering::Relaxed);
                } else if let Some(account) = site.register(n).await? {
                    journeys.registrations.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut accounts) = site.accounts.lock() {
                        accounts.push_back(account);
                    }
                } else if site.records_left() == 0 {
                    // Nothing left to register and nobody free to visit.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(journeys)
}

/// `GET /healthz` by `CLIENTS` clients for `window`, over the instances in turn.
async fn healthz_alone(site: &Site, window: Duration) -> anyhow::Result<Vec<Call>> {
    let deadline = Instant::now() + window;
    let mut tasks = Vec::new();
    let calls = Arc::new(Calls::default());
    for k in 0..CLIENTS {
        let (calls, base) = (Arc::clone(&calls), site.bases[k % site.bases.len()].clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while Instant::now() < deadline {
                calls.send("GET /healthz", client.get(format!("{base}/healthz"))).await;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    Ok(calls.take().remove("GET /healthz").unwrap_or_default())
}

async fn run(
    setup: &str,
    bases: Vec<String>,
    instances: &[&Running],
    database_url: &str,
    seconds: u64,
) -> anyhow::Result<Verdict> {
    let site = Arc::new(Site::open(bases, database_url).await?);
    let baseline_window = Duration::from_secs((seconds / 6).clamp(2, 10));
    let baseline = healthz_alone(&site, baseline_window).await?;
    // Some people registered before the clock starts, so the first visits have someone to be.
    mix(Arc::clone(&site), Instant::now() + Duration::from_secs(2)).await?;
    let _ = site.calls.take();
    let rss_before: Vec<f64> = instances.iter().map(|i| rss_mb(i.pid())).collect();
    let started = Instant::now();
    let journeys = mix(Arc::clone(&site), started + Duration::from_secs(seconds)).await?;
    let elapsed = started.elapsed();
    let rss_after: Vec<f64> = instances.iter().map(|i| rss_mb(i.pid())).collect();
    let calls = site.calls.take();

    println!("\n## Load: {setup}, {seconds} s, {CLIENTS} clients\n");
    println!(
        "Journeys: {} registrations, {} patient visits, {} professional visits.\n",
        journeys.registrations.load(Ordering::Relaxed),
        journeys.patient_visits.load(Ordering::Relaxed),
        journeys.staff_visits.load(Ordering::Relaxed)
    );
    println!("| endpoint | requests | per second | p50 | p99 | errors | 429 |");
    println!("| --- | ---: | ---: | ---: | ---: | --- | ---: |");
    let healthz_rate = baseline.len() as f64 / baseline_window.as_secs_f64();
    println!(
        "{}",
        row(&format!("`GET /healthz` alone ({} s, baseline)", baseline_window.as_secs()), &baseline, baseline_window)
    );
    let mut verdict = Verdict::default();
    let mut all = Vec::new();
    for (name, seen) in &calls {
        println!("{}", row(&format!("`{name}`"), seen, elapsed));
        verdict.requests += seen.len();
        verdict.errors += seen.iter().filter(|c| is_error(c.status)).count();
        verdict.throttled += seen.iter().filter(|c| c.status == 429).count();
        all.extend_from_slice(seen);
    }
    println!("{}", row("all of the mix", &all, elapsed));
    println!(
        "\nThe mix: {:.0} requests/s, {:.2} of `/healthz` alone's {healthz_rate:.0}/s.",
        all.len() as f64 / elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64() / healthz_rate
    );
    for (k, (before, after)) in rss_before.iter().zip(&rss_after).enumerate() {
        println!("Instance {} RSS: {before:.1} MB at the start, {after:.1} MB at the end.", k + 1);
    }
    Ok(verdict)
}

/// A 5xx, a 4xx other than 429, or no answer at all.
pub fn is_error(status: u16) -> bool {
    status == 0 || (status >= 400 && status != 429)
}

pub fn row(name: &str, seen: &[Call], elapsed: Duration) -> String {
    let mut latencies: Vec<Duration> = seen.iter().map(|c| c.took).collect();
    latencies.sort_unstable();
    let at = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let mut errors: BTreeMap<u16, usize> = BTreeMap::new();
    for call in seen.iter().filter(|c| is_error(c.status)) {
        *errors.entry(call.status).or_default() += 1;
    }
    let errors = if errors.is_empty() {
        "0".to_owned()
    } else {
        errors
            .iter()
            .map(|(s, n)| format!("{n}× {}", if *s == 0 { "no answer".into() } else { s.to_string() }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "| {name} | {} | {:.1} | {:.1} ms | {:.1} ms | {errors} | {} |",
        seen.len(),
        seen.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
        seen.iter().filter(|c| c.status == 429).count()
    )
}
