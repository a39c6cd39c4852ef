//! Carer invitations: the single-use emailed offer of a link, with the terms
//! the link will have. The patient makes one for an adult carer; a
//! professional for a parent/guardian or the carer of an adult who lacks
//! capacity. An exclusion refuses every one unless a safeguarding lead
//! overrides it with a reason.

use portico_types::EmailAddress;
use portico_types::api::CarerInvitationView;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::emails;
use super::terms::Terms;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::mail;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// How long an emailed carer invitation works: the most NIST 800-63A allows
/// for an enrolment code sent by email with no second check.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);

/// Carer invitations one record may send in a day: enough for a family, too
/// few to turn Portico into a way of mailing strangers.
pub const INVITATIONS_PER_DAY: i64 = 10;

/// An invitation to make.
#[derive(Debug, Clone)]
pub struct Offer<'a> {
    pub record_id: &'a str,
    pub email: EmailAddress,
    pub terms: Terms,
    pub invited_by: &'a str,
    /// A safeguarding lead's reason to invite to an excluded record.
    pub exclusion_override: Option<&'a str>,
    pub ip: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("no such record")]
    NotFound,
    #[error("the record is excluded")]
    Excluded,
    /// The address is the patient's own, or the inviter's.
    #[error("a carer cannot be the patient or the person inviting")]
    OwnEmail,
    #[error("that person already holds access")]
    AlreadyCarer,
    #[error("the end date has passed")]
    EndsInPast,
    #[error("too many invitations for this record today")]
    TooMany,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for InviteError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Makes the invitation and queues its email, in one transaction.
pub async fn invite(state: &AppState, offer: Offer<'_>) -> Result<CarerInvitationView, InviteError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    // Dropping `tx` on an error rolls back whatever was written.
    let view = invite_in(&mut tx, state, &offer, now).await?;
    tx.commit().await?;
    Ok(view)
}

/// The record's given name and family name, its owner's email, and whether it is excluded.
type RecordRow = (String, String, Option<String>, Option<String>);

async fn invite_in(
    tx: &mut Tx,
    state: &AppState,
    offer: &Offer<'_>,
    now: OffsetDateTime,
) -> Result<CarerInvitationView, InviteError> {
    let record: Option<RecordRow> = sqlx::query_as(
        "SELECT r.given_name, r.family_name, (SELECT a.email FROM accounts a WHERE a.id = r.owner_account_id), \
         x.record_id FROM records r LEFT JOIN exclusions x ON x.record_id = r.id WHERE r.id = $1",
    )
    .bind(offer.record_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (given_name, family_name, owner_email, excluded) = record.ok_or(InviteError::NotFound)?;
    if excluded.is_some() && offer.exclusion_override.is_none() {
        return Err(InviteError::Excluded);
    }
    let inviter_email: Option<String> = sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
        .bind(offer.invited_by)
        .fetch_optional(&mut **tx)
        .await?;
    let to = offer.email.as_str();
    let same = |other: &Option<String>| other.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(to));
    if same(&owner_email) || same(&inviter_email) {
        return Err(InviteError::OwnEmail);
    }
    if offer.terms.ends_at.is_some_and(|ends| ends <= now) {
        return Err(InviteError::EndsInPast);
    }
    let today: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM carer_invitations WHERE record_id = $1 AND created_at > $2")
            .bind(offer.record_id)
            .bind(stored(now - Duration::days(1)))
            .fetch_one(&mut **tx)
            .await?;
    if today >= INVITATIONS_PER_DAY {
        return Err(InviteError::TooMany);
    }
    let live_sql = format!(
        "SELECT l.id FROM carer_links l JOIN accounts a ON a.id = l.carer_account_id \
         WHERE l.record_id = $1 AND LOWER(a.email) = LOWER($2) AND {}",
        super::access::LIVE.replace("$now", "$3")
    );
    let live: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(live_sql))
        .bind(offer.record_id)
        .bind(to)
        .bind(stored(now))
        .fetch_optional(&mut **tx)
        .await?;
    if live.is_some() {
        return Err(InviteError::AlreadyCarer);
    }
    // A new offer to the same address replaces the one still out.
    sqlx::query(
        "UPDATE carer_invitations SET state = 'revoked', decided_at = $3 \
         WHERE record_id = $1 AND LOWER(email) = LOWER($2) AND state = 'issued'",
    )
    .bind(offer.record_id)
    .bind(to)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;

    let id = uuid::Uuid::now_v7().to_string();
    let token = OneTimeToken::generate();
    let expires_at = now + INVITATION_LIFETIME;
    let grounds = offer.terms.grounds.columns();
    let kind = offer.terms.grounds.kind();
    sqlx::query(
        "INSERT INTO carer_invitations (id, record_id, token_hash, email, kind, access_level, relationship, \
         legal_basis, legal_note, organisation_id, ends_at, review_at, exclusion_override, invited_by, created_at, \
         expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'issued')",
    )
    .bind(&id)
    .bind(offer.record_id)
    .bind(token.hash())
    .bind(to)
    .bind(kind.as_str())
    .bind(offer.terms.level.as_str())
    .bind(&grounds.relationship)
    .bind(grounds.legal_basis)
    .bind(&grounds.legal_note)
    .bind(&grounds.organisation_id)
    .bind(offer.terms.ends_at.map(stored))
    .bind(grounds.review_at.map(stored))
    .bind(offer.exclusion_override)
    .bind(offer.invited_by)
    .bind(stored(now))
    .bind(stored(expires_at))
    .execute(&mut **tx)
    .await?;

    let invited =
        Event::new(Action::CarerInvited, now).actor(offer.invited_by).record(offer.record_id).ip(Some(offer.ip));
    let detail = json!({ "invitation_id": id, "kind": kind.as_str(), "access_level": offer.terms.level.as_str() });
    audit::record(tx, invited.detail(detail)).await?;
    if let (Some(reason), Some(_)) = (offer.exclusion_override, excluded) {
        let overridden =
            Event::new(Action::CarerExclusionOverridden, now).actor(offer.invited_by).record(offer.record_id);
        let detail = json!({ "invitation_id": id, "reason": reason });
        audit::record(tx, overridden.ip(Some(offer.ip)).detail(detail)).await?;
    }

    let base = &state.settings.public_base_url;
    let message = match &grounds.organisation_id {
        None => emails::invited_by_patient(
            base,
            &offer.email,
            &full(&given_name, &family_name),
            token.as_str(),
            expires_at.date(),
        ),
        Some(organisation_id) => {
            let organisation: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                .bind(organisation_id)
                .fetch_one(&mut **tx)
                .await?;
            emails::added_by_professional(
                base,
                &offer.email,
                &given_name,
                &organisation,
                token.as_str(),
                expires_at.date(),
            )
        }
    };
    // Named for the record, so staff see it among the record's emails sent.
    let about =
        mail::About { record_id: Some(offer.record_id), kind: Some("carer_invitation"), ..mail::About::default() };
    mail::enqueue_about(tx, &format!("carer-invitation:{id}"), &message, None, about, now).await?;
    Ok(CarerInvitationView {
        id,
        email: to.to_owned(),
        kind,
        access_level: offer.terms.level,
        expires_at: stored(expires_at),
        ends_at: offer.terms.ends_at.map(stored),
    })
}

/// Withdraws invitation `invitation_id` of `record_id` if it is still out;
/// returns whether it was.
pub async fn withdraw(
    state: &AppState,
    record_id: &str,
    invitation_id: &str,
    by: &str,
    ip: &str,
) -> Result<bool, sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let withdrawn = sqlx::query(
        "UPDATE carer_invitations SET state = 'revoked', decided_at = $3 \
         WHERE id = $1 AND record_id = $2 AND state = 'issued'",
    )
    .bind(invitation_id)
    .bind(record_id)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    if withdrawn.rows_affected() != 1 {
        return Ok(false);
    }
    let event = Event::new(Action::CarerInvitationWithdrawn, now).actor(by).record(record_id).ip(Some(ip));
    audit::record(&mut tx, event.detail(json!({ "invitation_id": invitation_id }))).await?;
    tx.commit().await?;
    Ok(true)
}

/// Marks the invitations whose time is up as expired; returns how many. (An
/// expired one is refused whether or not this has run: it is for the lists.)
pub async fn expire_due(db: &crate::db::Db, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE carer_invitations SET state = 'expired', decided_at = $1 WHERE state = 'issued' AND expires_at <= $1",
    )
    .bind(stored(now))
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected())
}

fn full(given: &str, family: &str) -> String {
    format!("{given} {family}")
}
