//! Step one: the code and the date of birth, checked together.
//!
//! Attempts are counted per code (by its keyed hash, so a code that does not
//! exist is counted exactly like one that does) and per client address,
//! before anything is looked up: parallel guesses cannot slip past the count.
//! Five wrong tries lock a code for 30 days, longer than any invitation
//! lives, so a counter never resets before the code expires. A locked code is
//! answered the same whether it exists or not; so is every mismatch. Only a
//! matching code and date of birth learn more (used, expired, registered).
//! Every refusal on a code that exists is also counted on its invitation,
//! in the attempt's own transaction, for the uptake report's drop-off funnel
//! (`super::refusals`); what the patient is told does not change.

use portico_types::api::RegistrationView;
use portico_types::{DateOfBirth, InvitationCode};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::REGISTRATION_LIFETIME;
use super::refusals::Refusal;
use crate::audit::{self, Action, Event};
use crate::auth::throttle::{self, Claim, Key, Policy};
use crate::clock::{parse_stored, stored};
use crate::invitations::{CODE_PURPOSE, State};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// Wrong tries a code gets before it locks.
pub const ATTEMPTS_PER_CODE: i64 = 5;

pub(super) const PER_CODE: Policy = Policy {
    free_attempts: ATTEMPTS_PER_CODE,
    first_lock: Duration::days(30),
    max_lock: Duration::days(30),
    window: Duration::days(30),
};

/// Per client address, across codes: enough for a clinic's shared network,
/// and a wall against trying many codes from one place.
pub const PER_ADDRESS: Policy = Policy {
    free_attempts: 30,
    first_lock: Duration::minutes(1),
    max_lock: Duration::hours(1),
    window: Duration::hours(1),
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the code and date of birth do not match an invitation")]
    Mismatch { attempts_left: i64 },
    #[error("the code is locked")]
    Locked,
    #[error("too many attempts from this address")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("the invitation has been used")]
    Used,
    #[error("the invitation has expired")]
    Expired,
    /// Revoked, replaced, or the record is excluded: the patient is told to
    /// contact their team, and never why.
    #[error("the invitation can no longer be used")]
    NoLongerValid,
    #[error("the record already has an account")]
    AlreadyRegistered,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StartError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// A registration begun: the cookie's token and what the page shows next.
#[derive(Debug)]
pub struct Started {
    pub token: OneTimeToken,
    pub view: RegistrationView,
}

type InvitationRow = (String, String, String, String, String, Option<String>, Option<String>);

pub async fn start(
    state: &AppState,
    code: &InvitationCode,
    date_of_birth: &DateOfBirth,
    ip: &str,
) -> Result<Started, StartError> {
    let now = state.now();
    let code_hash = state.keys.code_hash(CODE_PURPOSE, code.as_str());
    let code_key = Key::scoped("code", &code_hash);
    let address_key = Key::scoped("register-ip", ip);

    let code_claim = {
        let mut tx = state.db.begin_write().await?;
        let address_claim = throttle::claim(&mut tx, state.db.engine, &address_key, PER_ADDRESS, now).await?;
        if let Claim::Refused { retry_after } = address_claim {
            tx.rollback().await?;
            return Err(StartError::TooManyAttempts { retry_after_secs: throttle::wait_secs(retry_after) });
        }
        let code_claim = throttle::claim(&mut tx, state.db.engine, &code_key, PER_CODE, now).await?;
        if let Claim::Refused { .. } = code_claim {
            Refusal::Locked.count_by_code(&mut tx, &code_hash).await?;
            tx.commit().await?; // the address's count stands
            return Err(StartError::Locked);
        }
        tx.commit().await?;
        code_claim
    };

    let found: Option<InvitationRow> = sqlx::query_as(
        "SELECT i.id, i.record_id, i.state, i.expires_at, r.date_of_birth, r.owner_account_id, x.record_id \
         FROM invitations i JOIN records r ON r.id = i.record_id \
         LEFT JOIN exclusions x ON x.record_id = i.record_id WHERE i.code_hash = $1",
    )
    .bind(&code_hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let (invitation_id, record_id, invitation_state, expires_at, _, owner, excluded) = match found {
        Some(row) if row.4 == date_of_birth.iso() => row,
        // No such code, or the wrong date of birth: counted alike.
        other => {
            let invitation = other.map(|(id, record_id, ..)| (id, record_id));
            return Err(count_failure(state, invitation, code_claim, ip, now).await?);
        }
    };

    let refused = refusal_after_match(owner.is_some(), &invitation_state, &expires_at, excluded.is_some(), now);
    let mut tx = state.db.begin_write().await?;
    throttle::forgive(&mut tx, &code_key, &address_key, PER_ADDRESS).await?;
    if let Some((_, refusal)) = &refused {
        refusal.count(&mut tx, &invitation_id).await?;
    }
    tx.commit().await?;
    if let Some((error, _)) = refused {
        return Err(error);
    }

    let token = OneTimeToken::generate();
    let mut tx = state.db.begin_write().await?;
    let registration_id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO registrations (id, token_hash, invitation_id, record_id, started_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&registration_id)
    .bind(token.hash())
    .bind(&invitation_id)
    .bind(&record_id)
    .bind(stored(now))
    .bind(stored(now + REGISTRATION_LIFETIME))
    .execute(&mut *tx)
    .await?;
    let opened = sqlx::query(
        "UPDATE invitations SET state = 'opened', updated_at = $2 WHERE id = $1 AND state IN ('issued', 'sent')",
    )
    .bind(&invitation_id)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    if opened.rows_affected() == 1 {
        let event = Event::new(Action::InvitationOpened, now)
            .record(&record_id)
            .ip(Some(ip))
            .detail(json!({ "invitation_id": invitation_id }));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;

    let view = super::view_by_id(&state.db, &registration_id, now).await?;
    Ok(Started { token, view })
}

/// Why a matched code and date of birth cannot start a registration, if they
/// cannot: the answer, and the reason the drop-off report counts.
fn refusal_after_match(
    has_owner: bool,
    invitation_state: &str,
    expires_at: &str,
    excluded: bool,
    now: OffsetDateTime,
) -> Option<(StartError, Refusal)> {
    let expired = parse_stored(expires_at).is_none_or(|at| at <= now);
    if has_owner && invitation_state != "used" {
        // Registered with another invitation (which revoked this one).
        return Some((StartError::AlreadyRegistered, Refusal::AlreadyRegistered));
    }
    match State::parse(invitation_state) {
        Some(State::Used) => return Some((StartError::Used, Refusal::Used)),
        Some(State::Locked) => return Some((StartError::Locked, Refusal::Locked)),
        Some(State::Expired) => return Some((StartError::Expired, Refusal::Expired)),
        Some(State::Issued | State::Sent | State::Opened) if expired => {
            return Some((StartError::Expired, Refusal::Expired));
        }
        Some(State::Issued | State::Sent | State::Opened) => {}
        Some(State::Revoked) | None => return Some((StartError::NoLongerValid, Refusal::NoLongerValid)),
    }
    excluded.then_some((StartError::NoLongerValid, Refusal::NoLongerValid))
}

/// Records a wrong code or date of birth: counted on a real invitation (and
/// locking it on the last try), audited either way.
pub(super) async fn count_failure(
    state: &AppState,
    invitation: Option<(String, String)>,
    code_claim: Claim,
    ip: &str,
    now: OffsetDateTime,
) -> Result<StartError, StartError> {
    let (failures, locked_now) = match code_claim {
        Claim::Allowed { failures, locked_now } => (failures, locked_now),
        Claim::Refused { .. } => (ATTEMPTS_PER_CODE, true),
    };
    let mut tx = state.db.begin_write().await?;
    match &invitation {
        Some((invitation_id, record_id)) => {
            sqlx::query("UPDATE invitations SET failed_attempts = failed_attempts + 1, updated_at = $2 WHERE id = $1")
                .bind(invitation_id)
                .bind(stored(now))
                .execute(&mut *tx)
                .await?;
            let refusal = if locked_now { Refusal::Locked } else { Refusal::Mismatch };
            refusal.count(&mut tx, invitation_id).await?;
            let event = Event::new(Action::InvitationFailedAttempt, now)
                .record(record_id)
                .ip(Some(ip))
                .detail(json!({ "invitation_id": invitation_id, "failures": failures }));
            audit::record(&mut tx, event).await?;
            if locked_now {
                let locked = sqlx::query(
                    "UPDATE invitations SET state = 'locked', updated_at = $2 WHERE id = $1 \
                     AND state IN ('issued', 'sent', 'opened')",
                )
                .bind(invitation_id)
                .bind(stored(now))
                .execute(&mut *tx)
                .await?;
                if locked.rows_affected() == 1 {
                    let event = Event::new(Action::InvitationLocked, now)
                        .record(record_id)
                        .ip(Some(ip))
                        .detail(json!({ "invitation_id": invitation_id, "failures": failures }));
                    audit::record(&mut tx, event).await?;
                }
            }
        }
        None => {
            let event = Event::new(Action::InvitationFailedAttempt, now)
                .ip(Some(ip))
                .detail(json!({ "unknown_code": true, "failures": failures }));
            audit::record(&mut tx, event).await?;
        }
    }
    tx.commit().await?;
    Ok(if locked_now {
        StartError::Locked
    } else {
        StartError::Mismatch { attempts_left: ATTEMPTS_PER_CODE - failures }
    })
}
