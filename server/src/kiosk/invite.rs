//! The patient found at a kiosk chooses how to get their invitation: a text
//! message or an email to the contact already on their record, or a code on
//! the screen to register on their own phone.
//!
//! The check-in's token is used up in the transaction that issues, so it
//! works once; a choice that cannot be issued (the record changed in the
//! meantime) rolls back and leaves it for another choice. Invitations are
//! issued by `invitations::issue_in` under the name of the professional who
//! set the kiosk up (an invitation's issuer is an account), and audited with
//! the kiosk that issued them.

use portico_types::api::KioskInviteVia;
use serde_json::json;

use super::Kiosk;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::invitations::{self, Channel, IssueError, IssueRequest, Issued};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// Used, expired, from another kiosk, or never issued: start again.
    #[error("the check-in has expired or been used")]
    CheckInGone,
    /// Excluded or moved out of the team since checking in: the same
    /// answer as a check-in that found nobody.
    #[error("the record can no longer be invited here")]
    NotFound,
    #[error("the record has been registered since checking in")]
    AlreadyRegistered,
    /// The record no longer holds the mobile number or address chosen.
    #[error("the record has no contact for that choice")]
    NoContact,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for InviteError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

fn channel(via: KioskInviteVia) -> Channel {
    match via {
        KioskInviteVia::Sms => Channel::Sms,
        KioskInviteVia::Email => Channel::Email,
        KioskInviteVia::Screen => Channel::Kiosk,
    }
}

/// Uses the check-in `token` at `kiosk` to issue an invitation `via`.
pub async fn invite(
    state: &AppState,
    kiosk: &Kiosk,
    token: &OneTimeToken,
    via: KioskInviteVia,
    ip: &str,
) -> Result<Issued, InviteError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let record_id: Option<String> = sqlx::query_scalar(
        "UPDATE kiosk_check_ins SET used_at = $3 WHERE token_hash = $1 AND kiosk_id = $2 AND used_at IS NULL \
         AND expires_at > $3 RETURNING record_id",
    )
    .bind(token.hash())
    .bind(&kiosk.id)
    .bind(stored(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(record_id) = record_id else {
        tx.rollback().await?;
        return Err(InviteError::CheckInGone);
    };
    let request = IssueRequest {
        record_id: &record_id,
        team_id: &kiosk.team_id,
        channel: channel(via),
        // Only ever the contact already on the record: nobody at a kiosk can
        // send a patient's invitation elsewhere.
        send_to: None,
        for_account_id: None,
        issued_by: &kiosk.created_by,
        ip,
    };
    let issued = match invitations::issue_in(&mut tx, state, &request).await {
        Ok(issued) => issued,
        Err(err) => {
            tx.rollback().await?;
            return Err(match err {
                IssueError::Excluded(_) | IssueError::NotFound => InviteError::NotFound,
                IssueError::AlreadyRegistered => InviteError::AlreadyRegistered,
                IssueError::NoEmailAddress | IssueError::NoMobileNumber => InviteError::NoContact,
                IssueError::Internal(err) => InviteError::Internal(err),
            });
        }
    };
    let event = Event::new(Action::KioskInvitationIssued, now)
        .actor(&kiosk.created_by)
        .record(&record_id)
        .team(&kiosk.team_id)
        .ip(Some(ip))
        .detail(json!({ "kiosk_id": kiosk.id, "invitation_id": issued.id, "via": via.as_str() }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(issued)
}
