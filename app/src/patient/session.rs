//! Who is signed in to the patient pages: asked of the server once when the
//! bundle starts, and set by signing in or finishing registration. The
//! session itself is the server's HttpOnly cookie; this holds what the
//! header shows.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::router::navigate;
use crate::api::{self, ApiError, PatientSessionResponse};

#[derive(Debug, Clone, Copy)]
pub struct PatientSession {
    pub current: RwSignal<Option<PatientSessionResponse>>,
}

impl PatientSession {
    /// Provides the session and asks the server who is signed in.
    pub fn start() -> Self {
        let session = Self { current: RwSignal::new(None) };
        provide_context(session);
        spawn_local(async move {
            if let Ok(current) = api::session().await {
                let limits = Limits::of(&current);
                session.current.set(Some(current));
                watch(session, limits);
            }
        });
        session
    }

    pub fn get() -> Self {
        use_context::<Self>().unwrap_or(Self { current: RwSignal::new(None) })
    }
}

/// The two ends of a session, as NHS login rules them: after 30 minutes
/// without use, and 12 hours after signing in, however busy.
#[derive(Debug, Clone, Copy)]
struct Limits {
    idle_ms: f64,
    /// When the session ends regardless, in this browser's clock (from the
    /// seconds the server counted, so the two clocks need not agree).
    ends_at_ms: f64,
}

impl Limits {
    fn of(current: &PatientSessionResponse) -> Self {
        Self {
            idle_ms: (current.idle_timeout_secs as f64) * 1000.0,
            ends_at_ms: js_sys::Date::now() + (current.ends_in_secs as f64) * 1000.0,
        }
    }
}

/// Shows the signed-out page once the server has ended the session, for
/// want of use or at its 12-hour end, rather than letting the patient find
/// out from a failed click. Each answer from the server kept the session
/// alive, so the idle wait counts from the last one; when a wait is up, the
/// server is asked, since another tab may have kept the session going.
fn watch(session: PatientSession, limits: Limits) {
    let now = js_sys::Date::now();
    let idle_left = limits.idle_ms - (now - api::last_answer_at());
    // A few seconds past the server's limit, so the question never renews it.
    let wait = idle_left.min(limits.ends_at_ms - now).max(0.0) + 5_000.0;
    let checked = move || {
        if session.current.get_untracked().is_none() {
            return;
        }
        let now = js_sys::Date::now();
        if now - api::last_answer_at() < limits.idle_ms && now < limits.ends_at_ms {
            return watch(session, limits);
        }
        spawn_local(async move {
            match api::session().await {
                Ok(current) => {
                    let limits = Limits::of(&current);
                    session.current.set(Some(current));
                    watch(session, limits);
                }
                Err(ApiError::Unauthorised(_)) => {
                    session.current.set(None);
                    navigate("/signed-out");
                }
                Err(_) => watch(session, limits),
            }
        });
    };
    let _ = set_timeout_with_handle(checked, Duration::from_millis(wait as u64));
}
