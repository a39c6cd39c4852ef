//! Renewal of expired codes, on loopback against a release server (SQLite):
//!
//! - The per-record limit: a flood of renewal requests with one record's
//!   expired code and date of birth from many client addresses (one request
//!   each, so no address throttle bites): how many were answered, and how
//!   many new codes were sent.
//! - The per-address throttle: the same flood for another record from one
//!   client address: answered (202) against refused (429), and sent.
//! - What a request costs: renewal requests against plain step-one requests
//!   (`POST /api/v1/registration`), both with codes no invitation has, from
//!   many addresses so each takes its whole path; and renewals that send a
//!   new code against renewals for codes that never existed, so the timing
//!   of the one answer can be compared across what it hides.
//!
//! The expired invitations are written straight into the database, under
//! the bench's own secret key (the server is started with it).

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;

use portico_server::clock::{Clock as _, SystemClock, stored};
use portico_server::secrets::Keys;
use portico_types::InvitationCode;
use reqwest::Client;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::registration::{Load, client_from, load, ms, wrong_code};
use crate::server::Launch;

/// `PORTICO_BENCH_RENEWALS` sets it: requests in each flood and cost run.
const DEFAULT_REQUESTS: usize = 400;
/// Records given an expired invitation for the send-path timing.
const SENDING_RECORDS: usize = 60;

/// An expired invitation written for the bench: its code and its record's date of birth.
struct Expired {
    record_id: String,
    code: String,
    date_of_birth: String,
}

fn address(block: u8, n: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, block, (n / 250) as u8, (2 + n % 250) as u8))
}

fn clients(block: u8, count: usize) -> anyhow::Result<Arc<Vec<Client>>> {
    Ok(Arc::new((0..count).map(|n| client_from(address(block, n))).collect::<reqwest::Result<_>>()?))
}

/// Gives up to `count` records with an email address an expired email invitation each.
async fn expire_invitations(pool: &sqlx::AnyPool, count: usize) -> anyhow::Result<Vec<Expired>> {
    let keys = Keys::for_tests();
    let now: OffsetDateTime = SystemClock.now();
    let issuer: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'asha.patel@demo.portico.example'")
        .fetch_one(pool)
        .await?;
    let records: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT r.id, r.date_of_birth, MIN(tr.team_id) FROM records r JOIN team_records tr ON tr.record_id = r.id \
         WHERE r.email IS NOT NULL AND r.owner_account_id IS NULL AND r.id NOT IN (SELECT record_id FROM exclusions) \
         GROUP BY r.id, r.date_of_birth ORDER BY r.id LIMIT $1",
    )
    .bind(i64::try_from(count)?)
    .fetch_all(pool)
    .await?;
    let mut expired = Vec::new();
    for (n, (record_id, date_of_birth, team_id)) in records.into_iter().enumerate() {
        let code = InvitationCode::from_random_bits(uuid::Uuid::new_v4().as_u128() as u64 ^ n as u64);
        sqlx::query(
            "INSERT INTO invitations (id, record_id, team_id, channel, code_hash, state, issued_by, issued_at, \
             expires_at, updated_at) VALUES ($1, $2, $3, 'email', $4, 'expired', $5, $6, $7, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&record_id)
        .bind(&team_id)
        .bind(keys.code_hash("invitation-code", code.as_str()))
        .bind(&issuer)
        .bind(stored(now - Duration::days(10)))
        .bind(stored(now - Duration::days(3)))
        .execute(pool)
        .await?;
        expired.push(Expired { record_id, code: code.grouped(), date_of_birth });
    }
    Ok(expired)
}

async fn sent_for(pool: &sqlx::AnyPool, record_id: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE record_id = $1 AND renewal_of IS NOT NULL")
        .bind(record_id)
        .fetch_one(pool)
        .await?)
}

pub fn report(binary: &Path) -> anyhow::Result<()> {
    let requests =
        std::env::var("PORTICO_BENCH_RENEWALS").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_REQUESTS);
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("portico.db").display());
    let mut launch = Launch::new(&database)?;
    launch.records = 400;
    launch.env.push(("PORTICO_SECRET_KEY", "07".repeat(32)));
    let _running = launch.spawn(binary)?;
    let base = launch.base();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run(&base, &database, requests))
}

async fn run(base: &str, database: &str, requests: usize) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database).await?;
    let expired = expire_invitations(&pool, SENDING_RECORDS + 2).await?;
    anyhow::ensure!(expired.len() > 2, "the demo data has too few records with an email address");
    let renewal = format!("{base}/api/v1/registration/renewal");
    let step_one = format!("{base}/api/v1/registration");

    // One record, many addresses: the per-record limit.
    let one_record = {
        let (clients, url) = (clients(1, requests)?, renewal.clone());
        let (code, dob) = (expired[0].code.clone(), expired[0].date_of_birth.clone());
        load(requests, move |n| clients[n].post(&url).json(&json!({ "code": code, "date_of_birth": dob })).send())
            .await?
    };
    let one_record_sent = sent_for(&pool, &expired[0].record_id).await?;
    // One address: the per-address throttle.
    let one_address = {
        let client = Arc::new(client_from(address(2, 0))?);
        let url = renewal.clone();
        let (code, dob) = (expired[1].code.clone(), expired[1].date_of_birth.clone());
        load(requests, move |_| client.post(&url).json(&json!({ "code": code, "date_of_birth": dob })).send()).await?
    };
    let one_address_sent = sent_for(&pool, &expired[1].record_id).await?;

    // Costs: five requests an address, under every address limit.
    let per_address = 5;
    let spread = requests.div_ceil(per_address);
    let plain = {
        let (clients, url) = (clients(3, spread)?, step_one.clone());
        load(requests, move |n| {
            let body = json!({ "code": wrong_code(n), "date_of_birth": "1970-01-01" });
            clients[n % clients.len()].post(&url).json(&body).send()
        })
        .await?
    };
    let renewals = {
        let (clients, url) = (clients(4, spread)?, renewal.clone());
        load(requests, move |n| {
            let body = json!({ "code": wrong_code(n), "date_of_birth": "1970-01-01" });
            clients[n % clients.len()].post(&url).json(&body).send()
        })
        .await?
    };
    let senders = Arc::new(expired.into_iter().skip(2).collect::<Vec<_>>());
    let sending = {
        let (clients, url, senders) = (clients(5, senders.len())?, renewal.clone(), Arc::clone(&senders));
        load(senders.len(), move |n| {
            let body = json!({ "code": senders[n].code, "date_of_birth": senders[n].date_of_birth });
            clients[n].post(&url).json(&body).send()
        })
        .await?
    };
    let unknown = {
        let (clients, url) = (clients(6, senders.len())?, renewal.clone());
        load(senders.len(), move |n| {
            let body = json!({ "code": wrong_code(n + 7), "date_of_birth": "1970-01-01" });
            clients[n].post(&url).json(&body).send()
        })
        .await?
    };
    let mut sent_to_senders = 0;
    for sender in senders.iter() {
        sent_to_senders += sent_for(&pool, &sender.record_id).await?;
    }
    pool.close().await;

    println!("\n## Code renewal: the limits under a flood, SQLite, 16 requests at a time\n");
    println!("| flood | requests | answers | new codes sent |");
    println!("| --- | ---: | --- | ---: |");
    println!(
        "| one record's expired code, {requests} client addresses | {requests} | {} | {one_record_sent} |",
        one_record.statuses()
    );
    println!(
        "| one record's expired code, one client address | {requests} | {} | {one_address_sent} |",
        one_address.statuses()
    );
    println!("\n## Code renewal: cost of a request, against a plain step-one request in the same run\n");
    println!("| requests | count | per second | cost ratio to step one | p50 | p99 | answers |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    let row = |name: &str, run: &Load, base: &Load| {
        println!(
            "| {name} | {} | {:.0} | {:.2} | {} | {} | {} |",
            run.latencies.len(),
            run.rate(),
            base.rate() / run.rate(),
            ms(run.percentile(0.5)),
            ms(run.percentile(0.99)),
            run.statuses()
        );
    };
    row("step one, codes never issued (baseline)", &plain, &plain);
    row("renewal, codes never issued", &renewals, &plain);
    println!("\n## Code renewal: the one answer's timing, sending against not sending\n");
    println!("| requests | count | p50 | p99 | p50 ratio to never issued | new codes sent |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let ratio = sending.percentile(0.5).as_secs_f64() / unknown.percentile(0.5).as_secs_f64();
    println!(
        "| renewal, code never issued (baseline) | {} | {} | {} | 1.00 | 0 |",
        unknown.latencies.len(),
        ms(unknown.percentile(0.5)),
        ms(unknown.percentile(0.99))
    );
    println!(
        "| renewal that sends a new code | {} | {} | {} | {ratio:.2} | {sent_to_senders} |",
        sending.latencies.len(),
        ms(sending.percentile(0.5)),
        ms(sending.percentile(0.99))
    );
    Ok(())
}
