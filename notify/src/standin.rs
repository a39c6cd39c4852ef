//! A GOV.UK Notify stand-in for integration tests (feature `standin`).
//!
//! [`NotifyStandIn::start`] runs `notify/standin/run` on a free loopback port: prism
//! answering from Notify's own OpenAPI description, behind a proxy that checks each
//! JWT exactly as Notify does, records each request, and can be told to fail.
//! Needs `scripts/setup --test` (end2end's npm packages, PyPI's notifications-python-client).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The stand-in's service id: the JWT's `iss` it accepts.
pub const SERVICE_ID: &str = "7d1b3f2e-0c4a-4b8e-9f61-2a5c8d9e0b17";
/// The stand-in's signing secret. A test value: it only ever signs requests to the stand-in.
pub const SECRET: &str = "3c9e5a71-8f2d-4e6b-a0c4-51d7e9b2f863";
/// The key name in [`NotifyStandIn::api_key`].
pub const KEY_NAME: &str = "portico_standin";

/// Prism (node) takes a few seconds to start, more on a busy 2-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(90);
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the stand-in could not be started or asked something.
#[derive(Debug, thiserror::Error)]
pub enum StandInError {
    #[error("could not start notify/standin/run: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("the Notify stand-in did not come up ({why}); its log says:\n{log}")]
    NotReady { why: String, log: String },
    #[error("the Notify stand-in's control endpoint failed: {0}")]
    Control(#[source] reqwest::Error),
    #[error("could not read the stand-in's record file: {0}")]
    Record(#[source] std::io::Error),
    #[error("a line of the stand-in's record file is not a request: {0}")]
    RecordLine(#[source] serde_json::Error),
}

/// One request as the stand-in saw it: a line of its record file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Each query parameter's values, in order.
    pub query: BTreeMap<String, Vec<String>>,
    /// The parsed JSON body (`null` without one; a string if it was not JSON).
    pub body: serde_json::Value,
    /// Whether the JWT passed Notify's checks (signature, `iss`, `iat` within 30 s).
    pub jwt_valid: bool,
    /// The status the stand-in answered.
    pub status: u16,
    /// The id given to a message it accepted.
    #[serde(default)]
    pub notification_id: Option<String>,
}

/// An answer for the stand-in to give instead of prism's, `times` times.
/// With no `status`, the requests are only delayed and then answered by prism.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Fault {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Notify's `errors[].error`, e.g. `RateLimitError`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub times: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_secs: Option<f64>,
}

/// A running stand-in, stopped (with prism) when dropped.
#[derive(Debug)]
pub struct NotifyStandIn {
    run: Child,
    port: u16,
    dir: PathBuf,
    control: reqwest::Client,
}

impl NotifyStandIn {
    /// Starts a stand-in on a free loopback port and waits until it answers.
    pub async fn start() -> Result<Self, StandInError> {
        let port = free_loopback_port().map_err(StandInError::Spawn)?;
        let dir = std::env::temp_dir().join(format!("portico-notify-standin-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(StandInError::Spawn)?;
        let log = std::fs::File::create(dir.join("standin.log")).map_err(StandInError::Spawn)?;
        let log_too = log.try_clone().map_err(StandInError::Spawn)?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("standin").join("run");
        let run = Command::new(script)
            .arg("--port")
            .arg(port.to_string())
            .arg("--record")
            .arg(dir.join("requests.jsonl"))
            .args(["--service-id", SERVICE_ID, "--secret", SECRET])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_too)
            // Its own process group, so that Drop stops prism and the recorder with it.
            .process_group(0)
            .spawn()
            .map_err(StandInError::Spawn)?;
        let control =
            reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(StandInError::Control)?;
        let mut stand_in = Self { run, port, dir, control };
        stand_in.wait_until_ready().await?;
        Ok(stand_in)
    }

    /// Where to point a [`crate::Client`]: `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A full API key, in Notify's format, that the stand-in accepts.
    pub fn api_key(&self) -> String {
        format!("{KEY_NAME}-{SERVICE_ID}-{SECRET}")
    }

    /// Every request so far (control requests aside), oldest first. Each is
    /// recorded before it is answered, so a request whose answer has arrived is here.
    pub fn requests(&self) -> Result<Vec<RecordedRequest>, StandInError> {
        let text = std::fs::read_to_string(self.dir.join("requests.jsonl")).map_err(StandInError::Record)?;
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).map_err(StandInError::RecordLine))
            .collect()
    }

    /// The next `times` requests get `status` with Notify's error body naming `error`.
    pub async fn fail_next(&self, status: u16, error: &str, times: u32) -> Result<(), StandInError> {
        self.inject(&Fault { status: Some(status), error: Some(error.to_owned()), times, ..Fault::default() }).await
    }

    /// The next `times` requests are answered only after `delay`.
    pub async fn slow_next(&self, delay: Duration, times: u32) -> Result<(), StandInError> {
        self.inject(&Fault { delay_secs: Some(delay.as_secs_f64()), times, ..Fault::default() }).await
    }

    /// Queues any fault (see notify/standin/recorder.py).
    pub async fn inject(&self, fault: &Fault) -> Result<(), StandInError> {
        self.control
            .post(format!("{}/_standin/faults", self.base_url()))
            .json(fault)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(StandInError::Control)?;
        Ok(())
    }

    async fn wait_until_ready(&mut self) -> Result<(), StandInError> {
        let started = Instant::now();
        let probe = format!("{}/_standin/requests", self.base_url());
        loop {
            if let Ok(answer) = self.control.get(&probe).send().await
                && answer.status().is_success()
            {
                return Ok(());
            }
            let why = match self.run.try_wait() {
                Ok(Some(status)) => Some(format!("notify/standin/run exited: {status}")),
                Ok(None) if started.elapsed() > START_TIMEOUT => {
                    Some(format!("nothing answered on port {} within {START_TIMEOUT:?}", self.port))
                }
                Ok(None) => None,
                Err(err) => Some(format!("could not watch notify/standin/run: {err}")),
            };
            if let Some(why) = why {
                let log = std::fs::read_to_string(self.dir.join("standin.log")).unwrap_or_default();
                return Err(StandInError::NotReady { why, log });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for NotifyStandIn {
    fn drop(&mut self) {
        let group = format!("-{}", self.run.id());
        // The run script's trap stops prism and the recorder on TERM; the group
        // signal reaches them even if the script is already gone.
        signal_group("TERM", &group);
        let asked = Instant::now();
        while matches!(self.run.try_wait(), Ok(None)) && asked.elapsed() < STOP_TIMEOUT {
            std::thread::sleep(Duration::from_millis(50));
        }
        signal_group("KILL", &group);
        let _ = self.run.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `kill -SIGNAL -- -PGID`: the std library cannot signal a group, and unsafe
/// libc calls are forbidden in this workspace.
fn signal_group(signal: &str, group: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A port nothing listens on now. Another process could take it before the stand-in
/// does; on loopback, in tests, that is rare enough.
fn free_loopback_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
