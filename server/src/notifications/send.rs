//! Notifications of one event each (a sign-up decided, a carer's access
//! changed, an invitation accepted): sent as the person chose, in the
//! transaction of the change. The function the carers work calls is here.

use portico_types::EmailAddress;
use time::OffsetDateTime;

use super::unsubscribe::{self, Scope};
use super::{Delivery, Kind, pending, preferences};
use crate::db::Tx;
use crate::mail::templates::{self, CarerAccessChange, CarerBandNotice, Footer};
use crate::mail::{self, Email};
use crate::state::AppState;

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Queued in the outbox now.
    Queued,
    /// Waiting for the next daily digest.
    InDigest,
    /// The person turned this kind off.
    TurnedOff,
}

/// One notification: to whom, of what kind, under which idempotency key,
/// about which record.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    pub account_id: &'a str,
    pub kind: Kind,
    /// The outbox key: the same event notified twice is one email.
    pub key: &'a str,
    pub record_id: Option<&'a str>,
}

/// Tells `notice.account_id` as they chose: `email` (given the footer
/// links) into the outbox now, a line in the next digest, or nothing.
pub async fn notify(
    tx: &mut Tx,
    state: &AppState,
    notice: Notice<'_>,
    email: impl FnOnce(&Footer) -> Email,
    now: OffsetDateTime,
) -> Result<Sent, sqlx::Error> {
    match preferences::delivery_of(tx, notice.account_id, notice.kind).await? {
        Delivery::Off => Ok(Sent::TurnedOff),
        Delivery::DailyDigest => {
            pending::record(tx, notice.account_id, notice.kind, Delivery::DailyDigest, notice.record_id, false, now)
                .await?;
            Ok(Sent::InDigest)
        }
        Delivery::Immediately => {
            let footer = unsubscribe::footer(state, notice.account_id, Scope::Kind(notice.kind));
            let about = mail::About {
                account_id: Some(notice.account_id),
                record_id: notice.record_id,
                kind: Some(notice.kind.as_str()),
            };
            mail::enqueue_about(tx, notice.key, &email(&footer), None, about, now).await?;
            Ok(Sent::Queued)
        }
    }
}

/// The account's address and the name to greet them by (their record's
/// given name, else their display name), unless it is disabled.
pub async fn recipient(tx: &mut Tx, account_id: &str) -> Result<Option<(EmailAddress, String, String)>, sqlx::Error> {
    let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT a.email, a.display_name, a.disabled_at, \
         (SELECT r.given_name FROM records r WHERE r.owner_account_id = a.id) FROM accounts a WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.and_then(|(email, display_name, disabled, given)| {
        let email = EmailAddress::parse(&email).ok()?;
        disabled.is_none().then(|| {
            let greeting = given.unwrap_or_else(|| display_name.split_whitespace().next().unwrap_or("").to_owned());
            (email, greeting, display_name)
        })
    }))
}

/// To a carer (`carer_account_id`): their access to `patient_given_name`'s
/// record was granted, changed or ended. `link_id` names the carer link and
/// `version` the change, so each change is one email however often it is
/// retried. For the carers work (issue 8) to call in its transaction.
#[allow(clippy::too_many_arguments)] // every value names a different thing the email needs
pub async fn carer_access(
    tx: &mut Tx,
    state: &AppState,
    carer_account_id: &str,
    record_id: &str,
    patient_given_name: &str,
    change: CarerAccessChange,
    link_id: &str,
    now: OffsetDateTime,
) -> Result<Sent, sqlx::Error> {
    let Some((to, greeting, name)) = recipient(tx, carer_account_id).await? else { return Ok(Sent::TurnedOff) };
    let key = format!("carer-access:{link_id}:{}:{}", change.as_str(), crate::clock::stored(now));
    let notice =
        Notice { account_id: carer_account_id, kind: Kind::CarerAccess, key: &key, record_id: Some(record_id) };
    let base = &state.settings.public_base_url;
    notify(
        tx,
        state,
        notice,
        |footer| {
            let email = templates::carer_access(base, &to, &greeting, patient_given_name, change, footer);
            Email { to_name: Some(mail::HeaderText::new(&name)), ..email }
        },
        now,
    )
    .await
}

/// A notice to a parent or guardian about an age band of a child's record
/// (`crate::carers::bands`): what it is, and the outbox key that makes it one email.
#[derive(Debug, Clone, Copy)]
pub struct BandNotice<'a> {
    pub carer_account_id: &'a str,
    pub record_id: &'a str,
    pub patient_given_name: &'a str,
    pub notice: CarerBandNotice,
    /// `not_private`, `review` or `end`.
    pub becomes: &'a str,
    pub on: time::Date,
    pub key: &'a str,
}

/// Sends `band` as the parent chose for carer access notices.
pub async fn carer_band(
    tx: &mut Tx,
    state: &AppState,
    band: BandNotice<'_>,
    now: OffsetDateTime,
) -> Result<Sent, sqlx::Error> {
    let Some((to, greeting, name)) = recipient(tx, band.carer_account_id).await? else { return Ok(Sent::TurnedOff) };
    let notice = Notice {
        account_id: band.carer_account_id,
        kind: Kind::CarerAccess,
        key: band.key,
        record_id: Some(band.record_id),
    };
    let base = &state.settings.public_base_url;
    notify(
        tx,
        state,
        notice,
        |footer| {
            let email = templates::carer_band(
                base,
                &to,
                &greeting,
                band.patient_given_name,
                band.notice,
                band.becomes,
                band.on,
                footer,
            );
            Email { to_name: Some(mail::HeaderText::new(&name)), ..email }
        },
        now,
    )
    .await
}

/// To the person who sent an invitation (`inviter_account_id`): `invitee`
/// accepted it. For the carers work (issue 8): a patient's invitation to a carer.
pub async fn invitation_accepted(
    tx: &mut Tx,
    state: &AppState,
    inviter_account_id: &str,
    invitee: &str,
    invitation_id: &str,
    now: OffsetDateTime,
) -> Result<Sent, sqlx::Error> {
    let Some((to, greeting, name)) = recipient(tx, inviter_account_id).await? else { return Ok(Sent::TurnedOff) };
    let key = format!("invitation-accepted:{invitation_id}");
    let notice = Notice { account_id: inviter_account_id, kind: Kind::InvitationAccepted, key: &key, record_id: None };
    let base = &state.settings.public_base_url;
    notify(
        tx,
        state,
        notice,
        |footer| {
            let email = templates::invitation_accepted(base, &to, &greeting, invitee, footer);
            Email { to_name: Some(mail::HeaderText::new(&name)), ..email }
        },
        now,
    )
    .await
}
