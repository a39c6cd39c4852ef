//! The header's account area in the staff console: the signed-in name, a
//! link to their own record for a professional who has one, and the
//! sign-out button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate};
use portico_types::api::SessionResponse;

use super::SIGN_IN_PATH;
use super::session::{Notice, StaffSession};

use crate::api::{self, ApiError};
use crate::layout::AccountNav;

/// Loads the session for the header when a page is opened directly (a reload
/// or a link), and shows nothing until someone is signed in.
#[component]
pub fn StaffAccount() -> impl IntoView {
    let session = StaffSession::get();
    let location = use_location();
    Effect::new(move |_| {
        let on_sign_in = location.pathname.get() == SIGN_IN_PATH;
        if !on_sign_in && session.current.with_untracked(Option::is_none) {
            // A 401 here is left to the page's own request, which redirects.
            spawn_local(async move {
                if let Ok(current) = api::session::<SessionResponse>().await {
                    session.current.set(Some(current));
                }
            });
        }
    });

    let navigate = use_navigate();
    let sign_out = Callback::new(move |()| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let notice = match api::sign_out().await {
                Ok(()) | Err(ApiError::Unauthorised(_)) => Notice::SignedOut,
                Err(_) => Notice::SignOutFailed,
            };
            session.end(notice);
            navigate(SIGN_IN_PATH, Default::default());
        });
    });

    move || {
        session.current.get().map(|current| {
            let switch = current.has_record.then_some(("/record", "My record"));
            view! { <AccountNav name=current.account.display_name on_sign_out=sign_out switch=switch/> }
        })
    }
}
