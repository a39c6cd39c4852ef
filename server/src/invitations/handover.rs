//! Handing the device over: a professional with the patient in front of them
//! gives the patient their own screen to register on, there and then.
//!
//! The professional's session is suspended in the same transaction that
//! issues the face-to-face invitation: while suspended it opens nothing (see
//! `auth::extract`), and the registration finished on the device does not
//! sign the patient in over it. Only the professional's password, checked
//! with the sign-in throttles, takes the device back; that also revokes the
//! invitation if the patient did not use it, so an abandoned hand-over leaves
//! no live code behind on a shared screen.

use serde_json::json;

use super::{Channel, IssueError, IssueRequest, LIVE_STATES};
use crate::audit::{self, Action, Event};
use crate::auth::sessions::{Session, Token};
use crate::auth::sign_in::{self, Attempt, SignInError, SignedIn};
use crate::clock::stored;
use crate::db::{Db, Tx};
use crate::registration::REGISTRATION_LIFETIME;
use crate::state::AppState;

#[derive(Debug)]
pub struct Started {
    /// The registration page with the code filled in.
    pub register_path: String,
}

/// Issues a face-to-face invitation and suspends `session` until the
/// professional takes the device back.
pub async fn start(state: &AppState, session: &Session, request: IssueRequest<'_>) -> Result<Started, IssueError> {
    debug_assert_eq!(request.channel, Channel::FaceToFace);
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let issued = match super::issue_in(&mut tx, state, &request).await {
        Ok(issued) => issued,
        Err(err) => {
            tx.rollback().await?;
            return Err(super::explained(state, request.record_id, err).await);
        }
    };
    // Long enough to register; the professional's absolute limit still holds.
    sqlx::query(
        "UPDATE sessions SET suspended_at = $2, handover_invitation_id = $3, \
         idle_expires_at = CASE WHEN absolute_expires_at < $4 THEN absolute_expires_at ELSE $4 END \
         WHERE token_hash = $1",
    )
    .bind(&session.token_hash)
    .bind(stored(now))
    .bind(&issued.id)
    .bind(stored(now + REGISTRATION_LIFETIME))
    .execute(&mut *tx)
    .await?;
    let event = Event::new(Action::DeviceHandedOver, now)
        .actor(request.issued_by)
        .record(request.record_id)
        .team(request.team_id)
        .ip(Some(request.ip))
        .detail(json!({ "invitation_id": issued.id }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(Started { register_path: format!("/register?code={}", issued.code.grouped()) })
}

/// A suspended session, as the hand-back page needs it.
#[derive(Debug, Clone)]
pub struct Suspended {
    pub account_id: String,
    pub staff_name: String,
    pub staff_email: String,
    pub invitation_id: Option<String>,
    /// The record it was handed over from, to go back to.
    pub record_id: Option<String>,
}

/// Account, its name and email, the hand-over's invitation and its record.
type SuspendedRow = (String, String, String, Option<String>, Option<String>);

/// The suspended session whose token hashes to `token_hash`, whatever its
/// idle time: the password decides, not the clock.
pub async fn suspended(db: &Db, token_hash: &str) -> Result<Option<Suspended>, sqlx::Error> {
    let row: Option<SuspendedRow> = sqlx::query_as(
        "SELECT s.account_id, a.display_name, a.email, s.handover_invitation_id, i.record_id FROM sessions s \
         JOIN accounts a ON a.id = s.account_id LEFT JOIN invitations i ON i.id = s.handover_invitation_id \
         WHERE s.token_hash = $1 AND s.suspended_at IS NOT NULL",
    )
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(account_id, staff_name, staff_email, invitation_id, record_id)| Suspended {
        account_id,
        staff_name,
        staff_email,
        invitation_id,
        record_id,
    }))
}

/// Takes the device back: signs the professional in again with their
/// password, which replaces the suspended session (and so revokes the
/// hand-over's invitation if it was not used: see `revoke_unused`).
pub async fn resume(
    state: &AppState,
    token: &Token,
    suspended: &Suspended,
    password: &str,
    ip: &str,
    user_agent: Option<&str>,
) -> Result<SignedIn, SignInError> {
    let attempt = Attempt {
        email: &suspended.staff_email,
        password,
        ip,
        user_agent,
        previous_session: Some(token.as_str()),
        device: crate::notifications::devices::Presented::NotChecked,
        // The suspended session proved the second factor before the device
        // was handed over; the password on the same device takes it back.
        start: crate::auth::sessions::Start::SecondFactorProven,
    };
    let signed_in = sign_in::sign_in(state, attempt).await?;
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let event = Event::new(Action::DeviceHandedBack, now)
        .actor(&suspended.account_id)
        .ip(Some(ip))
        .detail(json!({ "invitation_id": suspended.invitation_id }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// Revokes the unused invitation of a hand-over whose session is ending,
/// however it ends (taken back, replaced by another sign-in, signed out), so
/// no live code outlasts the hand-over on a shared screen.
pub async fn revoke_unused(
    tx: &mut Tx,
    session_token_hash: &str,
    now: time::OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let handed: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT account_id, handover_invitation_id FROM sessions WHERE token_hash = $1 AND suspended_at IS NOT NULL",
    )
    .bind(session_token_hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((account_id, Some(invitation_id))) = handed else { return Ok(()) };
    let sql = format!(
        "UPDATE invitations SET state = 'revoked', updated_at = $2 WHERE id = $1 AND state IN {LIVE_STATES} \
         RETURNING record_id"
    );
    let revoked: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(&invitation_id)
        .bind(stored(now))
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(record_id) = &revoked {
        let event = Event::new(Action::InvitationRevoked, now)
            .actor(&account_id)
            .record(record_id)
            .detail(json!({ "invitation_id": invitation_id, "why": "hand-over ended unused" }));
        audit::record(tx, event).await?;
    }
    Ok(())
}
