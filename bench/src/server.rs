//! A release `portico` on a free loopback port with demo professionals and no
//! patients, and a signed-in team admin, for the import benches.

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
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start(binary: &Path, database_url: &str) -> anyhow::Result<(Running, String)> {
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

/// A client signed in as the demo admin of the first team, and that team's id.
pub fn signed_in_admin(base: &str) -> anyhow::Result<(reqwest::blocking::Client, String)> {
    let client = reqwest::blocking::Client::builder().cookie_store(true).timeout(Duration::from_secs(600)).build()?;
    client
        .post(format!("{base}/api/v1/session"))
        .header(CSRF.0, CSRF.1)
        .json(&json!({ "email": "asha.patel@demo.portico.example", "password": portico_server::demo::DEMO_PASSWORD }))
        .send()?
        .error_for_status()?;
    let teams: Value = client.get(format!("{base}/api/v1/staff/teams")).send()?.json()?;
    let team = teams["teams"][0]["id"].as_str().context("no team")?.to_owned();
    Ok((client, team))
}
