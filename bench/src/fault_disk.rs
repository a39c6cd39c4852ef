//! The disk full under the SQLite file, simulated with `RLIMIT_FSIZE` (set
//! by the shell that starts the server, with SIGXFSZ ignored so that a write
//! past the limit fails with EFBIG): with the write-ahead log emptied into
//! the database, no file may grow past the database's size. Registrations
//! run until writes fail; then reads are tried, and the server restarts
//! without the limit (space has returned), timed until a registration
//! succeeds again.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::faults::{Outcome, doubles, half_made, signs_in, take_records};
use crate::journeys::{Site, person};
use crate::server::Launch;

pub async fn disk_full(binary: &Path) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("portico.db");
    let mut launch = Launch::new(&format!("sqlite://{}", file.display()))?;
    launch.records = 400;
    let running = launch.start(binary).await?;
    let base = launch.base();
    let site = Arc::new(Site::open(vec![base.clone()], &launch.database_url).await?);
    let mut committed = Vec::new();
    for n in 0..5 {
        committed.extend(site.register(n).await?);
    }
    // Stopped, the write-ahead log emptied into the file, started again
    // where no file may grow past the database's size.
    drop(running);
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&site.db).await?;
    let size = std::fs::metadata(&file)?.len();
    launch.file_size_limit = Some(size.div_ceil(1024) * 1024);
    let mut running = launch.start(binary).await?;
    // A patient signed in before the disk fills, to read with afterwards.
    let reader = person()?;
    reader
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "email": committed.first().context("no registration")?.email,
            "password": crate::journeys::PATIENT_PASSWORD }))
        .send()
        .await?
        .error_for_status()?;

    // Registrations until one fails.
    let mut refusal = None;
    let mut before_full = 0;
    for n in 0..400 {
        if site.register(n).await?.is_some() {
            before_full += 1;
            continue;
        }
        refusal = site
            .calls
            .take()
            .into_iter()
            .flat_map(|(name, calls)| calls.into_iter().map(move |c| (name, c)))
            .find(|(_, c)| c.status >= 500 || c.status == 0);
        break;
    }
    let _ = site.calls.take();
    let failure = refusal.map_or_else(
        || "no write failed".to_owned(),
        |(name, call)| {
            format!(
                "after {before_full} registrations `{name}` answered {}",
                if call.status == 0 { "nothing".into() } else { call.status.to_string() }
            )
        },
    );
    let problem = write_probe(&site, &base).await?;
    let alive =
        !running.exited() && reqwest::get(format!("{base}/healthz")).await.map(|r| r.status() == 200).unwrap_or(false);
    let record_read = reader.get(format!("{base}/api/v1/me/record")).send().await?.status().as_u16();
    let search = site.admin.get(format!("{base}/api/v1/staff/teams")).send().await?.status().as_u16();

    // Space returns: the limit of a running process cannot be lifted from
    // outside here (prlimit --pid is not permitted), so the server restarts
    // without it, as an operator would once the disk has room.
    let lifted = Instant::now();
    drop(running);
    launch.file_size_limit = None;
    running = launch.start(binary).await?;
    let mut back_after = None;
    for n in 0..50 {
        if site.register(1_000 + n).await?.is_some() {
            back_after = Some(lifted.elapsed().as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = site.calls.take();
    let mut lost = 0;
    for account in &committed {
        if !signs_in(&base, &account.email).await? {
            lost += 1;
        }
    }
    let doubled = doubles(&site.db).await?;
    let half = half_made(&site.db).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&site.db).await?;
    drop(running);
    Ok(Outcome {
        fault: "disk full under the SQLite file (RLIMIT_FSIZE)".into(),
        lost,
        doubled,
        back_after,
        note: format!(
            "{failure}; a write then: {problem}; server {}; a signed-in patient's record read: {record_read}, staff teams: {search}; \
             {} registrations from before all sign in; {half} half-made accounts; integrity_check: {integrity}; \
             {} (back after = limit lifted to the first registration done)",
            if alive { "still up, /healthz 200" } else { "DOWN" },
            committed.len(),
            "resumed after a restart without the limit"
        ),
    })
}

/// One write (a letter invitation) as it is answered now: status, content
/// type, and the problem's type and title.
async fn write_probe(site: &Site, base: &str) -> anyhow::Result<String> {
    let record = take_records(site, 1).pop().context("no record left")?;
    let answer = site
        .admin
        .post(format!("{base}/api/v1/staff/records/{}/invitations", record.id))
        .json(&serde_json::json!({ "channel": "letter" }))
        .send()
        .await?;
    let status = answer.status().as_u16();
    let kind = answer.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("none").to_owned();
    let body: serde_json::Value = answer.json().await.unwrap_or_default();
    Ok(format!(
        "{status} {kind} {} \"{}\"",
        body["type"].as_str().unwrap_or("-"),
        body["title"].as_str().unwrap_or("-")
    ))
}
