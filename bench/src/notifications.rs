//! Notification emails (issue 9): emails delivered per second from the
//! outbox to a local SMTP server (aiosmtpd, discarding) with one sender and
//! two, against sending the same messages over one SMTP connection in the
//! same run; and the time from a FHIR feed entry's commit to its
//! notification leaving the outbox (p50, p99), through the real server with
//! a coalescing window of 0.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use portico_server::clock::{Clock, SystemClock};
use portico_server::config::Settings;
use portico_server::db::Db;
use portico_server::mail::templates::{self, Footer};
use portico_server::mail::worker::{self, Delivery};
use portico_server::mail::{self, Email};
use portico_types::EmailAddress;
use serde_json::json;

const MESSAGES: usize = 1_000;
const LATENCY_SAMPLES: usize = 40;

/// aiosmtpd on loopback, throwing messages away (the Sink handler).
struct Smtp(Child, u16);

impl Smtp {
    fn start() -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Sink"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let smtp = Self(child, port);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(smtp);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        anyhow::bail!("aiosmtpd did not start (python3 -m pip install aiosmtpd)")
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.1)
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn report() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(dir.path()))
}

async fn run(dir: &std::path::Path) -> anyhow::Result<()> {
    let smtp = Smtp::start()?;
    let emails = sample_emails()?;
    let raw = raw_rate(&smtp, &emails).await?;
    let mut rates = Vec::new();
    for senders in [1, 2] {
        let db = Db::connect(&format!("sqlite://{}", dir.join(format!("outbox-{senders}.db")).display()), 8).await?;
        rates.push((senders, outbox_rate(&db, &smtp, &emails, senders).await?));
    }
    println!("\n## Notification emails to a local SMTP server ({MESSAGES}, HTML + text, SQLite outbox)\n");
    println!("| one SMTP connection, raw (emails/s) | outbox, 1 sender | outbox, 2 senders |");
    println!("| ---: | ---: | ---: |");
    println!(
        "| {raw:.0} | {:.0} ({:.2}x) | {:.0} ({:.2}x) |",
        rates[0].1,
        rates[0].1 / raw,
        rates[1].1,
        rates[1].1 / raw
    );

    let (p50, p99) = feed_to_sent(dir, &smtp).await?;
    println!(
        "\nFeed entry committed (FHIR answer received) to its notification sent, {LATENCY_SAMPLES} entries one at a \
         time, coalescing window 0: p50 {} ms, p99 {} ms (both workers poll every 500 ms).",
        p50.as_millis(),
        p99.as_millis()
    );
    Ok(())
}

/// A new-entries notification for each of `MESSAGES` addresses, as the worker renders it.
fn sample_emails() -> anyhow::Result<Vec<Email>> {
    let base = Settings::default().public_base_url;
    let footer = Footer {
        settings_link: "https://portico.example.nhs.uk/account/notifications".into(),
        unsubscribe_page: "https://portico.example.nhs.uk/notifications/unsubscribe?token=t".into(),
        one_click: "https://portico.example.nhs.uk/api/v1/notifications/unsubscribe?token=t".into(),
    };
    (0..MESSAGES)
        .map(|n| {
            let to = EmailAddress::parse(&format!("patient{n}@example.com")).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(templates::new_entries(&base, &to, "Sam", false, &footer))
        })
        .collect()
}

/// The same messages over one SMTP connection, one after another.
async fn raw_rate(smtp: &Smtp, emails: &[Email]) -> anyhow::Result<f64> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url())?
        .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(1))
        .build();
    let from: Mailbox = "Portico <no-reply@portico.localhost>".parse()?;
    let started = Instant::now();
    for email in emails {
        let message = Message::builder()
            .from(from.clone())
            .to(Mailbox::new(None, email.to.as_str().parse()?))
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(email.body.clone(), email.html.clone().unwrap_or_default()))?;
        transport.send(message).await?;
    }
    Ok(emails.len() as f64 / started.elapsed().as_secs_f64())
}

/// Queues `emails` and runs the outbox worker with `senders` until all are sent.
async fn outbox_rate(db: &Db, smtp: &Smtp, emails: &[Email], senders: usize) -> anyhow::Result<f64> {
    let now = SystemClock.now();
    let mut tx = db.begin_write().await?;
    for (n, email) in emails.iter().enumerate() {
        mail::enqueue(&mut tx, &format!("bench:{n}"), email, None, now).await?;
    }
    tx.commit().await?;
    let settings = Settings { smtp_url: Some(smtp.url()), outbox_senders: senders, ..Settings::default() };
    let delivery = Delivery::from_settings(&settings)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let started = Instant::now();
    let running = tokio::spawn(worker::run(db.clone(), clock, delivery, stopped));
    loop {
        let sent: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL").fetch_one(&db.pool).await?;
        if usize::try_from(sent).unwrap_or(0) >= emails.len() {
            break;
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(600), "the outbox did not empty in 10 minutes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let took = started.elapsed();
    let _ = stop.send(true);
    running.await?;
    Ok(emails.len() as f64 / took.as_secs_f64())
}

/// The real server in process (SQLite), SMTP to the sink, window 0: one FHIR
/// result at a time for the demo patient, timed from the feed's answer to the
/// outbox row's `sent_at` being written.
async fn feed_to_sent(dir: &std::path::Path, smtp: &Smtp) -> anyhow::Result<(Duration, Duration)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let mut settings = Settings {
        database_url: format!("sqlite://{}", dir.join("latency.db").display()),
        bind: format!("127.0.0.1:{port}").parse()?,
        public_base_url: format!("{base}/").parse()?,
        smtp_url: Some(smtp.url()),
        ..Settings::default()
    };
    settings.notifications.notification_coalesce_secs = 0;
    let server = portico_server::Server::build(settings).await?;
    let db = server.state().db.clone();
    portico_server::demo::seed(&db, 5, SystemClock.now()).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));

    let staff = reqwest::Client::builder().cookie_store(true).build()?;
    staff
        .post(format!("{base}/api/v1/session"))
        .header("x-portico-csrf", "1")
        .json(&json!({ "email": "asha.patel@demo.portico.example", "password": portico_server::demo::DEMO_PASSWORD }))
        .send()
        .await?
        .error_for_status()?;
    let teams: serde_json::Value = staff.get(format!("{base}/api/v1/staff/teams")).send().await?.json().await?;
    let team = teams["teams"].as_array().and_then(|t| t.iter().find(|t| t["slug"] == "diabetes")).cloned();
    let team = team.ok_or_else(|| anyhow::anyhow!("no diabetes team"))?;
    let key: serde_json::Value = staff
        .post(format!("{base}/api/v1/staff/teams/{}/feed-keys", team["id"].as_str().unwrap_or_default()))
        .header("x-portico-csrf", "1")
        .json(&json!({ "name": "bench" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let key = key["key"].as_str().unwrap_or_default().to_owned();
    let nhs: String = sqlx::query_scalar(
        "SELECT r.nhs_number FROM records r JOIN accounts a ON a.id = r.owner_account_id WHERE a.email = $1",
    )
    .bind(portico_server::demo::DEMO_PATIENT_EMAIL)
    .fetch_one(&db.pool)
    .await?;

    let feed = reqwest::Client::new();
    let mut samples = Vec::new();
    for n in 0..LATENCY_SAMPLES {
        let observation = json!({ "resourceType": "Observation", "id": format!("latency-{n}"),
            "subject": { "identifier": { "system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs } },
            "code": { "text": "Potassium" }, "effectiveDateTime": "2026-11-25T08:00:00Z" });
        feed.post(format!("{base}/api/v1/feeds/fhir/Observation"))
            .bearer_auth(&key)
            .header("content-type", "application/fhir+json")
            .body(observation.to_string())
            .send()
            .await?
            .error_for_status()?;
        let committed = Instant::now();
        loop {
            let sent: i64 =
                sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'new_entries' AND sent_at IS NOT NULL")
                    .fetch_one(&db.pool)
                    .await?;
            if usize::try_from(sent).unwrap_or(0) > n {
                break;
            }
            anyhow::ensure!(committed.elapsed() < Duration::from_secs(30), "entry {n}'s notification was not sent");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        samples.push(committed.elapsed());
    }
    let _ = stop.send(());
    running.await??;
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    Ok((at(0.5), at(0.99)))
}
