//! The outbox worker: claims due emails and text messages, sends them (email
//! over SMTP or GOV.UK Notify, texts through Notify), marks them sent, and
//! retries failures with backoff. Several senders per instance, and several
//! instances against one database: a claim is a lease (`claimed_until`),
//! taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's single writer
//! serialises claims). A patient's own messages go before a campaign's, a
//! paused campaign's wait, and Notify gets no more than its per-minute limit.
//!
//! Notify has no idempotency key: each text carries its outbox key as
//! Notify's `reference`, and a text that may already have reached Notify
//! (a timeout, a 5xx, a crash between send and mark) is looked up by that
//! reference before it is sent again.

use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::{Clock, stored};
use crate::db::{Db, Engine};

/// Attempts before an email is given up on (about a day of backoff in all).
const MAX_ATTEMPTS: i64 = 10;
/// How often an idle worker looks for due email.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Where email and text messages go.
#[derive(Clone)]
pub struct Delivery {
    pub email: EmailDelivery,
    pub sms: SmsDelivery,
    /// Messages handed to Notify in any 60 seconds, across instances (0: no pacing).
    pub notify_per_minute: u32,
    /// Messages one instance sends at once.
    pub senders: usize,
    /// How long a claim lasts: a worker that dies mid-send frees its message after this.
    pub lease: time::Duration,
}

impl Delivery {
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        let email = match settings.email_provider {
            crate::config::EmailProvider::Smtp => {
                EmailDelivery::from_settings(settings.smtp_url.as_deref(), &settings.mail_from)?
            }
            crate::config::EmailProvider::Notify => EmailDelivery::notify_from_settings(settings)?,
        };
        Ok(Self {
            email,
            sms: SmsDelivery::from_settings(settings)?,
            notify_per_minute: settings.notify_messages_per_minute,
            senders: settings.outbox_senders.clamp(1, 64),
            lease: settings.claim_lease(),
        })
    }

    /// Email to the development outbox, texts nowhere: for tests that only read the outbox.
    pub fn development() -> Self {
        Self {
            email: EmailDelivery::Development,
            sms: SmsDelivery::Development,
            notify_per_minute: 0,
            senders: 1,
            lease: time::Duration::minutes(2),
        }
    }

    fn name(&self, channel: &str) -> &'static str {
        match channel {
            "sms" => self.sms.name(),
            _ => self.email.name(),
        }
    }

    /// The channels whose messages go through Notify, and so are paced.
    fn paced_channels(&self) -> Vec<&'static str> {
        if self.notify_per_minute == 0 {
            return Vec::new();
        }
        let mut channels = Vec::new();
        if matches!(self.sms, SmsDelivery::Notify { .. }) {
            channels.push("sms");
        }
        if matches!(self.email, EmailDelivery::Notify { .. }) {
            channels.push("email");
        }
        channels
    }
}

/// Where text messages go.
#[derive(Clone)]
pub enum SmsDelivery {
    Notify {
        client: portico_notify::Client,
        invitation_template_id: String,
    },
    /// Notify not set up: the outbox row itself is the delivered text, shown to staff.
    Development,
}

/// How long to wait for Notify before counting a send as failed (and maybe sent).
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(15);

impl SmsDelivery {
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        let Some(client) = notify_client(settings)? else { return Ok(Self::Development) };
        let invitation_template_id = settings
            .notify_sms_invitation_template_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("notify_api_key is set: set notify_sms_invitation_template_id too"))?;
        Ok(Self::Notify { client, invitation_template_id })
    }

    fn name(&self) -> &'static str {
        match self {
            SmsDelivery::Notify { .. } => "notify",
            SmsDelivery::Development => "development",
        }
    }
}

/// A Notify client, when a key is configured.
fn notify_client(settings: &crate::config::Settings) -> anyhow::Result<Option<portico_notify::Client>> {
    let Some(key) = settings.notify_api_key.as_deref() else { return Ok(None) };
    let key = portico_notify::ApiKey::parse(key).map_err(|e| anyhow::anyhow!("notify_api_key: {e}"))?;
    let client = portico_notify::Client::new(settings.notify_base_url.as_str(), key, NOTIFY_TIMEOUT)
        .map_err(|e| anyhow::anyhow!("notify_base_url: {e}"))?;
    Ok(Some(client))
}

/// Where email goes.
#[derive(Clone)]
pub enum EmailDelivery {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Through Notify's API, with one template whose subject and body are
    /// `((subject))` and `((body))`.
    Notify {
        client: portico_notify::Client,
        template_id: String,
    },
    /// No SMTP server: the outbox row itself is the delivered email, shown to staff.
    Development,
}

impl EmailDelivery {
    pub fn from_settings(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Self> {
        let Some(url) = smtp_url else { return Ok(Self::Development) };
        let from: Mailbox = from.parse().map_err(|e| anyhow::anyhow!("mail_from is not a valid address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("smtp_url is not a valid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self::Smtp { transport, from })
    }

    pub fn notify_from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        let client = notify_client(settings)?
            .ok_or_else(|| anyhow::anyhow!("email_provider is notify: set notify_api_key too"))?;
        let template_id = settings
            .notify_email_template_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("email_provider is notify: set notify_email_template_id too"))?;
        Ok(Self::Notify { client, template_id })
    }

    fn name(&self) -> &'static str {
        match self {
            EmailDelivery::Smtp { .. } => "smtp",
            EmailDelivery::Notify { .. } => "notify",
            EmailDelivery::Development => "development",
        }
    }
}

/// A claimed email or text message.
#[derive(Debug)]
struct Claimed {
    id: String,
    idempotency_key: String,
    /// `email` or `sms`.
    channel: String,
    to: String,
    subject: String,
    body: String,
    personalisation: Option<String>,
    invitation_id: Option<String>,
    attempts: i64,
    /// A text whose last attempt may have reached Notify.
    maybe_sent: bool,
    /// The HTML alternative, the `To` name, the one-click unsubscribe address.
    extras: Extras,
}

#[derive(Debug)]
struct Extras {
    html: Option<String>,
    to_name: Option<String>,
    list_unsubscribe: Option<String>,
}

type ClaimedRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Runs until `stop` turns true: `delivery.senders` loops, each delivering
/// due email and texts one at a time.
pub async fn run(
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
    delivery: Delivery,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..delivery.senders {
        senders.spawn(send_until_stopped(db.clone(), clock.clone(), delivery.clone(), stop.clone()));
    }
    while senders.join_next().await.is_some() {}
}

async fn send_until_stopped(
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
    delivery: Delivery,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match deliver_due(&db, clock.as_ref(), &delivery).await {
            Ok(0) => {}
            Ok(_) => continue, // more may be due
            Err(err) => tracing::warn!(error = %err, "outbox: could not deliver"),
        }
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Claims and delivers due messages one at a time until none is due (or
/// Notify's per-minute allowance is used up); returns how many it handled.
pub async fn deliver_due(db: &Db, clock: &dyn Clock, delivery: &Delivery) -> anyhow::Result<usize> {
    let mut handled = 0;
    while let Some(message) = claim(db, clock.now(), delivery).await? {
        let outcome = send(delivery, &message).await;
        finish(db, &message, delivery, outcome, clock.now()).await?;
        handled += 1;
    }
    Ok(handled)
}

/// Takes the next due message: a patient's own before bulk ones, none of a
/// paused campaign, and none bound for Notify once this minute's allowance
/// is used (counted in the claiming transaction; on PostgreSQL under an
/// advisory lock, so instances together stay within it).
async fn claim(db: &Db, now: OffsetDateTime, delivery: &Delivery) -> Result<Option<Claimed>, sqlx::Error> {
    let skip_locked = match db.engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let mut tx = db.begin_write().await?;
    let paced = delivery.paced_channels();
    let mut held = String::new();
    if !paced.is_empty() {
        if db.engine == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7270011)").execute(&mut *tx).await?;
        }
        let sent_this_minute: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM outbox WHERE last_attempt_at > $1 AND channel IN ({})",
            quoted(&paced)
        )))
        .bind(stored(now - time::Duration::minutes(1)))
        .fetch_one(&mut *tx)
        .await?;
        if sent_this_minute >= i64::from(delivery.notify_per_minute) {
            held = format!(" AND channel NOT IN ({})", quoted(&paced));
        }
    }
    let sql = format!(
        "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1, last_attempt_at = $1 WHERE id = ( \
           SELECT id FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1 \
           AND (claimed_until IS NULL OR claimed_until <= $1){held} \
           AND (campaign_id IS NULL OR NOT EXISTS ( \
             SELECT 1 FROM campaigns c WHERE c.id = outbox.campaign_id AND c.state = 'paused')) \
           ORDER BY priority, next_attempt_at, id LIMIT 1{skip_locked}) \
         RETURNING id, idempotency_key, channel, to_address, subject, body_text, personalisation, invitation_id, \
         attempts, last_error, body_html, to_name, list_unsubscribe"
    );
    let row: Option<ClaimedRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(stored(now))
        .bind(stored(now + delivery.lease))
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.map(
        |(
            id,
            idempotency_key,
            channel,
            to,
            subject,
            body,
            personalisation,
            invitation_id,
            attempts,
            last_error,
            html,
            to_name,
            list_unsubscribe,
        )| {
            Claimed {
                id,
                idempotency_key,
                channel,
                to,
                subject,
                body,
                personalisation,
                invitation_id,
                attempts,
                // An earlier attempt that may have reached Notify: one that said
                // so, or one that never finished (the worker died mid-send and its
                // lease ran out, leaving no error behind).
                maybe_sent: attempts > 1 && last_error.is_none_or(|e| e.starts_with(MAYBE_SENT)),
                extras: Extras { html, to_name, list_unsubscribe },
            }
        },
    ))
}

/// `'sms', 'email'`: channel names are literals from this file, never input.
fn quoted(channels: &[&'static str]) -> String {
    channels.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug)]
struct Failure {
    reason: String,
    permanent: bool,
    /// Notify's suggested wait, when longer than the backoff.
    retry_after: Option<Duration>,
}

impl Failure {
    fn new(reason: impl Into<String>, permanent: bool) -> Self {
        Self { reason: reason.into(), permanent, retry_after: None }
    }
}

/// The start of `last_error` for a text that may have reached Notify: the
/// next attempt looks it up before sending.
const MAYBE_SENT: &str = "maybe sent: ";

/// Sends one message; for Notify, answers its notification id.
async fn send(delivery: &Delivery, message: &Claimed) -> Result<Option<String>, Failure> {
    match (message.channel.as_str(), &delivery.sms, &delivery.email) {
        ("sms", SmsDelivery::Notify { client, invitation_template_id }, _) => {
            let personalisation = message
                .personalisation
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| Failure::new(format!("stored personalisation unreadable: {e}"), true))?
                .unwrap_or_default();
            let request = portico_notify::SmsRequest {
                phone_number: message.to.clone(),
                template_id: invitation_template_id.clone(),
                personalisation,
                reference: Some(message.idempotency_key.clone()),
                sms_sender_id: None,
            };
            send_through_notify(client, message, |client| Box::pin(client.send_sms(&request))).await
        }
        ("sms", SmsDelivery::Development, _) => Ok(None),
        (_, _, EmailDelivery::Notify { client, template_id }) => {
            let personalisation = [("subject", &message.subject), ("body", &message.body)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect();
            let request = portico_notify::EmailRequest {
                email_address: message.to.clone(),
                template_id: template_id.clone(),
                personalisation,
                reference: Some(message.idempotency_key.clone()),
                email_reply_to_id: None,
                // Notify refuses anything but https (a development base URL is http).
                one_click_unsubscribe_url: message
                    .extras
                    .list_unsubscribe
                    .clone()
                    .filter(|url| url.starts_with("https://")),
            };
            send_through_notify(client, message, |client| Box::pin(client.send_email(&request))).await
        }
        _ => send_email(&delivery.email, message).await.map(|()| None),
    }
}

type NotifySend<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<portico_notify::Sent, portico_notify::NotifyError>> + Send + 'a>,
>;

/// Sends through Notify, unless an earlier attempt may already have got
/// there: then Notify is asked by reference first.
async fn send_through_notify<'a>(
    client: &'a portico_notify::Client,
    message: &Claimed,
    send: impl FnOnce(&'a portico_notify::Client) -> NotifySend<'a>,
) -> Result<Option<String>, Failure> {
    let notify_failure = |err: portico_notify::NotifyError| {
        let reason = if err.may_have_been_sent() { format!("{MAYBE_SENT}{}", err.reason()) } else { err.reason() };
        Failure { reason, permanent: err.is_permanent(), retry_after: err.retry_after() }
    };
    if message.maybe_sent
        && let Some(found) = client.find_by_reference(&message.idempotency_key).await.map_err(notify_failure)?
        && !found.has_failed()
    {
        tracing::info!(outbox_id = %message.id, notification_id = %found.id, "already with Notify: not sent again");
        return Ok(Some(found.id));
    }
    send(client).await.map(|sent| Some(sent.id)).map_err(notify_failure)
}

async fn send_email(delivery: &EmailDelivery, email: &Claimed) -> Result<(), Failure> {
    let EmailDelivery::Smtp { transport, from } = delivery else { return Ok(()) };
    let message = smtp_message(email, from)?;
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(err) => Err(Failure::new(err.to_string(), err.is_permanent())),
    }
}

/// The email as sent: plain text alone, or plain text and HTML as
/// multipart/alternative; a one-click unsubscribe (RFC 8058) where the
/// notification can be turned off. Subject and name are one line again here,
/// whatever the row holds, so nothing stored can add a header.
fn smtp_message(email: &Claimed, from: &Mailbox) -> Result<Message, Failure> {
    let address: lettre::Address = email.to.parse().map_err(|e| Failure::new(format!("bad recipient: {e}"), true))?;
    let name = email.extras.to_name.as_deref().map(super::HeaderText::new).filter(|n| !n.is_empty());
    let to = Mailbox::new(name.map(|n| n.to_string()), address);
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(super::HeaderText::new(&email.subject).to_string())
        .message_id(Some(message_id(&email.idempotency_key, from)));
    if let Some(url) = email.extras.list_unsubscribe.as_deref() {
        builder = builder.header(ListUnsubscribe(format!("<{url}>"))).header(ListUnsubscribePost);
    }
    let built = match email.extras.html.as_deref() {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(email.body.clone(), html.to_owned())),
        None => builder.header(ContentType::TEXT_PLAIN).body(email.body.clone()),
    };
    built.map_err(|e| Failure::new(format!("could not build the message: {e}"), true))
}

/// `List-Unsubscribe: <https://…>` (RFC 2369). The address is Portico's own
/// URL with a hex token: ASCII, no spaces, no line breaks.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the
/// mail app may POST to the address, without the person opening a page.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
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
    outcome: Result<Option<String>, Failure>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    match outcome {
        Ok(provider_id) => {
            // Once sent the body (which may hold a one-time link) has left and
            // is not kept; the development outbox is where it is read.
            let via = delivery.name(&email.channel);
            let keep_body = via == "development";
            sqlx::query(
                "UPDATE outbox SET sent_at = $2, delivered_via = $3, claimed_until = NULL, last_error = NULL, \
                 body_text = CASE WHEN $4 = 1 THEN body_text ELSE '' END, \
                 body_html = CASE WHEN $4 = 1 THEN body_html ELSE NULL END, \
                 personalisation = CASE WHEN $4 = 1 THEN personalisation ELSE NULL END, provider_id = $5 WHERE id = $1",
            )
            .bind(&email.id)
            .bind(stored(now))
            .bind(via)
            .bind(i32::from(keep_body))
            .bind(provider_id)
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
                "UPDATE outbox SET claimed_until = NULL, last_error = $2, next_attempt_at = $3, gave_up_at = $4, \
                 bounced = $5 WHERE id = $1",
            )
            .bind(&email.id)
            .bind(failure.reason.chars().take(500).collect::<String>())
            .bind(stored(
                now + backoff(email.attempts).max(
                    failure
                        .retry_after
                        .map_or(time::Duration::ZERO, |d| time::Duration::try_from(d).unwrap_or(time::Duration::ZERO)),
                ),
            ))
            .bind(give_up.then(|| stored(now)))
            // Refused outright by the receiving server: a bounce, not a failure after retries.
            .bind(i64::from(failure.permanent))
            .execute(&mut *tx)
            .await?;
            if give_up {
                let action = if email.channel == "sms" { Action::TextMessageGaveUp } else { Action::EmailGaveUp };
                let event = Event::new(action, now).detail(
                    json!({ "outbox_id": email.id, "attempts": email.attempts, "permanent": failure.permanent }),
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
