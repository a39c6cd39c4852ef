//! The SMTP server and the Notify-compatible server down for a while: both
//! sit behind a switch (a loopback TCP forwarder the battery turns off, which
//! refuses new connections and cuts the open ones). Invitations by email and
//! by text are issued before and while both are down; once they are back,
//! every email and text must arrive exactly once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_notify::standin::NotifyStandIn;
use serde_json::json;
use tokio::task::JoinHandle;

use crate::faults::{Outcome, take_records};
use crate::journeys::Site;
use crate::server::{Launch, free_port};

const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const OUTAGE: Duration = Duration::from_secs(10);

/// A loopback port forwarding to `target` while it is up.
struct Switch {
    port: u16,
    target: u16,
    running: Mutex<Option<JoinHandle<()>>>,
}

impl Switch {
    async fn new(target: u16) -> anyhow::Result<Self> {
        let switch = Self { port: free_port()?, target, running: Mutex::new(None) };
        switch.up().await?;
        Ok(switch)
    }

    async fn up(&self) -> anyhow::Result<()> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let target = self.target;
        let accepting = tokio::spawn(async move {
            // Dropped (so every connection is cut) when the switch goes down.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        if let Ok(mut running) = self.running.lock() {
            *running = Some(accepting);
        }
        Ok(())
    }

    fn down(&self) {
        if let Some(accepting) = self.running.lock().ok().and_then(|mut r| r.take()) {
            accepting.abort();
        }
    }
}

/// aiosmtpd saving every message into a Maildir.
struct Catcher {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Catcher {
    fn start(dir: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let maildir = dir.join("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("python3 -m aiosmtpd (python3 -m pip install aiosmtpd)")?;
        let catcher = Self { child, port, maildir };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(catcher);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        anyhow::bail!("aiosmtpd did not start")
    }

    /// How many messages arrived for each address.
    fn delivered(&self, addresses: &[String]) -> BTreeMap<String, u64> {
        let mut counts: BTreeMap<String, u64> = addresses.iter().map(|a| (a.clone(), 0)).collect();
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(folder)) else { continue };
            for entry in entries.filter_map(Result::ok) {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let head = text.split("\n\n").next().unwrap_or_default().to_lowercase();
                for address in addresses {
                    if head.contains(&format!("{address}>")) || head.contains(&format!("{address}\n")) {
                        *counts.entry(address.clone()).or_default() += 1;
                    }
                }
            }
        }
        counts
    }
}

impl Drop for Catcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Issues an invitation by `channel` to `to` for the record.
async fn invite(site: &Site, record: &str, channel: &str, to: &str) -> anyhow::Result<()> {
    let body = if channel == "email" {
        json!({ "channel": "email", "email": to })
    } else {
        json!({ "channel": "sms", "mobile": to })
    };
    site.admin
        .post(format!("{}/api/v1/staff/records/{record}/invitations", site.bases[0]))
        .json(&body)
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

pub async fn outage(binary: &Path) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let catcher = Catcher::start(dir.path())?;
    let notify = NotifyStandIn::start().await?;
    let notify_port: u16 = notify.base_url().rsplit(':').next().and_then(|p| p.parse().ok()).context("notify port")?;
    let smtp = Switch::new(catcher.port).await?;
    let texts = Switch::new(notify_port).await?;
    let mut launch = Launch::new(&format!("sqlite://{}", dir.path().join("portico.db").display()))?;
    launch.records = 200;
    launch.env = vec![
        ("PORTICO_SMTP_URL", format!("smtp://127.0.0.1:{}", smtp.port)),
        ("PORTICO_NOTIFY_BASE_URL", format!("http://127.0.0.1:{}", texts.port)),
        ("PORTICO_NOTIFY_API_KEY", notify.api_key()),
        ("PORTICO_NOTIFY_SMS_INVITATION_TEMPLATE_ID", TEMPLATE_ID.into()),
    ];
    let running = launch.start(binary).await?;
    let site = Arc::new(Site::open(vec![launch.base()], &launch.database_url).await?);
    let records = take_records(&site, 32);
    let pid = std::process::id();
    let mut emails = Vec::new();
    let mut mobiles = Vec::new();
    for (k, record) in records.iter().enumerate() {
        if k == 8 {
            // Both go down with four of each sent; the rest are issued while they are down.
            smtp.down();
            texts.down();
        }
        if k % 2 == 0 {
            let email = format!("battery.mail.{pid}.{k}@patients.battery.example");
            invite(&site, &record.id, "email", &email).await?;
            emails.push(email);
        } else {
            let mobile = format!("07700900{:03}", k);
            invite(&site, &record.id, "sms", &mobile).await?;
            mobiles.push(mobile);
        }
        if k >= 8 {
            tokio::time::sleep(OUTAGE / 24).await;
        }
    }
    smtp.up().await?;
    texts.up().await?;
    let back = Instant::now();
    let back_after = loop {
        let waiting: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL")
                .fetch_one(&site.db)
                .await?;
        if waiting == 0 {
            break Some(back.elapsed().as_secs_f64());
        }
        if back.elapsed() > Duration::from_secs(180) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Time for a second copy to show itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivered = catcher.delivered(&emails);
    let references: Vec<String> =
        sqlx::query_scalar("SELECT idempotency_key FROM outbox WHERE channel = 'sms'").fetch_all(&site.db).await?;
    let mut accepted: BTreeMap<String, u64> = references.iter().map(|r| (r.clone(), 0)).collect();
    for request in notify.requests()? {
        if request.path == "/v2/notifications/sms" && request.status == 201 {
            *accepted.entry(request.body["reference"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    let missing_texts = mobiles.len().saturating_sub(references.len()) as u64;
    let lost = delivered.values().filter(|&&n| n == 0).count() as u64
        + accepted.values().filter(|&&n| n == 0).count() as u64
        + missing_texts;
    let doubled =
        delivered.values().filter(|&&n| n > 1).count() as u64 + accepted.values().filter(|&&n| n > 1).count() as u64;
    let given_up: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE gave_up_at IS NOT NULL").fetch_one(&site.db).await?;
    drop(running);
    Ok(Outcome {
        fault: format!("SMTP and Notify down for {} s with invitations queued", OUTAGE.as_secs()),
        lost,
        doubled,
        back_after,
        note: format!(
            "{} emails and {} texts, 4 of each before the outage and the rest during it; {given_up} given up \
             (back after = both up again to the outbox empty; a failed send waits 30 s before its retry)",
            emails.len(),
            mobiles.len()
        ),
    })
}
