//! Campaigns under `kill -9`: in each run the release `portico` starts a
//! text-message campaign over the demo's diabetes team (400 records), is
//! killed at a random moment, started again and left to finish; then the
//! run counts invitations lost (cohort records with none), invitations
//! duplicated (a record with two from the campaign) and texts the Notify
//! stand-in accepted twice (or never) for one invitation.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_notify::standin::NotifyStandIn;
use portico_server::db::Engine;
use serde_json::{Value, json};

use crate::baseline;
use crate::server::CSRF;

const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";

struct Portico(Child);

impl Drop for Portico {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    lost: u64,
    duplicated: u64,
    texted_twice: u64,
    never_texted: u64,
}

pub fn report(binary: &Path, runs: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let notify = runtime.block_on(NotifyStandIn::start())?;
    println!("\n## kill -9 in the middle of a text-message campaign, {runs} runs per engine\n");
    println!("| engine | runs | invitations lost | invitations duplicated | texts sent twice | texts never sent |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut seed = u64::from(std::process::id()) ^ 0x9E37_79B9_7F4A_7C15;
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let mut total = Tally::default();
        let mut kills = Vec::new();
        for _ in 0..runs {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let kill_after = Duration::from_millis(50 + seed % 2_500);
            kills.push(kill_after.as_millis());
            let dir = tempfile::tempdir()?;
            let url = baseline::fresh_database(&runtime, engine, dir.path(), "portico.db")?;
            let tally = one_run(binary, &url, &notify, dir.path(), kill_after)?;
            total.lost += tally.lost;
            total.duplicated += tally.duplicated;
            total.texted_twice += tally.texted_twice;
            total.never_texted += tally.never_texted;
        }
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        println!(
            "| {name} | {runs} | {} | {} | {} | {} |",
            total.lost, total.duplicated, total.texted_twice, total.never_texted
        );
        kills.sort_unstable();
        println!("\n{name}: killed after {kills:?} ms\n");
    }
    Ok(())
}

fn start(binary: &Path, url: &str, port: u16, site: &Path, notify: &NotifyStandIn) -> anyhow::Result<Portico> {
    let child = Command::new(binary)
        .args(["demo", "--records", "400"])
        .env("DATABASE_URL", url)
        .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
        .env("PORTICO_PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}/"))
        .env("PORTICO_SITE_DIR", site)
        .env("PORTICO_NOTIFY_BASE_URL", notify.base_url())
        .env("PORTICO_NOTIFY_API_KEY", notify.api_key())
        .env("PORTICO_NOTIFY_SMS_INVITATION_TEMPLATE_ID", TEMPLATE_ID)
        .env("PORTICO_CAMPAIGN_CHUNK_SIZE", "10")
        .env("PORTICO_CLAIM_LEASE_SECS", "5")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting portico")?;
    let portico = Portico(child);
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("http://127.0.0.1:{port}/readyz")).send().map(|r| r.status().as_u16()).unwrap_or(0) != 200
    {
        anyhow::ensure!(Instant::now() < deadline, "portico did not become ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(portico)
}

fn one_run(
    binary: &Path,
    url: &str,
    notify: &NotifyStandIn,
    dir: &Path,
    kill_after: Duration,
) -> anyhow::Result<Tally> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let portico = start(binary, url, port, dir, notify)?;
    let (client, team) = crate::server::signed_in_admin(&base)?;
    let cohort = json!({ "channel": "sms", "registration": "not_invited" });
    let preview: Value = client
        .post(format!("{base}/api/v1/staff/teams/{team}/campaigns/preview"))
        .header(CSRF.0, CSRF.1)
        .json(&cohort)
        .send()?
        .error_for_status()?
        .json()?;
    let started: Value = client
        .post(format!("{base}/api/v1/staff/teams/{team}/campaigns"))
        .header(CSRF.0, CSRF.1)
        .json(&json!({ "name": "kill -9", "cohort": cohort }))
        .send()?
        .error_for_status()?
        .json()?;
    let id = started["campaign"]["id"].as_str().context("no campaign id")?.to_owned();
    std::thread::sleep(kill_after);
    drop(portico); // SIGKILL
    let portico = start(binary, url, port, dir, notify)?;
    let deadline = Instant::now() + Duration::from_secs(180);
    let view = loop {
        let view: Value =
            client.get(format!("{base}/api/v1/staff/campaigns/{id}")).send()?.error_for_status()?.json()?;
        if view["campaign"]["state"] == "finished" {
            break view;
        }
        anyhow::ensure!(Instant::now() < deadline, "the campaign did not finish: {}", view["campaign"]["progress"]);
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(portico);
    let to_invite = preview["to_invite"].as_u64().unwrap_or(0);
    let issued = view["campaign"]["progress"]["issued"].as_u64().unwrap_or(0);
    let references: Vec<String> = tokio::runtime::Runtime::new()?.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await?;
        let distinct: i64 =
            sqlx::query_scalar("SELECT count(DISTINCT record_id) FROM invitations WHERE campaign_id = $1")
                .bind(&id)
                .fetch_one(&pool)
                .await?;
        anyhow::ensure!(u64::try_from(distinct).unwrap_or(0) == issued, "distinct records differ from issued");
        let keys: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM outbox WHERE campaign_id = $1")
            .bind(&id)
            .fetch_all(&pool)
            .await?;
        pool.close().await;
        anyhow::Ok(keys)
    })?;
    let mut accepted: BTreeMap<String, u64> = BTreeMap::new();
    for request in notify.requests()? {
        if request.path == "/v2/notifications/sms" && request.status == 201 {
            *accepted.entry(request.body["reference"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    let invitations: i64 = i64::try_from(references.len()).unwrap_or(0);
    Ok(Tally {
        lost: to_invite.saturating_sub(issued),
        duplicated: u64::try_from(invitations).unwrap_or(0).saturating_sub(issued),
        texted_twice: references.iter().filter(|r| accepted.get(*r).copied().unwrap_or(0) > 1).count() as u64,
        never_texted: references.iter().filter(|r| !accepted.contains_key(*r)).count() as u64,
    })
}
