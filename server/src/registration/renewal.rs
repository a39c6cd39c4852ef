//! A new code in place of an expired one, asked for by the patient on the
//! page that told them their code had expired.
//!
//! The code and date of birth are checked again, under step one's own
//! throttles (per code, and per client address, with the same keys: the two
//! paths share one count, so neither is a way round the other's lockout),
//! plus a count of renewal requests per address that nothing forgives. A new
//! invitation for the same record and team goes only to a contact already on
//! the record (its email, else its mobile), never to one the requester
//! gives, at most as often as `renewal_limit` allows, and the expired one is
//! revoked. Every request is audited with what really happened; the person
//! asking is told one sentence whatever it was (see `routes`), so nothing
//! about a record, its contacts or an exclusion can be learned from it. The
//! throttles, the lookup and an audit write happen on every path.

use portico_types::{DateOfBirth, EmailAddress, InvitationCode, MobileNumber};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::renewal_limit;
use super::start::{self, PER_ADDRESS, PER_CODE};
use crate::audit::{self, Action, Event};
use crate::auth::throttle::{self, Claim, Key, Policy};
use crate::clock::{parse_stored, stored};
use crate::db::{Engine, Tx};
use crate::invitations::{self, Channel, IssueError, IssueRequest, LIVE_STATES, Occasion, State};
use crate::state::AppState;

/// Renewal requests from one client address: a person who mistypes their
/// date of birth a few times still gets through, a flood does not.
pub const RENEWALS_PER_ADDRESS: Policy = Policy {
    free_attempts: 10,
    first_lock: Duration::minutes(10),
    max_lock: Duration::hours(1),
    window: Duration::hours(1),
};

/// What a renewal request really came to: audited, never told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new code went to the record's email address or mobile number.
    Sent(Channel),
    /// The record holds neither an email address nor a mobile number.
    NoContact,
    /// The record is excluded: nothing is sent.
    Excluded,
    /// The record had a renewal too recently (`renewal_limit`).
    LimitReached,
    /// No invitation has this code.
    UnknownCode,
    /// The code exists but the date of birth is not its record's.
    Mismatch,
    /// The code is locked by wrong tries (on this path or step one's).
    CodeLocked,
    /// The invitation has not expired: it can still be used.
    NotExpired,
    /// The record has an account already.
    Registered,
    /// Used, revoked, locked, replaced by a newer invitation, a
    /// professional's own, or the record has left the team.
    NotRenewable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent(_) => "sent",
            Self::NoContact => "no_contact",
            Self::Excluded => "excluded",
            Self::LimitReached => "limit_reached",
            Self::UnknownCode => "unknown_code",
            Self::Mismatch => "mismatch",
            Self::CodeLocked => "code_locked",
            Self::NotExpired => "not_expired",
            Self::Registered => "registered",
            Self::NotRenewable => "not_renewable",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    /// This client address has asked too often: the one answer that differs,
    /// and it depends on nothing but the address's own count.
    #[error("too many requests from this address")]
    TooManyRequests { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for RenewalError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// The invitation a code names, as the renewal reads it (under its lock).
#[derive(Debug, Clone)]
struct Found {
    invitation_id: String,
    record_id: String,
    team_id: String,
    state: String,
    expires_at: String,
    issued_by: Option<String>,
    professional: bool,
    owner: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    excluded: bool,
    /// Whether the record has an invitation issued after this one.
    superseded: bool,
}

type FoundRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

const FIND: &str = "SELECT i.id, i.record_id, i.team_id, i.state, i.expires_at, i.issued_by, i.for_account_id, \
     r.date_of_birth, r.owner_account_id, r.email, r.mobile, x.record_id, \
     (SELECT COUNT(*) FROM invitations n WHERE n.record_id = i.record_id AND n.id <> i.id \
        AND n.issued_at > i.issued_at) \
     FROM invitations i JOIN records r ON r.id = i.record_id \
     LEFT JOIN exclusions x ON x.record_id = i.record_id WHERE i.code_hash = $1";

/// The invitation `code_hash` names and its record's date of birth.
async fn find(tx: &mut Tx, code_hash: &str) -> Result<Option<(Found, String)>, sqlx::Error> {
    let row: Option<FoundRow> = sqlx::query_as(FIND).bind(code_hash).fetch_optional(&mut **tx).await?;
    Ok(row.map(
        |(
            invitation_id,
            record_id,
            team_id,
            state,
            expires_at,
            issued_by,
            for_account,
            date_of_birth,
            owner,
            email,
            mobile,
            excluded,
            newer,
        )| {
            let found = Found {
                invitation_id,
                record_id,
                team_id,
                state,
                expires_at,
                issued_by,
                professional: for_account.is_some(),
                owner,
                email,
                mobile,
                excluded: excluded.is_some(),
                superseded: newer > 0,
            };
            (found, date_of_birth)
        },
    ))
}

/// Handles one request for a new code; `Ok` whatever the outcome, which the
/// caller must not tell.
pub async fn renew(
    state: &AppState,
    code: &InvitationCode,
    date_of_birth: &DateOfBirth,
    ip: &str,
) -> Result<Outcome, RenewalError> {
    let now = state.now();
    let code_hash = state.keys.code_hash(invitations::CODE_PURPOSE, code.as_str());
    let code_key = Key::scoped("code", &code_hash);
    let address_key = Key::scoped("register-ip", ip);
    let renewal_key = Key::scoped("renewal-ip", ip);

    // Counted before anything is looked up, as step one counts.
    let code_claim = {
        let mut tx = state.db.begin_write().await?;
        for (key, policy) in [(&renewal_key, RENEWALS_PER_ADDRESS), (&address_key, PER_ADDRESS)] {
            if let Claim::Refused { retry_after } = throttle::claim(&mut tx, state.db.engine, key, policy, now).await? {
                tx.rollback().await?;
                let mut tx = state.db.begin_write().await?;
                let event = Event::new(Action::InvitationRenewalRequested, now)
                    .ip(Some(ip))
                    .detail(json!({ "outcome": "too_many_requests" }));
                audit::record(&mut tx, event).await?;
                tx.commit().await?;
                return Err(RenewalError::TooManyRequests { retry_after_secs: throttle::wait_secs(retry_after) });
            }
        }
        let code_claim = throttle::claim(&mut tx, state.db.engine, &code_key, PER_CODE, now).await?;
        tx.commit().await?;
        code_claim
    };
    if let Claim::Refused { .. } = code_claim {
        return audited(state, None, Outcome::CodeLocked, ip, now).await;
    }

    let mut tx = state.db.begin_write().await?;
    let found = find(&mut tx, &code_hash).await?;
    let found = match found {
        Some((found, dob)) if dob == date_of_birth.iso() => found,
        // No such code, or the wrong date of birth: counted as step one counts them.
        other => {
            tx.rollback().await?;
            let invitation = other.map(|(found, _)| (found.invitation_id, found.record_id));
            let outcome = if invitation.is_some() { Outcome::Mismatch } else { Outcome::UnknownCode };
            let record_id = invitation.as_ref().map(|(_, record_id)| record_id.clone());
            start::count_failure(state, invitation, code_claim, ip, now).await.map_err(|err| match err {
                start::StartError::Internal(err) => RenewalError::Internal(err),
                other => RenewalError::Internal(other.into()),
            })?;
            return audited(state, record_id.as_deref(), outcome, ip, now).await;
        }
    };
    throttle::forgive(&mut tx, &code_key, &address_key, PER_ADDRESS).await?;
    // Two requests for one record at once: the second waits here, then reads
    // again and sees the first one's renewal (SQLite's write lock is held
    // from the start of the transaction).
    let found = if state.db.engine == Engine::Postgres {
        sqlx::query("SELECT id FROM records WHERE id = $1 FOR UPDATE")
            .bind(&found.record_id)
            .fetch_optional(&mut *tx)
            .await?;
        find(&mut tx, &code_hash).await?.map_or(found, |(again, _)| again)
    } else {
        found
    };
    let outcome = match refusal(&found, now) {
        Some(outcome) => outcome,
        None => {
            let sent_at = renewals_since(&mut tx, &found.record_id, now - renewal_limit::LOOK_BACK).await?;
            if renewal_limit::allows(&sent_at, now) {
                send(&mut tx, state, &found, ip).await?
            } else {
                Outcome::LimitReached
            }
        }
    };
    let (record_id, team_id) = (Some(found.record_id.as_str()), Some(found.team_id.as_str()));
    record_outcome(&mut tx, record_id, team_id, &found.invitation_id, outcome, ip, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Why a matched invitation gets no new code, checked before the limit:
/// an exclusion first, so that nothing else is even looked at for it.
fn refusal(found: &Found, now: OffsetDateTime) -> Option<Outcome> {
    if found.excluded {
        return Some(Outcome::Excluded);
    }
    if found.owner.is_some() {
        return Some(Outcome::Registered);
    }
    let past_expiry = parse_stored(&found.expires_at).is_none_or(|at| at <= now);
    let expired = match State::parse(&found.state) {
        Some(State::Expired) => true,
        Some(State::Issued | State::Sent | State::Opened) => past_expiry,
        Some(State::Used | State::Locked | State::Revoked) | None => return Some(Outcome::NotRenewable),
    };
    if !expired {
        return Some(Outcome::NotExpired);
    }
    if found.professional || found.superseded || found.issued_by.is_none() {
        return Some(Outcome::NotRenewable);
    }
    if contact(found).is_none() {
        return Some(Outcome::NoContact);
    }
    None
}

/// The channel a renewal goes by: the record's email address, else its mobile.
fn contact(found: &Found) -> Option<Channel> {
    let email = found.email.as_deref().is_some_and(|e| EmailAddress::parse(e).is_ok());
    let mobile = found.mobile.as_deref().is_some_and(|m| MobileNumber::parse(m).is_ok());
    match (email, mobile) {
        (true, _) => Some(Channel::Email),
        (false, true) => Some(Channel::Sms),
        (false, false) => None,
    }
}

/// When the record's renewals since `since` were issued.
async fn renewals_since(
    tx: &mut Tx,
    record_id: &str,
    since: OffsetDateTime,
) -> Result<Vec<OffsetDateTime>, sqlx::Error> {
    let issued: Vec<String> = sqlx::query_scalar(
        "SELECT issued_at FROM invitations WHERE record_id = $1 AND renewal_of IS NOT NULL AND issued_at > $2",
    )
    .bind(record_id)
    .bind(stored(since))
    .fetch_all(&mut **tx)
    .await?;
    Ok(issued.iter().filter_map(|at| parse_stored(at)).collect())
}

/// Issues the new invitation (its message queued to the record's own
/// contact) and revokes the expired one.
async fn send(tx: &mut Tx, state: &AppState, found: &Found, ip: &str) -> Result<Outcome, RenewalError> {
    let Some(channel) = contact(found) else { return Ok(Outcome::NoContact) };
    let Some(issued_by) = found.issued_by.as_deref() else { return Ok(Outcome::NotRenewable) };
    let request = IssueRequest {
        record_id: &found.record_id,
        team_id: &found.team_id,
        channel,
        // Never an address or number from the request: only the record's own.
        send_to: None,
        for_account_id: None,
        // An invitation's issuer is an account: the professional whose
        // invitation this renews, as a kiosk's are its owner's.
        issued_by,
        ip,
    };
    let occasion = Occasion::Renewal { replaces: &found.invitation_id };
    match invitations::issue_for(tx, state, &request, occasion).await {
        Ok(_) => {}
        // Each is checked before anything is written, so the transaction
        // carries on to audit the request.
        Err(IssueError::Excluded(_)) => return Ok(Outcome::Excluded),
        Err(IssueError::AlreadyRegistered) => return Ok(Outcome::Registered),
        Err(IssueError::NotFound) => return Ok(Outcome::NotRenewable),
        Err(IssueError::NoEmailAddress | IssueError::NoMobileNumber) => return Ok(Outcome::NoContact),
        Err(IssueError::Internal(err)) => return Err(RenewalError::Internal(err)),
    }
    let now = state.now();
    let sql = format!(
        "UPDATE invitations SET state = 'revoked', updated_at = $2 WHERE id = $1 \
         AND (state = 'expired' OR state IN {LIVE_STATES})"
    );
    let revoked =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&found.invitation_id).bind(stored(now)).execute(&mut **tx).await?;
    if revoked.rows_affected() == 1 {
        let event = Event::new(Action::InvitationRevoked, now)
            .record(&found.record_id)
            .ip(Some(ip))
            .detail(json!({ "invitation_id": found.invitation_id, "why": "renewed" }));
        audit::record(tx, event).await?;
    }
    Ok(Outcome::Sent(channel))
}

/// Audits `outcome` in a transaction of its own.
async fn audited(
    state: &AppState,
    record_id: Option<&str>,
    outcome: Outcome,
    ip: &str,
    now: OffsetDateTime,
) -> Result<Outcome, RenewalError> {
    let mut tx = state.db.begin_write().await?;
    let mut event =
        Event::new(Action::InvitationRenewalRequested, now).ip(Some(ip)).detail(json!({ "outcome": outcome.as_str() }));
    event.record_id = record_id;
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(outcome)
}

async fn record_outcome(
    tx: &mut Tx,
    record_id: Option<&str>,
    team_id: Option<&str>,
    invitation_id: &str,
    outcome: Outcome,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut detail = json!({ "outcome": outcome.as_str(), "invitation_id": invitation_id });
    if let Outcome::Sent(channel) = outcome {
        detail["channel"] = json!(channel.as_str());
    }
    let mut event = Event::new(Action::InvitationRenewalRequested, now).ip(Some(ip)).detail(detail);
    event.record_id = record_id;
    event.team_id = team_id;
    audit::record(tx, event).await
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    fn expired() -> Found {
        Found {
            invitation_id: "i1".into(),
            record_id: "r1".into(),
            team_id: "t1".into(),
            state: "expired".into(),
            expires_at: stored(NOW - Duration::days(1)),
            issued_by: Some("a1".into()),
            professional: false,
            owner: None,
            email: Some("ann@example.com".into()),
            mobile: Some("07700 900982".into()),
            excluded: false,
            superseded: false,
        }
    }

    #[test]
    fn an_expired_invitation_with_a_contact_is_renewed_by_email_first() {
        assert_eq!(refusal(&expired(), NOW), None);
        assert_eq!(contact(&expired()), Some(Channel::Email));
        let texted = Found { email: None, ..expired() };
        assert_eq!(contact(&texted), Some(Channel::Sms));
    }

    #[test]
    fn a_live_invitation_past_its_expiry_counts_as_expired() {
        let late = Found { state: "sent".into(), ..expired() };
        assert_eq!(refusal(&late, NOW), None);
        let live = Found { state: "sent".into(), expires_at: stored(NOW + Duration::days(2)), ..expired() };
        assert_eq!(refusal(&live, NOW), Some(Outcome::NotExpired));
    }

    #[test]
    fn an_exclusion_wins_over_every_other_reason() {
        let excluded = Found { excluded: true, email: None, mobile: None, superseded: true, ..expired() };
        assert_eq!(refusal(&excluded, NOW), Some(Outcome::Excluded));
    }

    #[test]
    fn nothing_goes_without_a_contact_on_the_record() {
        let none = Found { email: Some("not an address".into()), mobile: None, ..expired() };
        assert_eq!(refusal(&none, NOW), Some(Outcome::NoContact));
    }

    #[test]
    fn used_revoked_replaced_and_professional_invitations_are_not_renewed() {
        for state in ["used", "revoked", "locked", "nonsense"] {
            assert_eq!(refusal(&Found { state: state.into(), ..expired() }, NOW), Some(Outcome::NotRenewable));
        }
        assert_eq!(refusal(&Found { superseded: true, ..expired() }, NOW), Some(Outcome::NotRenewable));
        assert_eq!(refusal(&Found { professional: true, ..expired() }, NOW), Some(Outcome::NotRenewable));
        assert_eq!(refusal(&Found { owner: Some("acc".into()), ..expired() }, NOW), Some(Outcome::Registered));
    }
}
