//! Who is signed in to the patient pages: asked of the server once when the
//! bundle starts, and set by signing in or finishing registration. The
//! session itself is the server's HttpOnly cookie; this holds what the
//! header shows.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::SessionResponse;

use crate::api;

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
                session.current.set(Some(current));
            }
        });
        session
    }

    pub fn get() -> Self {
        use_context::<Self>().unwrap_or(Self { current: RwSignal::new(None) })
    }
}
