//! Email: written to the outbox in the transaction of what caused it, and
//! delivered by a worker (`worker`) over SMTP, or into the development outbox
//! when no SMTP server is configured.
//!
//! Delivery is at least once and never twice for the same idempotency key:
//! the key is unique in the outbox, so writing the same email again is a
//! no-op, and a row is claimed before it is sent and marked sent after. The
//! one gap SMTP leaves (the server accepted the mail, then Portico died before
//! marking it sent) is closed as far as it can be by a Message-ID made from
//! the key, which mail systems use to drop a duplicate.

pub mod dev_outbox;
pub mod header;
pub mod receipts;
pub mod render;
pub mod templates;
pub mod worker;

use portico_types::EmailAddress;
use time::OffsetDateTime;

use crate::clock::stored;
use crate::db::Tx;
pub use header::HeaderText;

/// An email to send: plain text with an HTML alternative, no clinical detail ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: EmailAddress,
    /// The recipient's name for the `To` header: one line, never a header of its own.
    pub to_name: Option<HeaderText>,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    /// RFC 8058 one-click unsubscribe address (`List-Unsubscribe`), for
    /// notifications a person can turn off.
    pub list_unsubscribe: Option<String>,
}

impl Email {
    /// A plain-text email.
    pub fn plain(to: &EmailAddress, subject: &str, body: String) -> Self {
        Self {
            to: to.clone(),
            to_name: None,
            subject: HeaderText::new(subject).to_string(),
            body,
            html: None,
            list_unsubscribe: None,
        }
    }
}

/// What an outbox row is about, for the staff view of what was sent to a
/// record's owner: the account it went to, the record, and the kind of email.
#[derive(Debug, Clone, Copy, Default)]
pub struct About<'a> {
    pub account_id: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub kind: Option<&'a str>,
}

/// Queues `email` within `tx` under `idempotency_key`; returns whether it was
/// new (false: an email with that key was already queued, and this one is not).
pub async fn enqueue(
    tx: &mut Tx,
    idempotency_key: &str,
    email: &Email,
    invitation_id: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    enqueue_about(tx, idempotency_key, email, invitation_id, About::default(), now).await
}

/// [`enqueue`], saying who and what the email is about.
pub async fn enqueue_about(
    tx: &mut Tx,
    idempotency_key: &str,
    email: &Email,
    invitation_id: Option<&str>,
    about: About<'_>,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO outbox (id, idempotency_key, to_address, subject, body_text, invitation_id, created_at, \
         next_attempt_at, body_html, to_name, list_unsubscribe, account_id, record_id, kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(idempotency_key)
    .bind(email.to.as_str())
    .bind(HeaderText::new(&email.subject).as_str())
    .bind(&email.body)
    .bind(invitation_id)
    .bind(stored(now))
    .bind(&email.html)
    .bind(email.to_name.as_ref().map(HeaderText::as_str))
    .bind(&email.list_unsubscribe)
    .bind(about.account_id)
    .bind(about.record_id)
    .bind(about.kind)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
