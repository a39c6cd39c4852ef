//! Registering with an invitation, one question a page, as NHS.UK services
//! ask: the code, the date of birth, the email address, its proof, a password.
//! A team's join page (`join`) starts the same email and password steps
//! from the details a patient gives.
//!
//! The code typed on the first page is kept here until the second page sends
//! it with the date of birth; from then on the server holds the registration
//! (behind an HttpOnly cookie), and each page asks it where things stand.
//! The join page is a bundle of its own (`join`); the others are `register`'s.

#[cfg(feature = "register")]
mod code;
#[cfg(feature = "register")]
mod confirm_link;
#[cfg(feature = "register")]
mod date_of_birth;
#[cfg(feature = "register")]
mod email;
#[cfg(feature = "register")]
mod handover;
#[cfg(feature = "join")]
mod join;
#[cfg(feature = "register")]
mod link_account;
#[cfg(feature = "register")]
mod password;
#[cfg(feature = "register")]
mod refusal;
#[cfg(feature = "register")]
mod renewal;

#[cfg(feature = "register")]
pub use code::EnterCode;
#[cfg(feature = "register")]
pub use confirm_link::ConfirmLink;
#[cfg(feature = "register")]
pub use date_of_birth::EnterDateOfBirth;
#[cfg(feature = "register")]
pub use email::{CheckEmail, EnterEmail};
#[cfg(feature = "register")]
pub use handover::{HandBack, Handover, HandoverBanner};
#[cfg(feature = "join")]
pub use join::Join;
#[cfg(feature = "register")]
pub use link_account::LinkAccount;
#[cfg(feature = "register")]
pub use password::ChoosePassword;

#[cfg(feature = "register")]
use leptos::prelude::*;
use portico_types::api::RegistrationStep;

/// The code between the first page and the second.
#[cfg(feature = "register")]
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    pub code: RwSignal<String>,
}

#[cfg(feature = "register")]
impl Draft {
    pub fn provide() {
        provide_context(Self { code: RwSignal::new(String::new()) });
    }

    pub fn get() -> Self {
        use_context::<Self>().unwrap_or(Self { code: RwSignal::new(String::new()) })
    }
}

/// The page for each step of a registration.
pub fn path_of(step: RegistrationStep) -> &'static str {
    match step {
        RegistrationStep::Email => "/register/email",
        RegistrationStep::ConfirmEmail => "/register/check-email",
        RegistrationStep::Password => "/register/password",
        RegistrationStep::LinkAccount => "/register/link-account",
    }
}

/// The caption above every registration heading.
#[cfg(feature = "register")]
#[component]
pub fn Caption() -> impl IntoView {
    view! { <span class="nhsuk-caption-l">"Register for Portico"</span> }
}

/// Where this tab's registration began when it began on a team's join page:
/// once the registration has timed out, the server no longer knows, and
/// that page (not the code page) is where to start again.
const JOIN_PAGE_KEY: &str = "portico-join-page";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

#[cfg(feature = "join")]
fn remember_join_page(slug: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(JOIN_PAGE_KEY, slug);
    }
}

/// A registration begun with a code is not a join page's.
#[cfg(feature = "register")]
fn forget_join_page() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(JOIN_PAGE_KEY);
    }
}

#[cfg(feature = "register")]
fn remembered_join_page() -> Option<String> {
    session_storage()?.get_item(JOIN_PAGE_KEY).ok().flatten().filter(|slug| !slug.is_empty())
}
