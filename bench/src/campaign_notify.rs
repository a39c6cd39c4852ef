//! Texts handed to the GOV.UK Notify stand-in by the outbox worker, against
//! the Notify client sending the same texts itself with as many at once; and
//! what pacing to a per-minute limit lets through.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_notify::standin::NotifyStandIn;
use portico_notify::{ApiKey, Client, SmsRequest};
use portico_server::clock::{Clock, SystemClock, stored};
use portico_server::config::Settings;
use portico_server::db::{Db, Statement};
use portico_server::mail::worker::{self, Delivery};

const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const MESSAGES: usize = 1_000;
const SENDERS: usize = 4;
const PACED_LIMIT: u32 = 300;
const PACED_FOR: Duration = Duration::from_secs(20);

pub async fn report(dir: &Path) -> anyhow::Result<()> {
    let notify = NotifyStandIn::start().await?;
    let direct = direct_rate(&notify).await?;
    let url = format!("sqlite://{}", dir.join("notify.db").display());
    let db = Db::connect(&url, 8).await?;
    let settings = Settings {
        notify_base_url: notify.base_url().parse()?,
        notify_api_key: Some(notify.api_key()),
        notify_sms_invitation_template_id: Some(TEMPLATE_ID.into()),
        outbox_senders: SENDERS,
        notify_messages_per_minute: 0,
        ..Settings::default()
    };
    queue(&db, "unpaced", MESSAGES).await?;
    let unpaced = run_until(&db, &settings, |sent| sent >= MESSAGES, Duration::from_secs(600)).await?;
    let worker_rate = MESSAGES as f64 / unpaced.1.as_secs_f64();
    println!("\n## Texts handed to the Notify stand-in ({MESSAGES}, {SENDERS} at once)\n");
    println!("| Notify client directly (texts/s) | outbox worker (texts/s) | ratio |");
    println!("| ---: | ---: | ---: |");
    println!("| {direct:.0} | {worker_rate:.0} | {:.2} |", worker_rate / direct);

    sqlx::query("DELETE FROM outbox").execute(&db.pool).await?;
    queue(&db, "paced", MESSAGES).await?;
    let paced_settings = Settings { notify_messages_per_minute: PACED_LIMIT, ..settings };
    let (paced, _) = run_until(&db, &paced_settings, |_| false, PACED_FOR).await?;
    println!(
        "\nPaced to {PACED_LIMIT} a minute: {paced} texts handed over in {} s (of {MESSAGES} waiting); \
         none beyond the limit.",
        PACED_FOR.as_secs()
    );
    anyhow::ensure!(paced as u32 <= PACED_LIMIT, "pacing let {paced} through");
    let per_reference = sent_per_reference(&notify)?;
    let twice = per_reference.values().filter(|n| **n > 1).count();
    anyhow::ensure!(twice == 0, "{twice} texts were sent twice");
    Ok(())
}

/// The Notify client sending `MESSAGES` texts, `SENDERS` at once.
async fn direct_rate(notify: &NotifyStandIn) -> anyhow::Result<f64> {
    let client = Arc::new(Client::new(&notify.base_url(), ApiKey::parse(&notify.api_key())?, Duration::from_secs(15))?);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for sender in 0..SENDERS {
        let client = client.clone();
        tasks.spawn(async move {
            for n in (sender..MESSAGES).step_by(SENDERS) {
                let request = SmsRequest {
                    phone_number: "+447700900123".into(),
                    template_id: TEMPLATE_ID.into(),
                    personalisation: BTreeMap::from([("code".to_owned(), "7KQM-2XRD-93TB".to_owned())]),
                    reference: Some(format!("direct:{n}")),
                    sms_sender_id: None,
                };
                client.send_sms(&request).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(MESSAGES as f64 / started.elapsed().as_secs_f64())
}

async fn queue(db: &Db, prefix: &str, count: usize) -> anyhow::Result<()> {
    let now = stored(SystemClock.now());
    let mut tx = db.begin_write().await?;
    for start in (0..count).step_by(50) {
        let mut insert = Statement::for_engine(
            db.engine,
            "INSERT INTO outbox (id, idempotency_key, channel, to_address, subject, body_text, personalisation, \
             created_at, next_attempt_at, priority) ",
        );
        insert.values(start..(start + 50).min(count), |row, n| {
            row.bind(uuid::Uuid::now_v7().to_string())
                .bind(format!("{prefix}:{n}"))
                .bind("sms")
                .bind("+447700900123")
                .bind("")
                .bind("A text")
                .bind("{\"code\":\"7KQM-2XRD-93TB\"}")
                .bind(now.as_str())
                .bind(now.as_str())
                .bind(1_i64);
        });
        insert.query()?.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Runs the outbox worker until `done(sent)` or `at_most` has passed; how many it sent, and how long it took.
async fn run_until(
    db: &Db,
    settings: &Settings,
    done: impl Fn(usize) -> bool,
    at_most: Duration,
) -> anyhow::Result<(usize, Duration)> {
    let delivery = Delivery::from_settings(settings)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let started = Instant::now();
    let running = tokio::spawn(worker::run(db.clone(), clock, delivery, stopped));
    let sent = loop {
        let sent: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL").fetch_one(&db.pool).await?;
        let sent = usize::try_from(sent).unwrap_or(0);
        if done(sent) || started.elapsed() >= at_most {
            break sent;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let took = started.elapsed();
    let _ = stop.send(true);
    running.await?;
    Ok((sent, took))
}

fn sent_per_reference(notify: &NotifyStandIn) -> anyhow::Result<BTreeMap<String, usize>> {
    let mut per_reference = BTreeMap::new();
    for request in notify.requests()? {
        if request.path == "/v2/notifications/sms" && request.status == 201 {
            let reference = request.body["reference"].as_str().unwrap_or_default().to_owned();
            *per_reference.entry(reference).or_default() += 1;
        }
    }
    Ok(per_reference)
}
