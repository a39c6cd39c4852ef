//! FHIR import: patients per second posted as transaction Bundles of 1,000 to
//! a running release server, against the fastest plain batched INSERT of the
//! same rows into the same engine, measured in the same run.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_server::db::{Db, Statement};
use portico_types::NhsNumber;
use serde_json::{Value, json};

const BUNDLE: usize = 1_000;

/// The synthetic patients: valid test NHS numbers from the 999 range.
fn patients(count: usize) -> Vec<(String, String, String, String)> {
    (999_500_000u32..)
        .filter_map(NhsNumber::from_stem)
        .take(count)
        .enumerate()
        .map(|(i, nhs)| {
            let dob = format!("{}-{:02}-{:02}", 1930 + i % 90, 1 + i % 12, 1 + i % 28);
            (nhs.as_digits(), format!("Given{i}"), format!("Family{}", i % 977), dob)
        })
        .collect()
}

fn bundle(chunk: &[(String, String, String, String)]) -> Value {
    let entries: Vec<Value> = chunk
        .iter()
        .map(|(nhs, given, family, dob)| {
            json!({ "resource": {
                "resourceType": "Patient",
                "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs }],
                "name": [{ "family": family, "given": [given] }],
                "birthDate": dob,
                "address": [{ "line": ["1 Test Street"], "postalCode": "LS1 4AP" }]
            }})
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "transaction", "entry": entries })
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(binary: &Path, database_url: &str) -> anyhow::Result<(Running, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(binary)
        .args(["demo", "--records", "0"])
        .env("DATABASE_URL", database_url)
        .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
        .env("PORTICO_PUBLIC_BASE_URL", format!("{base}/"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting portico")?;
    let running = Running(child);
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("{base}/readyz")).send().map(|r| r.status().as_u16()).unwrap_or(0) != 200 {
        anyhow::ensure!(Instant::now() < deadline, "portico did not become ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((running, base))
}

/// Signs in as the demo team admin and makes a feed key for her team.
fn feed_key(base: &str) -> anyhow::Result<String> {
    let client = reqwest::blocking::Client::builder().cookie_store(true).build()?;
    let csrf = ("x-portico-csrf", "1");
    client
        .post(format!("{base}/api/v1/session"))
        .header(csrf.0, csrf.1)
        .json(&json!({ "email": "asha.patel@demo.portico.example", "password": portico_server::demo::DEMO_PASSWORD }))
        .send()?
        .error_for_status()?;
    let teams: Value = client.get(format!("{base}/api/v1/staff/teams")).send()?.json()?;
    let team = teams["teams"][0]["id"].as_str().context("no team")?.to_owned();
    let key: Value = client
        .post(format!("{base}/api/v1/staff/teams/{team}/feed-keys"))
        .header(csrf.0, csrf.1)
        .json(&json!({ "name": "bench" }))
        .send()?
        .error_for_status()?
        .json()?;
    Ok(key["key"].as_str().context("no key")?.to_owned())
}

fn post_all(base: &str, key: &str, bundles: &[String]) -> anyhow::Result<Duration> {
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(300)).build()?;
    let started = Instant::now();
    for body in bundles {
        let response = client
            .post(format!("{base}/api/v1/feeds/fhir"))
            .bearer_auth(key)
            .header("content-type", "application/fhir+json")
            .body(body.clone())
            .send()?;
        anyhow::ensure!(response.status().is_success(), "bundle refused: {}", response.status());
    }
    Ok(started.elapsed())
}

/// The baseline: the same rows, plain multi-row INSERTs of 1,000 a transaction.
async fn raw_insert(database_url: &str, rows: &[(String, String, String, String)]) -> anyhow::Result<Duration> {
    let db = Db::connect(database_url, 2).await?;
    let started = Instant::now();
    for chunk in rows.chunks(BUNDLE) {
        let mut tx = db.begin_write().await?;
        // 1,000 rows x 7 columns stays under both engines' bind-parameter limits.
        let mut insert = Statement::new(
            "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, created_at, updated_at) ",
        );
        insert.values(chunk, |row, (nhs, given, family, dob)| {
            row.bind(uuid::Uuid::now_v7().to_string())
                .bind(nhs.as_str())
                .bind(given.as_str())
                .bind(family.as_str())
                .bind(format!("{given} {family}").to_lowercase())
                .bind(dob.as_str())
                .bind("2026-11-25T00:00:00.000000Z")
                .bind("2026-11-25T00:00:00.000000Z");
        });
        insert.query()?.execute(&mut *tx).await?;
        tx.commit().await?;
    }
    let elapsed = started.elapsed();
    db.pool.close().await;
    Ok(elapsed)
}

async fn fresh_postgres(admin: &str) -> anyhow::Result<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(admin).await.context("PostgreSQL for the bench")?;
    let name = format!("portico_bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await?;
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').context("admin URL has no database")?;
    Ok(format!("{base}/{name}"))
}

pub fn report(binary: &Path, count: usize) -> anyhow::Result<()> {
    let rows = patients(count);
    let bundles: Vec<String> = rows.chunks(BUNDLE).map(|c| bundle(c).to_string()).collect();
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let admin = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    println!("\n## FHIR import: {count} patients in transaction Bundles of {BUNDLE}\n");
    println!("| engine | raw batched INSERT (rows/s) | FHIR import (patients/s) | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for engine in ["SQLite", "PostgreSQL"] {
        let (raw_url, feed_url) = match engine {
            "SQLite" => (
                format!("sqlite://{}", dir.path().join("raw.db").display()),
                format!("sqlite://{}", dir.path().join("feed.db").display()),
            ),
            _ => (runtime.block_on(fresh_postgres(&admin))?, runtime.block_on(fresh_postgres(&admin))?),
        };
        let raw = runtime.block_on(raw_insert(&raw_url, &rows))?;
        let (server, base) = start(binary, &feed_url)?;
        let key = feed_key(&base)?;
        let fed = post_all(&base, &key, &bundles)?;
        drop(server);
        let raw_rate = count as f64 / raw.as_secs_f64();
        let fed_rate = count as f64 / fed.as_secs_f64();
        println!("| {engine} | {raw_rate:.0} | {fed_rate:.0} | {:.2} |", fed_rate / raw_rate);
    }
    Ok(())
}
