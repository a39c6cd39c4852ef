//! A professional's own record joins the account they already have.
//!
//! The invitation went to that account's verified email, the code and date
//! of birth have matched, and now the account's password (checked by the
//! sign-in rule, with its throttles) proves it is them. One account then
//! holds both: their staff pages and their record.

use serde_json::json;

use super::Registration;
use super::complete::{self, CompleteError};
use crate::audit::{self, Action, Event};
use crate::auth::sign_in::{self, Attempt, SignInError, SignedIn};
use crate::clock::stored;
use crate::invitations::LIVE_STATES;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("this invitation is not for an account")]
    NotForAnAccount,
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Refused(#[from] CompleteError),
}

impl From<sqlx::Error> for LinkError {
    fn from(err: sqlx::Error) -> Self {
        Self::Refused(err.into())
    }
}

/// Where the link is made from.
#[derive(Debug, Clone, Copy)]
pub struct LinkFrom<'a> {
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    /// The session the browser already had: it is replaced.
    pub previous_session: Option<&'a str>,
}

/// Signs in as the account `registration`'s invitation was sent to, then
/// makes the record theirs, in one transaction with the invitation's use.
pub async fn link(
    state: &AppState,
    registration: &Registration,
    password: &str,
    from: LinkFrom<'_>,
) -> Result<SignedIn, LinkError> {
    let invited = registration.invited().ok_or(LinkError::NotForAnAccount)?;
    let account_id = invited.for_account_id.as_deref().ok_or(LinkError::NotForAnAccount)?;
    let email: String = sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&state.db.pool)
        .await?;
    let attempt = Attempt {
        email: &email,
        password,
        ip: from.ip,
        user_agent: from.user_agent,
        previous_session: from.previous_session,
        // Registering into an account already signed in to at work: not an arrival to check.
        device: crate::notifications::devices::Presented::NotChecked,
        start: crate::auth::sessions::Start::Password,
    };
    let signed_in = sign_in::sign_in(state, attempt).await?;

    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let finished = sqlx::query("UPDATE registrations SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL")
        .bind(&registration.id)
        .bind(stored(now))
        .execute(&mut *tx)
        .await?;
    if finished.rows_affected() != 1 {
        return Err(CompleteError::Used.into());
    }
    let used_sql = format!(
        "UPDATE invitations SET state = 'used', used_by = $3, updated_at = $2 \
         WHERE id = $1 AND state IN {LIVE_STATES} AND expires_at > $2 AND for_account_id = $3"
    );
    let used = sqlx::query(sqlx::AssertSqlSafe(used_sql))
        .bind(&invited.invitation_id)
        .bind(stored(now))
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        return Err(CompleteError::Expired.into());
    }
    complete::give_record(&mut tx, invited, account_id, from.ip, now).await?;
    let linked = Event::new(Action::ProfessionalRecordLinked, now)
        .actor(account_id)
        .record(&invited.record_id)
        .ip(Some(from.ip))
        .detail(json!({ "registration_id": registration.id }));
    audit::record(&mut tx, linked).await?;
    tx.commit().await?;
    Ok(signed_in)
}
