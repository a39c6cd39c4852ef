//! FHIR import: patients per second posted as transaction Bundles of 1,000 to
//! a running release server, against the fastest plain batched INSERT of the
//! same rows into the same engine, measured in the same run.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_server::db::Engine;
use serde_json::{Value, json};

use crate::baseline::{self, PER_TRANSACTION, Patient};
use crate::server::{self, CSRF};

fn bundle(chunk: &[Patient]) -> Value {
    let entries: Vec<Value> = chunk
        .iter()
        .map(|p| {
            json!({ "resource": {
                "resourceType": "Patient",
                "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": p.nhs }],
                "name": [{ "family": p.family, "given": [p.given] }],
                "birthDate": p.dob,
                "address": [{ "line": [p.address_line], "postalCode": p.postcode }]
            }})
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "transaction", "entry": entries })
}

/// A feed key for the demo admin's team.
fn feed_key(base: &str) -> anyhow::Result<String> {
    let (client, team) = server::signed_in_admin(base)?;
    let key: Value = client
        .post(format!("{base}/api/v1/staff/teams/{team}/feed-keys"))
        .header(CSRF.0, CSRF.1)
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

pub fn report(binary: &Path, count: usize) -> anyhow::Result<()> {
    let rows = baseline::patients(count);
    let bundles: Vec<String> = rows.chunks(PER_TRANSACTION).map(|c| bundle(c).to_string()).collect();
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let admin = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    println!("\n## FHIR import: {count} patients in transaction Bundles of {PER_TRANSACTION}\n");
    println!("| engine | raw batched INSERT (patients/s) | FHIR import (patients/s) | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let (raw_url, feed_url) = baseline::databases(&runtime, engine, dir.path(), &admin)?;
        let raw = runtime.block_on(baseline::raw_insert(&raw_url, &rows))?;
        let (running, base) = server::start(binary, &feed_url)?;
        let key = feed_key(&base)?;
        let fed = post_all(&base, &key, &bundles)?;
        drop(running);
        let raw_rate = count as f64 / raw.as_secs_f64();
        let fed_rate = count as f64 / fed.as_secs_f64();
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        println!("| {name} | {raw_rate:.0} | {fed_rate:.0} | {:.2} |", fed_rate / raw_rate);
    }
    Ok(())
}
