//! Who is signed in to the patient pages: asked of the server once when the
//! bundle starts, and set by signing in or finishing registration. The
//! session itself is the server's HttpOnly cookie; this holds what the
//! header shows.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::SessionResponse;

use super::router::navigate;
use crate::api::{self, ApiError};

#[derive(Debug, Clone, Copy)]
pub struct PatientSession {
    pub current: RwSignal<Option<SessionResponse>>,
}

impl PatientSession {
    /// Provides the session and asks the server who is signed in.
    pub fn start() -> Self {
        let session = Self { current: RwSignal::new(None) };
        provide_context(session);
        spawn_local(async move {
            if let Ok(current) = api::session().await {
                let idle = current.idle_timeout_secs;
                session.current.set(Some(current));
                watch_idle(session, idle);
            }
        });
        session
    }

    pub fn get() -> Self {
        use_context::<Self>().unwrap_or(Self { current: RwSignal::new(None) })
    }
}

/// Shows the signed-out page once the server has ended the session for want
/// of use (NHS login's rule, and Portico's: 30 minutes), rather than letting
/// the patient find out from a failed click. Each answer from the server kept
/// the session alive, so the wait counts from the last one; when it is up,
/// the server is asked, since another tab may have kept the session going.
fn watch_idle(session: PatientSession, idle_secs: u64) {
    // A few seconds past the server's limit, so the question never renews it.
    let idle_ms = (idle_secs as f64) * 1000.0;
    let quiet_for = js_sys::Date::now() - api::last_answer_at();
    let wait = (idle_ms - quiet_for).max(0.0) + 5_000.0;
    let checked = move || {
        if session.current.get_untracked().is_none() {
            return;
        }
        if js_sys::Date::now() - api::last_answer_at() < idle_ms {
            return watch_idle(session, idle_secs);
        }
        spawn_local(async move {
            match api::session().await {
                Ok(current) => {
                    session.current.set(Some(current));
                    watch_idle(session, idle_secs);
                }
                Err(ApiError::Unauthorised(_)) => {
                    session.current.set(None);
                    navigate("/signed-out");
                }
                Err(_) => watch_idle(session, idle_secs),
            }
        });
    };
    let _ = set_timeout_with_handle(checked, Duration::from_millis(wait as u64));
}
