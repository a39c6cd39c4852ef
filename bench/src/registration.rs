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
struct Load {
    elapsed: Duration,
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, usize>,
}

impl Load {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(at).copied().unwrap_or_default()
    }

    fn statuses(&self) -> String {
        self.statuses.iter().map(|(s, n)| format!("{n}× {s}")).collect::<Vec<_>>().join(", ")
    }
}

/// Sends `total` requests, `CONCURRENCY` at a time; request `n` is made by `send(n)`.
async fn load<F, Fut>(total: usize, send: F) -> anyhow::Result<Load>
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

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn client_from(address: IpAddr) -> reqwest::Result<Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(CSRF.0, reqwest::header::HeaderValue::from_static(CSRF.1));
    Client::builder().local_address(address).default_headers(headers).cookie_store(true).build()
}

fn wrong_code(n: usize) -> String {
    let bits = uuid::Uuid::new_v4().as_u128() as u64 ^ n as u64;
    InvitationCode::from_random_bits(bits).grouped()
}

pub fn report(binary: &Path) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("portico.db").display());
    let (_running, base) = server::start(binary, &database)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(code_checks(&base))?;
    runtime.block_on(sign_ins(&base))?;
    Ok(())
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

async fn sign_ins(base: &str) -> anyhow::Result<()> {
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
    let signed_in = load(total.max(200), move |n| {
        let body = json!({ "email": "asha.patel@demo.portico.example", "password": DEMO_PASSWORD });
        clients[n % CONCURRENCY].post(&url).json(&body).send()
    })
    .await?;
    stop.store(true, Ordering::Relaxed);
    let busy = busy.await??;

    println!("\n## Password hashing: argon2id m=19456 KiB, t=2, p=1\n");
    println!("| | per second | ratio |");
    println!("| --- | ---: | ---: |");
    println!("| raw argon2id verifications, every core | {raw:.1} | 1.00 |");
    println!(
        "| sign-ins over HTTP ({CONCURRENCY} clients; {}) | {:.1} | {:.2} |",
        signed_in.statuses(),
        signed_in.rate(),
        signed_in.rate() / raw
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
