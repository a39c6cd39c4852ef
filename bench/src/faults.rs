//! `scripts/battery faults`: what Portico loses, doubles, and how long it
//! takes to come back, when
//!
//! 1. an instance is killed (`kill -9`) with registrations in flight (and,
//!    from `scripts/bench kill`, in the middle of a campaign);
//! 2. PostgreSQL restarts under load (a private cluster, never the machine's);
//! 3. the SMTP server and the Notify-compatible server are down for a while
//!    with emails and texts queued;
//! 4. the disk is full under the SQLite file.
//!
//! "Lost" is something committed, or a patient's way to register, that is
//! gone afterwards; "doubled" is anything there twice (an account, an
//! invitation used by a second account, an email or text delivered twice).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::journeys::{Invitable, PATIENT_PASSWORD, Site, person};
use crate::server::Launch;

/// One fault's figures.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub fault: String,
    pub lost: u64,
    pub doubled: u64,
    /// Seconds from the fault ending (or the kill) until service came back.
    pub back_after: Option<f64>,
    pub note: String,
}

pub fn report(binary: &Path, short: bool) -> anyhow::Result<Vec<Outcome>> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut outcomes = Vec::new();
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", dir.path().join("kill.db").display());
    outcomes.push(runtime.block_on(kill_during_registrations(binary, &sqlite, "SQLite"))?);
    if !short {
        let admin = crate::load::postgres_admin();
        let url = runtime.block_on(crate::baseline::fresh_postgres(&admin))?;
        let on_postgres = runtime.block_on(kill_during_registrations(binary, &url, "PostgreSQL"));
        runtime.block_on(crate::load::drop_postgres(&admin, &url))?;
        outcomes.push(on_postgres?);
    }
    if !short {
        let seconds = std::env::var("PORTICO_BATTERY_SECONDS").ok().and_then(|n| n.parse().ok()).unwrap_or(30);
        outcomes.push(runtime.block_on(crate::fault_postgres::restart_under_load(binary, seconds))?);
        outcomes.push(runtime.block_on(crate::fault_delivery::outage(binary))?);
        outcomes.push(runtime.block_on(crate::fault_disk::disk_full(binary))?);
    }
    print_table(&outcomes);
    if !short {
        let runs = std::env::var("PORTICO_BENCH_KILL_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
        crate::campaign_crash::report(binary, runs)?;
    }
    Ok(outcomes)
}

pub fn print_table(outcomes: &[Outcome]) {
    println!("\n## Faults\n");
    println!("| fault | lost | doubled | back after | what happened |");
    println!("| --- | ---: | ---: | ---: | --- |");
    for o in outcomes {
        let back = o.back_after.map_or_else(|| "never".to_owned(), |s| format!("{s:.1} s"));
        println!("| {} | {} | {} | {back} | {} |", o.fault, o.lost, o.doubled, o.note);
    }
}

/// Issues a letter invitation for each record; (record, code) pairs.
pub async fn letters(site: &Site, records: Vec<Invitable>) -> anyhow::Result<Vec<(Invitable, String)>> {
    let mut issued = Vec::new();
    for record in records {
        let url = format!("{}/api/v1/staff/records/{}/invitations", site.bases[0], record.id);
        let answer: serde_json::Value =
            site.admin.post(url).json(&json!({ "channel": "letter" })).send().await?.error_for_status()?.json().await?;
        let code = answer["code"].as_str().unwrap_or_default().to_owned();
        issued.push((record, code));
    }
    Ok(issued)
}

/// Takes `count` invitable records from the site.
pub fn take_records(site: &Site, count: usize) -> Vec<Invitable> {
    site.records
        .lock()
        .map(|mut r| {
            let at = r.len().saturating_sub(count);
            r.split_off(at)
        })
        .unwrap_or_default()
}

/// Whether `email` signs in with the battery's password and sees a record.
pub async fn signs_in(base: &str, email: &str) -> anyhow::Result<bool> {
    let patient = person()?;
    let answer = patient
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "email": email, "password": PATIENT_PASSWORD }))
        .send()
        .await?;
    if answer.status() != 200 {
        return Ok(false);
    }
    Ok(patient.get(format!("{base}/api/v1/me/record")).send().await?.status() == 200)
}

/// Things there twice: one address on two accounts, an invitation used by
/// an account that does not own its record, an account owning two records.
pub async fn doubles(db: &sqlx::AnyPool) -> anyhow::Result<u64> {
    let counts: [i64; 3] = [
        sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT lower(email) FROM accounts GROUP BY lower(email) HAVING count(*) > 1) d",
        )
        .fetch_one(db)
        .await?,
        sqlx::query_scalar(
            "SELECT count(*) FROM invitations i JOIN records r ON r.id = i.record_id WHERE i.state = 'used' \
             AND (r.owner_account_id IS NULL OR r.owner_account_id <> i.used_by)",
        )
        .fetch_one(db)
        .await?,
        sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT owner_account_id FROM records WHERE owner_account_id IS NOT NULL \
             GROUP BY owner_account_id HAVING count(*) > 1) d",
        )
        .fetch_one(db)
        .await?,
    ];
    Ok(counts.iter().map(|&n| u64::try_from(n).unwrap_or(0)).sum())
}

/// Patients' accounts the battery made that own no record: half made.
pub async fn half_made(db: &sqlx::AnyPool) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM accounts a WHERE a.email LIKE 'battery.%' \
         AND NOT EXISTS (SELECT 1 FROM records r WHERE r.owner_account_id = a.id)",
    )
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Registrations in flight when the instance is killed: afterwards each
/// patient either signs in (their registration committed) or registers
/// again from the start with the same code; nothing is made twice.
async fn kill_during_registrations(binary: &Path, url: &str, engine: &str) -> anyhow::Result<Outcome> {
    const PEOPLE: usize = 24;
    let mut launch = Launch::new(url)?;
    launch.records = 200;
    let running = launch.start(binary).await?;
    let site = Arc::new(Site::open(vec![launch.base()], url).await?);
    let records = take_records(&site, PEOPLE);
    let issued = letters(&site, records).await?;
    let people: Vec<(Invitable, String, String)> = issued
        .into_iter()
        .enumerate()
        .map(|(k, (record, code))| {
            (record, code, format!("battery.kill.{k}.{}@patients.battery.example", std::process::id()))
        })
        .collect();
    let mut tasks = Vec::new();
    for (k, (record, code, email)) in people.iter().cloned().enumerate() {
        let site = Arc::clone(&site);
        tasks.push(tokio::spawn(async move {
            // Staggered, so the kill finds journeys at every step.
            tokio::time::sleep(Duration::from_millis(50 * k as u64)).await;
            site.register_with(k, &code, &record.date_of_birth, &email).await
        }));
    }
    let kill_after = Duration::from_millis(400 + u64::from(std::process::id()) % 600);
    tokio::time::sleep(kill_after).await;
    let killed = Instant::now();
    drop(running); // SIGKILL
    let mut finished_before = 0;
    for task in tasks {
        if matches!(task.await?, Ok(Some(_))) {
            finished_before += 1;
        }
    }
    let running = launch.start(binary).await?;
    let back_after = killed.elapsed().as_secs_f64();
    let half = half_made(&site.db).await?;
    let (mut lost, mut again) = (0, 0);
    for (k, (record, code, email)) in people.iter().enumerate() {
        if signs_in(&site.bases[0], email).await? {
            continue;
        }
        again += 1;
        if site.register_with(k, code, &record.date_of_birth, email).await?.is_none() {
            lost += 1;
        }
    }
    let doubled = doubles(&site.db).await?;
    drop(running);
    Ok(Outcome {
        fault: format!("kill -9 with {PEOPLE} registrations in flight, {engine}"),
        lost,
        doubled,
        back_after: Some(back_after),
        note: format!(
            "killed after {} ms: {finished_before} had finished; of the rest, {again} registered again with \
             their code, {lost} could not; {half} half-made accounts (back after = kill to ready)",
            kill_after.as_millis()
        ),
    })
}
