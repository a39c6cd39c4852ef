//! A campaign survives `kill -9`: the real `portico` binary is killed twice
//! in the middle of a text-message campaign and started again; in the end
//! every record of the cohort has exactly one invitation, and the Notify
//! stand-in received exactly one text for each.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portico_notify::standin::NotifyStandIn;
use portico_server::db::Engine;
use portico_types::api::{CampaignView, CohortPreview};
use serde_json::json;

use crate::helpers::{ASHA, DEMO_PASSWORD, browser, fresh_database_url};

const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";

struct Portico {
    child: Child,
}

impl Drop for Portico {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Setup {
    database_url: String,
    port: u16,
    site: tempfile::TempDir,
    notify: NotifyStandIn,
}

impl Setup {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts `portico demo` (it seeds only once) and waits for it to answer.
    async fn start(&self) -> Portico {
        self.start_on(self.port).await
    }

    /// Another instance on the same database, listening on `port`.
    async fn start_on(&self, port: u16) -> Portico {
        let child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["demo", "--records", "400"])
            .env("DATABASE_URL", &self.database_url)
            .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
            .env("PORTICO_PUBLIC_BASE_URL", format!("{}/", self.base()))
            .env("PORTICO_SITE_DIR", self.site.path())
            .env("PORTICO_NOTIFY_BASE_URL", self.notify.base_url())
            .env("PORTICO_NOTIFY_API_KEY", self.notify.api_key())
            .env("PORTICO_NOTIFY_SMS_INVITATION_TEMPLATE_ID", TEMPLATE_ID)
            .env("PORTICO_CAMPAIGN_CHUNK_SIZE", "10")
            .env("PORTICO_CLAIM_LEASE_SECS", "5")
            .env("PORTICO_PASSWORD_HASH_CONCURRENCY", "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let portico = Portico { child };
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        while client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
            != 200
        {
            assert!(Instant::now() < deadline, "portico did not become ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        portico
    }
}

fn kill_nine(mut portico: Portico) {
    // std's kill is SIGKILL: no graceful shutdown, nothing flushed.
    portico.child.kill().unwrap();
    portico.child.wait().unwrap();
}

async fn setup(engine: Engine, dir: &tempfile::TempDir) -> Setup {
    let database_url = match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.path().join("portico.db").display()),
        Engine::Postgres => fresh_database_url().await,
    };
    Setup {
        database_url,
        port: free_port(),
        site: tempfile::tempdir().unwrap(),
        notify: NotifyStandIn::start().await.unwrap(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Signs Asha in and starts a text-message campaign over the diabetes team's
/// never-invited records: the client, the campaign's id and its cohort.
async fn start_campaign(base: &str) -> (reqwest::Client, String, CohortPreview) {
    let asha = browser();
    let signed_in = asha
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "email": ASHA, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    // The demo's authenticator, on the binary's own (real) clock.
    let code = portico_server::auth::second_factor::code_at(
        portico_server::demo::DEMO_TOTP_SECRET,
        portico_server::clock::Clock::now(&portico_server::clock::SystemClock),
    )
    .unwrap();
    let proven =
        asha.post(format!("{base}/api/v1/session/second-factor")).json(&json!({ "code": code })).send().await.unwrap();
    assert_eq!(proven.status(), 200);
    let teams: serde_json::Value =
        asha.get(format!("{base}/api/v1/staff/teams")).send().await.unwrap().json().await.unwrap();
    let team = teams["teams"].as_array().unwrap().iter().find(|t| t["slug"] == "diabetes").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cohort = json!({ "channel": "sms", "registration": "not_invited" });
    let preview: CohortPreview = asha
        .post(format!("{base}/api/v1/staff/teams/{team}/campaigns/preview"))
        .json(&cohort)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(preview.to_invite > 100, "{preview:?}");
    let started = asha
        .post(format!("{base}/api/v1/staff/teams/{team}/campaigns"))
        .json(&json!({ "name": "Crash test", "cohort": cohort }))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 201);
    let id = started.json::<CampaignView>().await.unwrap().campaign.id;
    (asha, id, preview)
}

/// Waits for the campaign to finish, then checks that every record of the
/// cohort got one invitation and one text, none twice.
async fn finishes_whole_and_single(setup: &Setup, asha: &reqwest::Client, id: &str, preview: &CohortPreview) {
    let base = setup.base();
    let deadline = Instant::now() + Duration::from_secs(120);
    let view = loop {
        let view: CampaignView =
            asha.get(format!("{base}/api/v1/staff/campaigns/{id}")).send().await.unwrap().json().await.unwrap();
        if view.campaign.state == "finished" {
            break view;
        }
        assert!(Instant::now() < deadline, "not finished: {:?}", view.campaign.progress);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let progress = &view.campaign.progress;
    assert_eq!(progress.issued, preview.to_invite, "no invitation lost: {progress:?}");
    assert_eq!(progress.processed, preview.matching);
    assert_eq!(progress.sent, progress.issued);

    let texts = setup.notify.requests().unwrap();
    let mut per_reference: BTreeMap<String, usize> = BTreeMap::new();
    for text in texts.iter().filter(|r| r.path == "/v2/notifications/sms" && r.status == 201) {
        *per_reference.entry(text.body["reference"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let twice: Vec<_> = per_reference.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "texts sent twice: {twice:?}");
    assert_eq!(per_reference.len() as u64, progress.issued, "one text per invitation");
}

async fn a_campaign_killed_twice_mid_run_loses_and_doubles_nothing(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let setup = setup(engine, &dir).await;
    let mut portico = setup.start().await;
    let (asha, id, preview) = start_campaign(&setup.base()).await;
    // Killed twice: once while invitations are being issued, once while texts go.
    for wait_ms in [150, 900] {
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        kill_nine(portico);
        portico = setup.start().await;
    }
    finishes_whole_and_single(&setup, &asha, &id, &preview).await;
    drop(portico);
}

/// Two instances on one PostgreSQL database work one campaign together.
#[tokio::test]
async fn two_instances_share_a_campaign_without_doubling_anything() {
    let dir = tempfile::tempdir().unwrap();
    let setup = setup(Engine::Postgres, &dir).await;
    let first = setup.start().await;
    let second = setup.start_on(free_port()).await;
    let (asha, id, preview) = start_campaign(&setup.base()).await;
    finishes_whole_and_single(&setup, &asha, &id, &preview).await;
    // Which instance did which chunk is not recorded; the chunks were many and none doubled.
    let chunks: i64 = {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&setup.database_url).await.unwrap();
        sqlx::query_scalar("SELECT count(*) FROM campaign_chunks WHERE campaign_id = $1")
            .bind(&id)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert!(chunks > 1);
    drop((first, second));
}

crate::on_both_engines!(a_campaign_killed_twice_mid_run_loses_and_doubles_nothing);
