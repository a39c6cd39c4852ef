//! Registration under load, on loopback against a release server:
//!
//! - Code checks: wrong codes (valid check character, no invitation) posted
//!   with a date of birth by concurrent clients. First spread over 200 client
//!   addresses (127.0.0.2 and up, all loopback) so that no address reaches its
//!   limit and every request takes the whole path (counted against the code
//!   and the address, looked up, audited); then all from one address, past
//!   its limit, where the lockout answers. Baseline: `GET /healthz` by the
//!   same clients in the same run.
//! - Password hashing: sign-ins per second against the raw argon2id rate of
//!   this machine with the same parameters, on as many threads as cores, in
//!   the same run; and how `/healthz` answers while sign-ins saturate the
//!   cores, against how it answers idle.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portico_server::auth::passwords;
use portico_server::demo::DEMO_PASSWORD;
use portico_types::InvitationCode;
use reqwest::Client;
use serde_json::json;

use crate::server::{self, CSRF};

const CONCURRENCY: usize = 16;
const ADDRESSES: usize = 200;
/// Under the 30 a client address may try in an hour.
const PER_ADDRESS: usize = 25;

/// What a run of requests gave.
pub(crate) struct Load {
    pub(crate) elapsed: Duration,
    pub(crate) latencies: Vec<Duration>,
    pub(crate) statuses: BTreeMap<u16, usize>,
}

impl Load {
    pub(crate) fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(at).copied().unwrap_or_default()
    }

    pub(crate) fn statuses(&self) -> String {
        self.statuses.iter().map(|(s, n)| format!("{n}× {s}")).collect::<Vec<_>>().join(", ")
    }
}

/// Sends `total` requests, `CONCURRENCY` at a time; request `n` is made by `send(n)`.
pub(crate) async fn load<F, Fut>(total: usize, send: F) -> anyhow::Result<Load>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send,
{
    let send = Arc::new(send);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (send, next) = (Arc::clone(&send), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return Ok::<_, reqwest::Error>(seen);
                }
                let at = Instant::now();
                let response = send(n).await?;
                let status = response.status().as_u16();
                let _ = response.bytes().await?;
                seen.push((at.elapsed(), status));
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut statuses = BTreeMap::new();
    for task in tasks {
        for (latency, status) in task.await?? {
            latencies.push(latency);
            *statuses.entry(status).or_insert(0) += 1;
        }
    }
    Ok(Load { elapsed: started.elapsed(), latencies, statuses })
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub(crate) fn client_from(address: IpAddr) -> reqwest::Result<Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(CSRF.0, reqwest::header::HeaderValue::from_static(CSRF.1));
    Client::builder().local_address(address).default_headers(headers).cookie_store(true).build()
}

pub(crate) fn wrong_code(n: usize) -> String {
    let bits = uuid::Uuid::new_v4().as_u128() as u64 ^ n as u64;
    InvitationCode::from_random_bits(bits).grouped()
}

pub fn report(binary: &Path) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("portico.db").display());
    let (running, base) = server::start(binary, &database)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(code_checks(&base))?;
    let people = runtime.block_on(accounts(&database))?;
    runtime.block_on(sign_ins(&base, people, running.pid()))?;
    Ok(())
}

/// CPU seconds (user + system) a process has used, from /proc (Linux).
fn cpu_seconds(pid: &str) -> anyhow::Result<f64> {
    let (user, system) = cpu_split(pid)?;
    Ok(user + system)
}

/// User and system CPU seconds of a process.
fn cpu_split(pid: &str) -> anyhow::Result<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    Ok((ticks(11) / 100.0, ticks(12) / 100.0))
}

/// One account per client: people sign in as themselves, and one account's
/// throttle (which counts attempts before the password is checked, so
/// parallel guesses cannot pass it) is not what is being measured.
async fn accounts(database: &str) -> anyhow::Result<Arc<Vec<String>>> {
    Ok(Arc::new(make_accounts(database, "bench.person", CONCURRENCY).await?))
}

/// `count` accounts made straight in the database, with the demo password:
/// `<prefix>.<n>@bench.portico.example`.
pub(crate) async fn make_accounts(database: &str, prefix: &str, count: usize) -> anyhow::Result<Vec<String>> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database).await?;
    let hash = tokio::task::spawn_blocking(|| passwords::hash_blocking(DEMO_PASSWORD)).await??;
    let mut emails = Vec::new();
    for n in 0..count {
        let email = format!("{prefix}.{n}@bench.portico.example");
        sqlx::query(
            "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
             VALUES ($1, $2, '2026-01-01T00:00:00.000000Z', $3, $4, '2026-01-01T00:00:00.000000Z')",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&email)
        .bind(&hash)
        .bind(format!("Bench Person {n}"))
        .execute(&pool)
        .await?;
        emails.push(email);
    }
    pool.close().await;
    Ok(emails)
}

async fn code_checks(base: &str) -> anyhow::Result<()> {
    let clients: Arc<Vec<Client>> = Arc::new(
        (0..ADDRESSES)
            .map(|k| client_from(IpAddr::V4(Ipv4Addr::new(127, 0, (2 + k / 250) as u8, (2 + k % 250) as u8))))
            .collect::<reqwest::Result<_>>()?,
    );
    let total = ADDRESSES * PER_ADDRESS;
    let url = format!("{base}/api/v1/registration");
    let health = format!("{base}/healthz");

    let baseline = {
        let (clients, health) = (Arc::clone(&clients), health.clone());
        load(total, move |n| clients[n % ADDRESSES].get(&health).send()).await?
    };
    let spread = {
        let (clients, url) = (Arc::clone(&clients), url.clone());
        load(total, move |n| {
            let body = json!({ "code": wrong_code(n), "date_of_birth": "1970-01-01" });
            clients[n % ADDRESSES].post(&url).json(&body).send()
        })
        .await?
    };
    let one = Arc::new(client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 9, 9)))?);
    let locked = {
        let url = url.clone();
        load(total, move |n| {
            let body = json!({ "code": wrong_code(n), "date_of_birth": "1970-01-01" });
            one.post(&url).json(&body).send()
        })
        .await?
    };

    println!("\n## Registration code checks: {total} wrong codes, {CONCURRENCY} at a time, SQLite\n");
    println!("| requests | per second | ratio to /healthz | p50 | p99 | answers |");
    println!("| --- | ---: | ---: | ---: | ---: | --- |");
    for (name, run) in [
        ("`GET /healthz` (baseline)", &baseline),
        ("wrong codes from 200 addresses (whole path)", &spread),
        ("wrong codes from one address (locked out after 30)", &locked),
    ] {
        println!(
            "| {name} | {:.0} | {:.2} | {} | {} | {} |",
            run.rate(),
            run.rate() / baseline.rate(),
            ms(run.percentile(0.5)),
            ms(run.percentile(0.99)),
            run.statuses()
        );
    }
    Ok(())
}

/// Raw argon2id verifications per second on every core, for `window`.
fn raw_hash_rate(window: Duration) -> anyhow::Result<f64> {
    let hash = passwords::hash_blocking(DEMO_PASSWORD)?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while started.elapsed() < window {
                    if passwords::verify_blocking(DEMO_PASSWORD, &hash).unwrap_or(false) {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// `/healthz` every 20 ms until `stop`; its latencies.
async fn probe(base: String, stop: Arc<AtomicBool>) -> anyhow::Result<Vec<Duration>> {
    let client = Client::new();
    let mut seen = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let at = Instant::now();
        client.get(format!("{base}/healthz")).send().await?.error_for_status()?;
        seen.push(at.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(seen)
}

fn percentile(latencies: &[Duration], p: f64) -> Duration {
    Load { elapsed: Duration::from_secs(1), latencies: latencies.to_vec(), statuses: BTreeMap::new() }.percentile(p)
}

async fn sign_ins(base: &str, people: Arc<Vec<String>>, server_pid: u32) -> anyhow::Result<()> {
    let raw = tokio::task::spawn_blocking(|| raw_hash_rate(Duration::from_secs(5))).await??;

    let stop = Arc::new(AtomicBool::new(false));
    let idle = tokio::spawn(probe(base.to_owned(), Arc::clone(&stop)));
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let idle = idle.await??;

    let clients: Arc<Vec<Client>> = Arc::new(
        (0..CONCURRENCY).map(|_| client_from(IpAddr::V4(Ipv4Addr::LOCALHOST))).collect::<reqwest::Result<_>>()?,
    );
    let url = format!("{base}/api/v1/session");
    let stop = Arc::new(AtomicBool::new(false));
    let busy = tokio::spawn(probe(base.to_owned(), Arc::clone(&stop)));
    let total = (raw * 8.0) as usize; // about eight seconds of hashing
    let (client_before, server_before) = (cpu_seconds("self")?, cpu_split(&server_pid.to_string())?);
    let signed_in = load(total.max(200), move |n| {
        let body = json!({ "email": people[n % CONCURRENCY], "password": DEMO_PASSWORD });
        clients[n % CONCURRENCY].post(&url).json(&body).send()
    })
    .await?;
    let client_cpu = cpu_seconds("self")? - client_before;
    let server_after = cpu_split(&server_pid.to_string())?;
    let (server_user, server_system) = (server_after.0 - server_before.0, server_after.1 - server_before.1);
    let server_cpu = server_user + server_system;
    stop.store(true, Ordering::Relaxed);
    let busy = busy.await??;
    // The load client runs on the same cores: what it used was not the server's to hash with.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
    let client_share = (client_cpu / (signed_in.elapsed.as_secs_f64() * cores)).min(0.99);

    println!("\n## Password hashing: argon2id m=19456 KiB, t=2, p=1\n");
    println!("| | per second | ratio |");
    println!("| --- | ---: | ---: |");
    println!("| raw argon2id verifications, every core | {raw:.1} | 1.00 |");
    println!(
        "| sign-ins over HTTP ({CONCURRENCY} people at once; {}) | {:.1} | {:.2} |",
        signed_in.statuses(),
        signed_in.rate(),
        signed_in.rate() / raw
    );
    println!(
        "| the same, against the cores the load client left the server ({:.0}% of the machine was the client; \
         the server used {:.1} CPU-seconds, {:.1} of them in the kernel, in {:.1} s) | {:.1} | {:.2} |",
        client_share * 100.0,
        server_cpu,
        server_system,
        signed_in.elapsed.as_secs_f64(),
        signed_in.rate(),
        signed_in.rate() / (raw * (1.0 - client_share))
    );
    println!("\n| `/healthz` while… | p50 | p99 | answered |");
    println!("| --- | ---: | ---: | ---: |");
    println!("| idle | {} | {} | {} |", ms(percentile(&idle, 0.5)), ms(percentile(&idle, 0.99)), idle.len());
    println!(
        "| sign-ins saturate the cores | {} | {} | {} |",
        ms(percentile(&busy, 0.5)),
        ms(percentile(&busy, 0.99)),
        busy.len()
    );
    Ok(())
}
