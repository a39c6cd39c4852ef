//! The two legs of a sign-in with NHS login: `start` sends the browser to
//! NHS login with a fresh state and nonce; `finish` takes the callback, once,
//! in the browser that started it, turns the code into a proven identity and
//! settles what it means. Every refusal is audited and changes nothing else.

use serde_json::json;

use super::identity::ProvenIdentity;
use super::outcome::{self, Arrival, SettleError, Settled};
use super::pending::{self, CameFrom, NewPending};
use super::provider::{Failure, Provider};
use crate::audit::{self, Action, Event};
use crate::secrets::OneTimeToken;
use crate::self_registration::page;
use crate::state::AppState;

/// The browser goes to `url`, carrying `browser` in its cookie.
#[derive(Debug)]
pub struct Started {
    pub url: url::Url,
    pub browser: OneTimeToken,
}

pub async fn start(
    state: &AppState,
    provider: &Provider,
    came_from: CameFrom,
    team_slug: Option<&str>,
) -> Result<Started, Failure> {
    // Only an open join page adds its team; any other slug is ignored.
    let team_id = match team_slug {
        Some(slug) => page::open_by_slug(&state.db, slug)
            .await
            .map_err(|e| Failure::Unavailable(format!("database: {e}")))?
            .map(|page| page.team_id),
        None => None,
    };
    let (state_token, nonce, browser) = (OneTimeToken::generate(), OneTimeToken::generate(), OneTimeToken::generate());
    let url = provider.authorisation_url(state_token.as_str(), nonce.as_str()).await?;
    let new = NewPending {
        state_hash: &state_token.hash(),
        browser_hash: &browser.hash(),
        nonce_hash: &nonce.hash(),
        came_from,
        team_id: team_id.as_deref(),
    };
    pending::record(&state.db, new, state.now()).await.map_err(|e| Failure::Unavailable(format!("database: {e}")))?;
    Ok(Started { url, browser })
}

/// What NHS login sent back to the callback.
#[derive(Debug, Default)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

impl Callback {
    pub fn parse(query: &str) -> Self {
        let mut callback = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = Some(value.into_owned());
            match key.as_ref() {
                "state" => callback.state = value,
                "code" => callback.code = value,
                "error" => callback.error = value,
                _ => {}
            }
        }
        callback
    }
}

/// Why a callback did not sign anyone in.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// No sign-in of this browser has this state: forged, replayed, expired.
    #[error("no sign-in in progress matches")]
    UnknownState,
    /// NHS login sent an error instead of a code (cancelled, level not met).
    #[error("NHS login answered {0}")]
    Declined(String),
    #[error(transparent)]
    Provider(#[from] Failure),
    #[error(transparent)]
    Settle(#[from] SettleError),
}

pub async fn finish(
    state: &AppState,
    provider: &Provider,
    callback: &Callback,
    browser: Option<&OneTimeToken>,
    arrival: Arrival<'_>,
) -> Result<Settled, FinishError> {
    let settled = match identify(state, provider, callback, browser).await {
        Ok((person, join_team)) => {
            outcome::settle(state, &person, join_team.as_deref(), arrival).await.map_err(FinishError::from)
        }
        Err(err) => Err(err),
    };
    if let Err(err) = &settled {
        failed(state, err, arrival).await;
    }
    settled
}

/// The person NHS login proved, and the team whose join page they started on.
async fn identify(
    state: &AppState,
    provider: &Provider,
    callback: &Callback,
    browser: Option<&OneTimeToken>,
) -> Result<(ProvenIdentity, Option<String>), FinishError> {
    let state_token = callback.state.as_deref().and_then(OneTimeToken::parse);
    let (Some(state_token), Some(browser)) = (state_token, browser) else {
        return Err(FinishError::UnknownState);
    };
    let now = state.now();
    let pending = pending::take(&state.db, &state_token.hash(), &browser.hash(), now)
        .await
        .map_err(|e| Failure::Unavailable(format!("database: {e}")))?
        .ok_or(FinishError::UnknownState)?;
    if let Some(error) = &callback.error {
        return Err(FinishError::Declined(error.chars().take(64).collect()));
    }
    let code =
        callback.code.as_deref().filter(|c| !c.is_empty() && c.len() <= 2048).ok_or(FinishError::UnknownState)?;
    Ok((provider.identify(code, &pending.nonce_hash, now).await?, pending.team_id))
}

/// A short word for the audit log and the logs: never a token or a code.
pub fn reason(err: &FinishError) -> &'static str {
    match err {
        FinishError::UnknownState => "state",
        FinishError::Declined(_) => "declined",
        FinishError::Provider(Failure::Unavailable(_)) => "unavailable",
        FinishError::Provider(Failure::Refused { reason, .. }) => reason,
        FinishError::Settle(SettleError::Refused(refusal)) => match refusal {
            super::decide::Refusal::EmailInUse => "email_in_use",
            super::decide::Refusal::RecordRegistered => "record_registered",
            super::decide::Refusal::AccountDisabled => "account_disabled",
            super::decide::Refusal::DetailsDiffer => "details_differ",
        },
        FinishError::Settle(SettleError::Raced) => "raced",
        FinishError::Settle(SettleError::Internal(_)) => "internal",
    }
}

/// Audits a sign-in that went no further, in a transaction of its own.
pub async fn failed(state: &AppState, err: &FinishError, arrival: Arrival<'_>) {
    let why = reason(err);
    match err {
        FinishError::Settle(SettleError::Internal(cause)) => {
            tracing::error!(error = %format!("{cause:#}"), "NHS login sign-in failed");
        }
        FinishError::Provider(Failure::Unavailable(cause)) => tracing::warn!(%cause, "NHS login unavailable"),
        FinishError::Provider(Failure::Refused { cause, .. }) => {
            tracing::warn!(reason = why, %cause, "NHS login answer refused");
        }
        _ => tracing::info!(reason = why, "NHS login sign-in refused"),
    }
    let now = state.now();
    let recorded = async {
        let mut tx = state.db.begin_write().await?;
        let event = Event::new(Action::NhsLoginFailed, now).ip(Some(arrival.ip)).detail(json!({ "reason": why }));
        audit::record(&mut tx, event).await?;
        tx.commit().await
    };
    if let Err(err) = recorded.await {
        tracing::warn!(error = %err, "could not audit a failed NHS login sign-in");
    }
}

#[cfg(test)]
mod tests {
    use super::Callback;

    #[test]
    fn callbacks_are_read_from_the_query() {
        let callback = Callback::parse("code=abc&state=def&iss=http%3A%2F%2Fx&extra=1");
        assert_eq!((callback.code.as_deref(), callback.state.as_deref()), (Some("abc"), Some("def")));
        assert!(callback.error.is_none());
        let declined = Callback::parse("error=access_denied&state=def");
        assert_eq!(declined.error.as_deref(), Some("access_denied"));
        assert!(Callback::parse("").state.is_none());
    }
}
