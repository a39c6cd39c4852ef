//! Who is signed in to the staff console, and what happens when they are not.
//!
//! The session itself is the server's cookie; this keeps only what the pages
//! show (the name in the header) and the one-off notice the sign-in page
//! shows after a sign-out or an ended session.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use portico_types::api::SessionResponse;

use super::SIGN_IN_PATH;
use crate::api::ApiError;

/// Why the sign-in page is being shown, when it is not the person's own choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    SignedOut,
    /// A 401 after this page had seen a session: it expired or was ended.
    SessionEnded,
    /// A 401 with no session seen: someone opened a staff page before signing in.
    SignInNeeded,
    /// The sign-out request failed, so the server may still hold the session.
    SignOutFailed,
}

/// Shared by every staff page through context.
#[derive(Debug, Clone, Copy)]
pub struct StaffSession {
    pub current: RwSignal<Option<SessionResponse>>,
    notice: RwSignal<Option<Notice>>,
}

impl StaffSession {
    pub fn provide() {
        provide_context(Self { current: RwSignal::new(None), notice: RwSignal::new(None) });
    }

    /// The session of this staff console. Every staff page sits under
    /// `StaffRoot`, which provides it, so the fallback is never reached; it
    /// keeps a missing context from panicking all the same.
    pub fn get() -> Self {
        use_context::<Self>().unwrap_or(Self { current: RwSignal::new(None), notice: RwSignal::new(None) })
    }

    /// The notice to show once, cleared as it is read.
    pub fn take_notice(self) -> Option<Notice> {
        let notice = self.notice.get_untracked();
        self.notice.set(None);
        notice
    }

    /// Forgets the session and leaves a notice for the sign-in page.
    pub fn end(self, notice: Notice) {
        self.current.set(None);
        self.notice.set(Some(notice));
    }
}

/// Sends the person to sign in when a page's loaded `resource` is a 401. Lives as long as
/// the page that calls it, so an answer arriving after they left does nothing.
pub fn sign_in_on_unauthorised<T: Send + Sync + 'static>(resource: ReadSignal<Option<Result<T, ApiError>>>) {
    let session = StaffSession::get();
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move |_| {
        let unauthorised = resource.with(|r| matches!(r, Some(Err(ApiError::Unauthorised(_)))));
        if unauthorised && location.pathname.get_untracked() != SIGN_IN_PATH {
            let had_session = session.current.with_untracked(Option::is_some);
            session.end(if had_session { Notice::SessionEnded } else { Notice::SignInNeeded });
            navigate(SIGN_IN_PATH, Default::default());
        }
    });
}
