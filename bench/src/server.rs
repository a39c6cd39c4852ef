//! A release `portico` on a loopback port with demo data, and a signed-in
//! team admin, for the benches and the battery.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

pub const CSRF: (&str, &str) = ("x-portico-csrf", "1");

/// The server process, stopped when dropped.
pub struct Running(Child);

impl Running {
    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Whether the process has exited (crashed, or was killed).
    pub fn exited(&mut self) -> bool {
        !matches!(self.0.try_wait(), Ok(None))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How to start one `portico demo`: its database, the demo records to seed,
/// a port kept across restarts, and settings on top of the defaults.
#[derive(Debug, Clone)]
pub struct Launch {
    pub database_url: String,
    pub records: usize,
    pub port: u16,
    pub env: Vec<(&'static str, String)>,
    /// A limit in bytes (a multiple of 1024) on the size of any file the
    /// server writes (`RLIMIT_FSIZE`), with SIGXFSZ ignored, so that writing
    /// past it fails with EFBIG as on a full disk.
    pub file_size_limit: Option<u64>,
}

impl Launch {
    pub fn new(database_url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            database_url: database_url.to_owned(),
            records: 0,
            port: free_port()?,
            env: Vec::new(),
            file_size_limit: None,
        })
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until `/readyz` answers.
    pub fn spawn(&self, binary: &Path) -> anyhow::Result<Running> {
        let mut command = if let Some(bytes) = self.file_size_limit {
            // An ignored signal stays ignored across exec; bash counts in KiB.
            let mut shell = Command::new("bash");
            let script = format!("trap '' XFSZ; ulimit -S -f {}; exec \"$0\" \"$@\"", bytes / 1024);
            shell.arg("-c").arg(script).arg(binary);
            shell
        } else {
            Command::new(binary)
        };
        command
            .args(["demo", "--records", &self.records.to_string()])
            .env("DATABASE_URL", &self.database_url)
            .env("PORTICO_BIND", format!("127.0.0.1:{}", self.port))
            .env("PORTICO_PUBLIC_BASE_URL", format!("{}/", self.base()))
            .env("RUST_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (*k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let running = Running(command.spawn().context("starting portico")?);
        wait_ready(&self.base(), Duration::from_secs(120))?;
        Ok(running)
    }
}

impl Launch {
    /// `spawn`, from async code.
    pub async fn start(&self, binary: &Path) -> anyhow::Result<Running> {
        let (launch, binary) = (self.clone(), binary.to_owned());
        tokio::task::spawn_blocking(move || launch.spawn(&binary)).await?
    }
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until `/readyz` answers 200; how long that took.
pub fn wait_ready(base: &str, within: Duration) -> anyhow::Result<Duration> {
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let started = Instant::now();
    while client.get(format!("{base}/readyz")).send().map(|r| r.status().as_u16()).unwrap_or(0) != 200 {
        anyhow::ensure!(started.elapsed() < within, "portico did not become ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(started.elapsed())
}

pub fn start(binary: &Path, database_url: &str) -> anyhow::Result<(Running, String)> {
    let launch = Launch::new(database_url)?;
    Ok((launch.spawn(binary)?, launch.base()))
}

/// A client signed in as the demo admin of the first team, and that team's id.
/// Professionals prove a second factor: the demo authenticator's code, which
/// Portico takes once per 30-second step, so a code already used on this
/// database (a bench that signs in again within the step) waits for the next.
pub fn signed_in_admin(base: &str) -> anyhow::Result<(reqwest::blocking::Client, String)> {
    signed_in_admin_with(base, None)
}

/// [`signed_in_admin`], keeping the cookies in `jar` when one is given (to
/// read them after).
pub fn signed_in_admin_with(
    base: &str,
    jar: Option<std::sync::Arc<reqwest::cookie::Jar>>,
) -> anyhow::Result<(reqwest::blocking::Client, String)> {
    let builder = reqwest::blocking::Client::builder().timeout(Duration::from_secs(600));
    let client = match jar {
        Some(jar) => builder.cookie_provider(jar),
        None => builder.cookie_store(true),
    }
    .build()?;
    let session: Value = client
        .post(format!("{base}/api/v1/session"))
        .header(CSRF.0, CSRF.1)
        .json(&json!({ "email": "asha.patel@demo.portico.example", "password": portico_server::demo::DEMO_PASSWORD }))
        .send()?
        .error_for_status()?
        .json()?;
    if session["second_factor"] == "verify" {
        let mut proven = false;
        for _ in 0..3 {
            let step = crate::totp::step_now();
            let answer = client
                .post(format!("{base}/api/v1/session/second-factor"))
                .header(CSRF.0, CSRF.1)
                .json(&json!({ "code": crate::totp::demo_code_now() }))
                .send()?;
            if answer.status().is_success() {
                proven = true;
                break;
            }
            while crate::totp::step_now() == step {
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        anyhow::ensure!(proven, "the demo admin's authenticator code was refused three steps running");
    }
    let teams: Value = client.get(format!("{base}/api/v1/staff/teams")).send()?.json()?;
    let team = teams["teams"][0]["id"].as_str().context("no team")?.to_owned();
    Ok((client, team))
}
