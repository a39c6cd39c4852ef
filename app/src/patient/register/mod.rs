//! Registering with an invitation, one question a page, as NHS.UK services
//! ask: the code, the date of birth, the email address, its proof, a password.
//! A team's join page (`join`) starts the same email and password steps
//! from the details a patient gives.
//!
//! The code typed on the first page is kept here until the second page sends
//! it with the date of birth; from then on the server holds the registration
//! (behind an HttpOnly cookie), and each page asks it where things stand.

mod code;
mod confirm_link;
mod date_of_birth;
mod email;
mod handover;
mod join;
mod link_account;
mod password;
mod refusal;

pub use code::EnterCode;
pub use confirm_link::ConfirmLink;
pub use date_of_birth::EnterDateOfBirth;
pub use email::{CheckEmail, EnterEmail};
pub use handover::{HandBack, Handover, HandoverBanner};
pub use join::Join;
pub use link_account::LinkAccount;
pub use password::ChoosePassword;

use leptos::prelude::*;
use portico_types::api::RegistrationStep;

/// The code between the first page and the second.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    pub code: RwSignal<String>,
}

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
#[component]
pub fn Caption() -> impl IntoView {
    view! { <span class="nhsuk-caption-l">"Register for Portico"</span> }
}
