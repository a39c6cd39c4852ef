//! The patient pages' router: the address bar's path mapped to a page.
//!
//! Not leptos_router, on purpose: measured on this bundle, it costs about
//! 35-50 KB gzip of wasm, as much as the rest of the patient's first load
//! put together, for routing this small. This does the part the patient
//! pages need: a path becomes a [`PatientRoute`], back and forward follow
//! the browser's history, and [`navigate`] moves between pages without a
//! reload within the bundle, and with a page load into another (the
//! registration and account pages are bundles of their own, and so is the
//! staff console).

use std::cell::Cell;

use leptos::ev;
use leptos::prelude::*;
use portico_types::bundle::Bundle;

thread_local! {
    // The bundle's one router, for `navigate`: it is called after an API
    // answer arrives, in a task where no component's context is in reach.
    static ROUTER: Cell<Option<PatientRouter>> = const { Cell::new(None) };
}

/// Two-step sign-in, linked from the account page.
pub const TWO_STEP_PATH: &str = "/account/two-step-sign-in";

/// Every page of the patient bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientRoute {
    Landing,
    /// The signed-in patient's own record.
    MyRecord,
    /// A record the account opens as its owner or a carer, `/record/<id>`.
    OpenedRecord,
    RegisterCode,
    RegisterDateOfBirth,
    RegisterEmail,
    RegisterCheckEmail,
    /// The link in the confirmation email.
    RegisterConfirmEmail,
    RegisterPassword,
    /// A professional's own record joins their account.
    RegisterLinkAccount,
    /// Registered on a device handed over at the desk.
    RegisterHandBack,
    /// A team's join page, `/join/<team slug>`.
    Join,
    SignIn,
    SignedOut,
    ForgottenPassword,
    /// The link in the password reset email.
    ResetPassword,
    Account,
    /// The link sent to a new email address.
    AccountConfirmEmail,
    /// Two-step sign-in (an authenticator app) turned on or off.
    AccountTwoStep,
    /// Email notification settings, linked from every notification.
    AccountNotifications,
    /// An email's unsubscribe link, `/notifications/unsubscribe?token=…`.
    NotificationsUnsubscribe,
    /// Who may see the patient's record: carers and their invitations.
    Carers,
    /// The patient invites a carer.
    CarersInvite,
    /// The patient changes what a carer sees, `/carers/change?link=…`.
    CarersChange,
    /// Carers' views of the record and changes to their access.
    CarersAccessHistory,
    /// A carer's emailed link, `/carers/accept?token=…`.
    CarersAccept,
    Terms,
    /// Where a sign-in with NHS login that did not reach the record lands.
    NhsLogin,
    NotFound,
}

impl PatientRoute {
    /// The page for a path (no query, no fragment); a trailing `/` is ignored.
    pub fn from_path(path: &str) -> Self {
        match path.trim_end_matches('/') {
            "" | "/index.html" => PatientRoute::Landing,
            "/record" => PatientRoute::MyRecord,
            "/register" => PatientRoute::RegisterCode,
            "/register/date-of-birth" => PatientRoute::RegisterDateOfBirth,
            "/register/email" => PatientRoute::RegisterEmail,
            "/register/check-email" => PatientRoute::RegisterCheckEmail,
            "/register/confirm-email" => PatientRoute::RegisterConfirmEmail,
            "/register/password" => PatientRoute::RegisterPassword,
            "/register/link-account" => PatientRoute::RegisterLinkAccount,
            "/register/hand-back" => PatientRoute::RegisterHandBack,
            "/sign-in" => PatientRoute::SignIn,
            "/signed-out" => PatientRoute::SignedOut,
            "/forgotten-password" => PatientRoute::ForgottenPassword,
            "/reset-password" => PatientRoute::ResetPassword,
            "/account" => PatientRoute::Account,
            "/account/confirm-email" => PatientRoute::AccountConfirmEmail,
            TWO_STEP_PATH => PatientRoute::AccountTwoStep,
            "/account/notifications" => PatientRoute::AccountNotifications,
            "/notifications/unsubscribe" => PatientRoute::NotificationsUnsubscribe,
            "/carers" => PatientRoute::Carers,
            "/carers/invite" => PatientRoute::CarersInvite,
            "/carers/change" => PatientRoute::CarersChange,
            "/carers/access-history" => PatientRoute::CarersAccessHistory,
            "/carers/accept" => PatientRoute::CarersAccept,
            "/terms" => PatientRoute::Terms,
            "/nhs-login" => PatientRoute::NhsLogin,
            path if join_slug(path).is_some() => PatientRoute::Join,
            path if opened_record_id(path).is_some() => PatientRoute::OpenedRecord,
            _ => PatientRoute::NotFound,
        }
    }
}

/// The team slug of a join page's path, `/join/<slug>` (one segment, not empty).
pub fn join_slug(path: &str) -> Option<&str> {
    path.trim_end_matches('/').strip_prefix("/join/").filter(|slug| !slug.is_empty() && !slug.contains('/'))
}

/// The record id of `/record/<id>` (one segment, not empty).
pub fn opened_record_id(path: &str) -> Option<&str> {
    path.trim_end_matches('/').strip_prefix("/record/").filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The current page, kept in step with the address bar.
#[derive(Debug, Clone, Copy)]
pub struct PatientRouter {
    route: RwSignal<PatientRoute>,
}

impl PatientRouter {
    /// Reads the address now, follows back/forward from then on, and puts
    /// the router where [`navigate`] finds it.
    pub fn start() -> Self {
        let router = Self { route: RwSignal::new(PatientRoute::from_path(&current_path())) };
        let popstate = window_event_listener(ev::popstate, move |_| {
            router.route.set(PatientRoute::from_path(&current_path()));
        });
        on_cleanup(move || popstate.remove());
        ROUTER.with(|r| r.set(Some(router)));
        router
    }

    pub fn route(self) -> PatientRoute {
        self.route.get()
    }
}

/// Shows the page at `path` (same origin; a path with a query is fine) and
/// adds it to the browser's history: without a reload within this bundle, as
/// a page load into another.
pub fn navigate(path: &str) {
    let target = path.split(['?', '#']).next().unwrap_or(path);
    let here = Bundle::for_path(&current_path());
    let Some(router) = ROUTER.with(Cell::get).filter(|_| Bundle::for_path(target) == here) else {
        let _ = window().location().assign(path);
        return;
    };
    if let Ok(history) = window().history()
        && history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).is_ok()
    {
        router.route.set(PatientRoute::from_path(&current_path()));
    }
}

/// A link to another page of the patient bundle, followed without a reload
/// (a modified click, to open a new tab, is left to the browser).
#[component]
pub fn Link(
    #[prop(into)] href: String,
    /// `page` on the link to the page being shown.
    #[prop(optional_no_strip)]
    current: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let to = href.clone();
    let follow = move |ev: leptos::ev::MouseEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        navigate(&to);
    };
    view! { <a href=href aria-current=current on:click=follow>{children()}</a> }
}

/// Shown for a page this bundle does not hold: loads it from the server,
/// which sends the bundle that does.
#[component]
pub fn LoadElsewhere() -> impl IntoView {
    let _ = window().location().reload();
    view! { <p role="status">"Loading…"</p> }
}

pub fn current_path() -> String {
    window().location().pathname().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::PatientRoute;

    #[test]
    fn paths_map_to_pages() {
        assert_eq!(PatientRoute::from_path("/"), PatientRoute::Landing);
        assert_eq!(PatientRoute::from_path(""), PatientRoute::Landing);
        assert_eq!(PatientRoute::from_path("/register"), PatientRoute::RegisterCode);
        assert_eq!(PatientRoute::from_path("/register/password/"), PatientRoute::RegisterPassword);
        assert_eq!(PatientRoute::from_path("/register/elsewhere"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/record/"), PatientRoute::MyRecord);
        assert_eq!(PatientRoute::from_path("/staff"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/nhs-login"), PatientRoute::NhsLogin);
        assert_eq!(PatientRoute::from_path("/join/diabetes/"), PatientRoute::Join);
        assert_eq!(PatientRoute::from_path("/join/"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/join/a/b"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/account/notifications"), PatientRoute::AccountNotifications);
        assert_eq!(PatientRoute::from_path("/notifications/unsubscribe"), PatientRoute::NotificationsUnsubscribe);
        assert_eq!(PatientRoute::from_path("/notifications"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/record/abc-123"), PatientRoute::OpenedRecord);
        assert_eq!(PatientRoute::from_path("/record/a/b"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/carers/accept"), PatientRoute::CarersAccept);
        assert_eq!(PatientRoute::from_path("/carers/elsewhere"), PatientRoute::NotFound);
    }
}
