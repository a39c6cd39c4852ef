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
pub mod receipts;
pub mod templates;
pub mod worker;

use portico_types::EmailAddress;
use time::OffsetDateTime;

use crate::clock::stored;
use crate::db::Tx;

/// An email to send: plain text, no clinical detail ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: EmailAddress,
    pub subject: String,
    pub body: String,
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
    let done = sqlx::query(
        "INSERT INTO outbox (id, idempotency_key, to_address, subject, body_text, invitation_id, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(idempotency_key)
    .bind(email.to.as_str())
    .bind(&email.subject)
    .bind(&email.body)
    .bind(invitation_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
