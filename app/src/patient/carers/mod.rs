//! Carers' pages, in two bundles: who may see the patient's record
//! (`/carers`), inviting a carer (`/carers/invite`), changing what one sees
//! (`/carers/change`) and the access history (`/carers/access-history`) in
//! `carers`; the page a carer's emailed link opens (`/carers/accept`), often
//! before they have an account, in `carer-invitation`.

#[cfg(feature = "carer-invitation")]
mod accept;
#[cfg(feature = "carers")]
mod change;
#[cfg(feature = "carers")]
mod history;
#[cfg(feature = "carers")]
mod invite;
#[cfg(feature = "carers")]
mod list;

#[cfg(feature = "carer-invitation")]
pub use accept::AcceptInvitation;
#[cfg(feature = "carers")]
pub use change::ChangeCarer;
#[cfg(feature = "carers")]
pub use history::AccessHistory;
#[cfg(feature = "carers")]
pub use invite::InviteCarer;
#[cfg(feature = "carers")]
pub use list::Carers;

#[cfg(feature = "carers")]
use leptos::prelude::*;

#[cfg(feature = "carers")]
use crate::patient::router::Link;

/// A page's answer when nobody is signed in.
#[cfg(feature = "carers")]
#[component]
fn SignInFirst(heading: &'static str) -> impl IntoView {
    view! {
        <h1 tabindex="-1">{heading}</h1>
        <p>"You need to be signed in to do this."</p>
        <p><Link href="/sign-in">"Sign in"</Link></p>
    }
}

/// A page's answer when the account has no record of its own to share.
#[cfg(feature = "carers")]
#[component]
fn NoOwnRecord() -> impl IntoView {
    view! {
        <h1 tabindex="-1">"You do not have a record of your own"</h1>
        <p>"Only the person whose record it is can choose who else sees it."</p>
        <p><Link href="/record">"Go to the records you can see"</Link></p>
    }
}

/// The carers pages' success banner.
#[cfg(feature = "carers")]
#[component]
fn SuccessBanner(heading: String) -> impl IntoView {
    view! { <crate::success_banner::SuccessBanner heading=heading title_id="carers-success-title"/> }
}

/// A stored time (`2026-11-28T09:30:00.000000Z`) as a day: "28 November 2026".
fn day(at: &str) -> String {
    crate::dates::long_date(at)
}
