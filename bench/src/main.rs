//! `scripts/bench`: Portico's figures, each beside a baseline measured in the
//! same run (these machines are noisy, so ratios travel better than seconds).
//!
//! - What the browser downloads for the patient's first load and for the
//!   staff console: raw and gzip bytes, against the 200 KB budget.
//! - Time from process start to `/readyz` answering, with an empty SQLite file
//!   and with 10,000 records, against the time the same binary takes to start
//!   and exit (`portico --version`).
//! - FHIR import rate (Bundles of 1,000 patients) against a plain batched
//!   INSERT of the same rows (record, first version, team membership), on
//!   SQLite and on PostgreSQL.
//! - CSV import rate (upload, check and commit of 100,000 patients) against
//!   the same baseline, on both engines, and the server's peak memory while
//!   importing 1,000,000 rows against its peak for the 100,000.
//! - Registration: wrong-code checks under load (rate, p50/p99) against
//!   `/healthz`, and sign-ins per second against the raw argon2id rate, with
//!   `/healthz`'s latency while sign-ins saturate the cores.
//! - Code renewal: a flood of requests for a new code for one record (from
//!   many addresses) and from one address, answered against sent; and a
//!   renewal request's cost against a plain step-one request.
//! - Letters rendered into batch PDFs on one core and two, against writing
//!   the same words as plain PDF pages.
//! - Campaigns: invitations per second over a 1,000,000-record cohort against
//!   a raw batched insert of the same rows, with memory; texts handed to the
//!   Notify stand-in per second against its client alone, and paced; and
//!   kill -9 at random points in 20 runs per engine (lost, doubled, resent).
//! - Reminder escalation: records per second through a plan's text step over
//!   the same cohort, against a plain campaign over it in the same run.
//! - Uptake report: its drop-off funnel over 1,000,000 invitations spread
//!   over every step, against the uptake report over the same rows.
//! - Held invitations: the release job over 100,000 held records, once each
//!   has an entry, against the plain campaign run of the same count.
//! - Carers: a record read behind the access check with 0, 1 and 50 carer
//!   links, against the same read without it, on both engines.
//! - Age bands: the coming-of-age job narrowing 100,000 parents' links
//!   whose band has come (a transaction, audit event and email each),
//!   against a plain UPDATE of the same rows, on both engines.
//! - Notification emails delivered per second from the outbox to a local SMTP
//!   server with 1 and 2 senders, against the raw rate over one SMTP
//!   connection; and feed entry commit to notification sent (p50, p99).
//!
//! `load`, `faults` and `attack` are the battery's (`scripts/battery`), run
//! only when named: a sustained mix of the patient journeys, the faults the
//! service must come back from, and account enumeration by answer and timing. With `--short` both are their quick CI versions, and
//! the command fails when anything was lost, doubled or answered in error.

mod age_bands;
mod baseline;
mod bundle;
mod campaign_crash;
mod campaign_notify;
mod campaigns;
mod carer_access;
mod csv_import;
mod enumeration;
mod escalation;
mod fault_delivery;
mod fault_disk;
mod fault_postgres;
mod faults;
mod fhir_import;
mod funnel;
mod hold;
mod journeys;
mod letters;
mod load;
mod notifications;
mod registration;
mod renewal;
mod server;
mod startup;
mod totp;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let only = std::env::args().nth(1);
    match only.as_deref() {
        Some("load") => return battery(&target, Part::Load),
        Some("faults") => return battery(&target, Part::Faults),
        Some("attack") => return battery(&target, Part::Attack),
        _ => {}
    }
    if only.as_deref().is_none_or(|o| o == "bundle") {
        bundle::report(&target.join("site"))?;
    }
    if only.as_deref().is_none_or(|o| o == "startup") {
        startup::report(&target.join("release").join("portico"))?;
    }
    if only.as_deref().is_none_or(|o| o == "fhir") {
        let count = std::env::var("PORTICO_BENCH_PATIENTS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        fhir_import::report(&target.join("release").join("portico"), count)?;
    }
    if only.as_deref().is_none_or(|o| o == "csv") {
        let count = std::env::var("PORTICO_BENCH_PATIENTS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        let memory = std::env::var("PORTICO_BENCH_MEMORY_ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
        csv_import::report(&target.join("release").join("portico"), count, memory)?;
    }
    if only.as_deref().is_none_or(|o| o == "registration") {
        registration::report(&target.join("release").join("portico"))?;
    }
    if only.as_deref().is_none_or(|o| o == "renewal") {
        // PORTICO_BENCH_BINARY: another build of `portico` (a debug one, where no release build is at hand).
        let binary = std::env::var_os("PORTICO_BENCH_BINARY")
            .map_or_else(|| target.join("release").join("portico"), PathBuf::from);
        renewal::report(&binary)?;
    }
    if only.as_deref().is_none_or(|o| o == "letters") {
        letters::report()?;
    }
    if only.as_deref().is_none_or(|o| o == "campaigns") {
        let cohort = std::env::var("PORTICO_BENCH_COHORT").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
        campaigns::report(cohort)?;
    }
    if only.as_deref().is_none_or(|o| o == "funnel") {
        let count = std::env::var("PORTICO_BENCH_INVITATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
        funnel::report(count)?;
    }
    if only.as_deref().is_none_or(|o| o == "escalation") {
        let cohort = std::env::var("PORTICO_BENCH_COHORT").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
        escalation::report(cohort)?;
    }
    if only.as_deref().is_none_or(|o| o == "hold") {
        let held = std::env::var("PORTICO_BENCH_HELD").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        hold::report(held)?;
    }
    if only.as_deref().is_none_or(|o| o == "carers") {
        carer_access::report()?;
    }
    if only.as_deref().is_none_or(|o| o == "age-bands") {
        let links = std::env::var("PORTICO_BENCH_BAND_LINKS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        age_bands::report(links)?;
    }
    if only.as_deref().is_none_or(|o| o == "notifications") {
        notifications::report()?;
    }
    if only.as_deref().is_none_or(|o| o == "kill") {
        let runs = std::env::var("PORTICO_BENCH_KILL_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
        campaign_crash::report(&target.join("release").join("portico"), runs)?;
    }
    Ok(())
}

/// The battery's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Load,
    Faults,
    Attack,
}

/// The battery's part named on the command line; fails when it found errors.
fn battery(target: &std::path::Path, part: Part) -> anyhow::Result<()> {
    let short = std::env::args().any(|a| a == "--short");
    // `scripts/test` runs the short battery on the debug build it has made.
    let binary = std::env::var_os("PORTICO_BATTERY_BINARY")
        .map_or_else(|| target.join("release").join("portico"), PathBuf::from);
    let seconds = std::env::var("PORTICO_BATTERY_SECONDS").ok().and_then(|n| n.parse().ok());
    if part == Part::Load {
        let setups = if short { load::Setups::SqliteOnly } else { load::Setups::Both };
        let verdict = load::report(&binary, seconds.unwrap_or(if short { 5 } else { 60 }), setups)?;
        anyhow::ensure!(verdict.errors == 0, "load: {} of {} requests failed", verdict.errors, verdict.requests);
    } else if part == Part::Attack {
        // Timing is reported, not judged (these machines are noisy); a
        // different answer is a finding.
        let differing = enumeration::report(&binary, short)?;
        anyhow::ensure!(differing.is_empty(), "attack: answers told accounts apart: {}", differing.join("; "));
    } else {
        let outcomes = faults::report(&binary, short)?;
        let bad: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.lost > 0 || o.doubled > 0 || o.back_after.is_none())
            .map(|o| o.fault.as_str())
            .collect();
        anyhow::ensure!(bad.is_empty(), "faults: lost, doubled or never back: {}", bad.join("; "));
    }
    Ok(())
}
