//! The outbox worker: claims due emails, sends them, marks them sent, and
//! retries failures with backoff. Several instances can run it against one
//! database: a claim is a lease (`claimed_until`), taken with `FOR UPDATE
//! SKIP LOCKED` on PostgreSQL (SQLite's single writer serialises claims).

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::{Clock, stored};
use crate::db::{Db, Engine};

/// How long a claim lasts: a worker that dies mid-send frees its email after this.
const LEASE: time::Duration = time::Duration::minutes(2);
/// Attempts before an email is given up on (about a day of backoff in all).
const MAX_ATTEMPTS: i64 = 10;
/// How often an idle worker looks for due email.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Where email goes.
#[derive(Clone)]
pub enum Delivery {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP server: the outbox row itself is the delivered email, shown to staff.
    Development,
}

impl Delivery {
    pub fn from_settings(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Self> {
        let Some(url) = smtp_url else { return Ok(Self::Development) };
        let from: Mailbox = from.parse().map_err(|e| anyhow::anyhow!("mail_from is not a valid address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("smtp_url is not a valid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self::Smtp { transport, from })
    }

    fn name(&self) -> &'static str {
        match self {
            Delivery::Smtp { .. } => "smtp",
            Delivery::Development => "development",
        }
    }
}

/// A claimed email.
#[derive(Debug)]
struct Claimed {
    id: String,
    idempotency_key: String,
    to: String,
    subject: String,
    body: String,
    invitation_id: Option<String>,
    attempts: i64,
}

type ClaimedRow = (String, String, String, String, String, Option<String>, i64);

/// Runs until `stop` turns true, delivering due email.
pub async fn run(
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
    delivery: Delivery,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match deliver_due(&db, clock.as_ref(), &delivery).await {
            Ok(0) => {}
            Ok(_) => continue, // more may be due
            Err(err) => tracing::warn!(error = %err, "email outbox: could not deliver"),
        }
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Claims and delivers due emails one at a time until none is due; returns how many it handled.
pub async fn deliver_due(db: &Db, clock: &dyn Clock, delivery: &Delivery) -> anyhow::Result<usize> {
    let mut handled = 0;
    while let Some(email) = claim(db, clock.now()).await? {
        let outcome = send(delivery, &email).await;
        finish(db, &email, delivery, outcome, clock.now()).await?;
        handled += 1;
    }
    Ok(handled)
}

async fn claim(db: &Db, now: OffsetDateTime) -> Result<Option<Claimed>, sqlx::Error> {
    let skip_locked = match db.engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE email_outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id = ( \
           SELECT id FROM email_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1 \
           AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT 1{skip_locked}) \
         RETURNING id, idempotency_key, to_address, subject, body_text, invitation_id, attempts"
    );
    let mut tx = db.begin_write().await?;
    let row: Option<ClaimedRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(stored(now))
        .bind(stored(now + LEASE))
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.map(|(id, idempotency_key, to, subject, body, invitation_id, attempts)| Claimed {
        id,
        idempotency_key,
        to,
        subject,
        body,
        invitation_id,
        attempts,
    }))
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug)]
struct Failure {
    reason: String,
    permanent: bool,
}

async fn send(delivery: &Delivery, email: &Claimed) -> Result<(), Failure> {
    let Delivery::Smtp { transport, from } = delivery else { return Ok(()) };
    let to: Mailbox =
        email.to.parse().map_err(|e| Failure { reason: format!("bad recipient: {e}"), permanent: true })?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(message_id(&email.idempotency_key, from)))
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| Failure { reason: format!("could not build the message: {e}"), permanent: true })?;
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(err) => Err(Failure { reason: err.to_string(), permanent: err.is_permanent() }),
    }
}

/// The same Message-ID for every attempt at one idempotency key, so a
/// receiving system can drop a duplicate after a crash between send and mark.
fn message_id(idempotency_key: &str, from: &Mailbox) -> String {
    let digest = hex::encode(&Sha256::digest(idempotency_key.as_bytes())[..16]);
    format!("<{digest}@{}>", from.email.domain())
}

async fn finish(
    db: &Db,
    email: &Claimed,
    delivery: &Delivery,
    outcome: Result<(), Failure>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    match outcome {
        Ok(()) => {
            // Over SMTP the body (which may hold a one-time link) has left and
            // is not kept; the development outbox is where it is read.
            let keep_body = matches!(delivery, Delivery::Development);
            sqlx::query(
                "UPDATE email_outbox SET sent_at = $2, delivered_via = $3, claimed_until = NULL, last_error = NULL, \
                 body_text = CASE WHEN $4 = 1 THEN body_text ELSE '' END WHERE id = $1",
            )
            .bind(&email.id)
            .bind(stored(now))
            .bind(delivery.name())
            .bind(i32::from(keep_body))
            .execute(&mut *tx)
            .await?;
            if let Some(invitation_id) = &email.invitation_id {
                crate::invitations::mark_sent(&mut tx, invitation_id, now).await?;
            }
        }
        Err(failure) => {
            let give_up = failure.permanent || email.attempts >= MAX_ATTEMPTS;
            tracing::warn!(email_id = %email.id, attempts = email.attempts, give_up, reason = %failure.reason, "email not sent");
            sqlx::query(
                "UPDATE email_outbox SET claimed_until = NULL, last_error = $2, next_attempt_at = $3, gave_up_at = $4 \
                 WHERE id = $1",
            )
            .bind(&email.id)
            .bind(failure.reason.chars().take(500).collect::<String>())
            .bind(stored(now + backoff(email.attempts)))
            .bind(give_up.then(|| stored(now)))
            .execute(&mut *tx)
            .await?;
            if give_up {
                let event = Event::new(Action::EmailGaveUp, now).detail(
                    json!({ "email_id": email.id, "attempts": email.attempts, "permanent": failure.permanent }),
                );
                audit::record(&mut tx, event).await?;
            }
        }
    }
    tx.commit().await
}

/// 30 s, 1 min, 2 min … doubling to at most 4 hours.
fn backoff(attempts: i64) -> time::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    (time::Duration::seconds(30) * 2_i32.pow(doublings)).min(time::Duration::hours(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), time::Duration::seconds(30));
        assert_eq!(backoff(2), time::Duration::minutes(1));
        assert_eq!(backoff(4), time::Duration::minutes(4));
        assert_eq!(backoff(20), time::Duration::hours(4));
    }

    #[test]
    fn one_key_one_message_id() {
        let from: Mailbox = "Portico <no-reply@portico.example>".parse().unwrap();
        assert_eq!(message_id("k1", &from), message_id("k1", &from));
        assert_ne!(message_id("k1", &from), message_id("k2", &from));
        assert!(message_id("k1", &from).ends_with("@portico.example>"));
    }
}
