//! Time from process start to `/readyz` answering 200.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

const RUNS: usize = 7;

fn free_port() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

fn ready(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else { return false };
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).is_ok() && answer.ends_with(b"200")
}

/// Starts `portico serve` on `database` and returns how long until it is ready.
fn time_to_ready(binary: &Path, database: &Path) -> anyhow::Result<Duration> {
    let addr = free_port()?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}", database.display()))
        .env("PORTICO_BIND", addr.to_string())
        .env("PORTICO_PUBLIC_BASE_URL", format!("http://{addr}/"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}: run scripts/bench, which builds it", binary.display()))?;
    let deadline = started + Duration::from_secs(30);
    let result = loop {
        if ready(addr) {
            break Ok(started.elapsed());
        }
        if Instant::now() > deadline {
            break Err(anyhow::anyhow!("not ready within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn time_to_exit(binary: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = Command::new(binary).arg("--version").stdout(Stdio::null()).status()?;
    anyhow::ensure!(status.success(), "portico --version failed");
    Ok(started.elapsed())
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn report(binary: &Path) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let empty = dir.path().join("empty.db");
    let seeded = dir.path().join("seeded.db");
    // Both files are created (and migrated) before timing, so each run measures
    // a start on an existing database, as in production.
    time_to_ready(binary, &empty)?;
    let seed = Command::new(binary)
        .args(["seed-demo", "--records", "10000"])
        .env("DATABASE_URL", format!("sqlite://{}", seeded.display()))
        .env("RUST_LOG", "warn")
        .status()?;
    anyhow::ensure!(seed.success(), "seeding 10,000 records failed");

    let mut baseline = Vec::new();
    let mut on_empty = Vec::new();
    let mut on_seeded = Vec::new();
    // Interleaved, so a noisy moment hurts all three alike.
    for _ in 0..RUNS {
        baseline.push(time_to_exit(binary)?);
        on_empty.push(time_to_ready(binary, &empty)?);
        on_seeded.push(time_to_ready(binary, &seeded)?);
    }
    let (baseline, on_empty, on_seeded) = (median(baseline), median(on_empty), median(on_seeded));
    let ratio = |d: Duration| d.as_secs_f64() / baseline.as_secs_f64();
    println!("\n## Start-up: process start to /readyz answering (median of {RUNS}, SQLite)\n");
    println!("| case | time | ratio to baseline |");
    println!("| --- | ---: | ---: |");
    println!("| baseline: `portico --version` start to exit | {} | 1.00 |", ms(baseline));
    println!("| empty database | {} | {:.2} |", ms(on_empty), ratio(on_empty));
    println!("| 10,000 records | {} | {:.2} |", ms(on_seeded), ratio(on_seeded));
    println!("\n10,000 records against empty: {:.2}", on_seeded.as_secs_f64() / on_empty.as_secs_f64());
    Ok(())
}
