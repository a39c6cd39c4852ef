//! CSV import: patients per second through the upload API of a running
//! release server (upload, check, commit, until the page would say it is
//! done), against the fastest plain batched INSERT of the same rows into the
//! same engine, measured in the same run; and the server's peak memory while
//! it imports a file ten times larger, which a streaming import keeps flat.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_server::db::Engine;
use serde_json::Value;

use crate::baseline::{self, Patient};
use crate::server::{self, CSRF};

const HEADER: &str = "nhs_number,given_name,family_name,date_of_birth,address_line_1,postcode\r\n";

fn write_csv(out: &mut impl std::io::Write, rows: &[Patient]) -> std::io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    for p in rows {
        write!(out, "{},{},{},{},{},{}\r\n", p.nhs, p.given, p.family, p.dob, p.address_line, p.postcode)?;
    }
    Ok(())
}

/// How long each step of one import took.
struct Timed {
    /// Upload, streamed to disk and checked row by row, until the preview.
    checked: Duration,
    /// From the commit request until the import says `committed`.
    committed: Duration,
}

impl Timed {
    fn total(&self) -> Duration {
        self.checked + self.committed
    }
}

/// Uploads `file` as team admin and commits it, as the page does.
fn import(base: &str, file: &Path) -> anyhow::Result<Timed> {
    let (client, team) = server::signed_in_admin(base)?;
    let started = Instant::now();
    let preview: Value = client
        .post(format!("{base}/api/v1/staff/teams/{team}/imports?file_name=bench.csv"))
        .header(CSRF.0, CSRF.1)
        .header("content-type", "text/csv")
        .body(File::open(file)?)
        .send()?
        .error_for_status()?
        .json()?;
    let checked = started.elapsed();
    anyhow::ensure!(preview["bad_rows"] == 0, "the bench file has bad rows: {}", preview["problems"]);
    let id = preview["id"].as_str().context("no import id")?;
    let started = Instant::now();
    client
        .post(format!("{base}/api/v1/staff/teams/{team}/imports/{id}/commit"))
        .header(CSRF.0, CSRF.1)
        .send()?
        .error_for_status()?;
    loop {
        let now: Value = client.get(format!("{base}/api/v1/staff/teams/{team}/imports/{id}")).send()?.json()?;
        if now["state"] == "committed" {
            break;
        }
        anyhow::ensure!(now["commit_error"].is_null(), "the commit failed: {}", now["commit_error"]);
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(Timed { checked, committed: started.elapsed() })
}

/// The most memory the process has held (VmHWM), in MiB.
fn peak_mib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM")?;
    Ok(kib / 1024.0)
}

pub fn report(binary: &Path, count: usize, memory_rows: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let rows = baseline::patients(count);
    let csv = dir.path().join("patients.csv");
    write_csv(&mut BufWriter::new(File::create(&csv)?), &rows)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let admin = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());

    println!("\n## CSV import: {count} patients uploaded, checked and committed\n");
    println!(
        "| engine | raw batched INSERT (patients/s) | CSV import (patients/s) | ratio | of which check | commit |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut small_peak = None;
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let (raw_url, import_url) = baseline::databases(&runtime, engine, dir.path(), &admin)?;
        let raw = runtime.block_on(baseline::raw_insert(&raw_url, &rows))?;
        let (running, base) = server::start(binary, &import_url)?;
        let timed = import(&base, &csv)?;
        if engine == Engine::Sqlite {
            small_peak = Some(peak_mib(running.pid())?);
        }
        drop(running);
        let raw_rate = count as f64 / raw.as_secs_f64();
        let rate = count as f64 / timed.total().as_secs_f64();
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        println!(
            "| {name} | {raw_rate:.0} | {rate:.0} | {:.2} | {:.1} s | {:.1} s |",
            rate / raw_rate,
            timed.checked.as_secs_f64(),
            timed.committed.as_secs_f64()
        );
    }

    // Memory: the same server binary on SQLite, a file ten times the size.
    let big = dir.path().join("big.csv");
    write_csv(&mut BufWriter::new(File::create(&big)?), &baseline::patients(memory_rows))?;
    let bytes = std::fs::metadata(&big)?.len();
    let url = format!("sqlite://{}", dir.path().join("memory.db").display());
    let (running, base) = server::start(binary, &url)?;
    let idle = peak_mib(running.pid())?;
    let timed = import(&base, &big)?;
    let peak = peak_mib(running.pid())?;
    drop(running);
    let small = small_peak.context("no SQLite run")?;
    println!("\n## Peak memory of the server (VmHWM), SQLite\n");
    println!("| server | peak (MiB) | against the {count}-row import |");
    println!("| --- | ---: | ---: |");
    println!("| started, idle | {idle:.1} | {:.2} |", idle / small);
    println!("| after importing {count} rows | {small:.1} | 1.00 |");
    println!(
        "| after importing {memory_rows} rows ({:.0} MB file, {:.0} s) | {peak:.1} | {:.2} |",
        bytes as f64 / 1e6,
        timed.total().as_secs_f64(),
        peak / small
    );
    Ok(())
}
