//! Which browser bundle serves which path. The server picks the page shell
//! by it and the patient pages decide by it whether a link is a client-side
//! move or a page load: one map, so the two never disagree.
//!
//! The patient side is eight bundles, so that no first load carries pages
//! the person is not on: the start page and record (`patient`), the
//! registration steps (`register`, where an invitation's link lands), a
//! team's join page (`join`, whose email and password steps are the
//! registration bundle's), signing in and the account's pages (`account`),
//! the email settings with the page an email's unsubscribe link opens
//! (`notifications`), who may see the patient's record (`carers`), and the
//! page a carer's emailed invitation opens (`carer-invitation`), and setting
//! up two-step sign-in (`two-step`). The staff console (with the kiosk it sets
//! up) is the ninth.

/// One wasm bundle and its page shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bundle {
    Patient,
    Register,
    Join,
    Account,
    Notifications,
    Carers,
    CarerInvitation,
    TwoStep,
    Staff,
}

impl Bundle {
    pub const ALL: [Bundle; 9] = [
        Bundle::Patient,
        Bundle::Register,
        Bundle::Join,
        Bundle::Account,
        Bundle::Notifications,
        Bundle::Carers,
        Bundle::CarerInvitation,
        Bundle::TwoStep,
        Bundle::Staff,
    ];

    /// The bundle for a path (no query, no fragment).
    pub fn for_path(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        let under =
            |prefix: &str| path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
        // A kiosk is set up from the staff pages and runs in their bundle.
        if under("/staff") || under("/kiosk") {
            Bundle::Staff
        } else if under("/register") {
            Bundle::Register
        } else if under("/join") {
            Bundle::Join
        } else if path == "/account/two-step-sign-in" {
            // An authenticator's setup and recovery codes: wanted once, by few.
            Bundle::TwoStep
        } else if path == "/account/notifications" || under("/notifications") {
            // The email settings share their words and radios with the
            // unsubscribe page; the account bundle is at its budget.
            Bundle::Notifications
        } else if under("/carers/accept") {
            // Where a carer's email lands, often before they have an account.
            Bundle::CarerInvitation
        } else if under("/carers") {
            Bundle::Carers
        } else if under("/account") || ["/sign-in", "/forgotten-password", "/reset-password"].contains(&path) {
            Bundle::Account
        } else {
            Bundle::Patient
        }
    }

    /// Its name in the built files: `pkg/portico-{name}.js`.
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Patient => "patient",
            Bundle::Register => "register",
            Bundle::Join => "join",
            Bundle::Account => "account",
            Bundle::Notifications => "notifications",
            Bundle::Carers => "carers",
            Bundle::CarerInvitation => "carer-invitation",
            Bundle::TwoStep => "two-step",
            Bundle::Staff => "staff",
        }
    }

    /// Its page shell in the built site.
    pub fn shell(self) -> &'static str {
        match self {
            Bundle::Patient => "index.html",
            Bundle::Register => "register.html",
            Bundle::Join => "join.html",
            Bundle::Account => "account.html",
            Bundle::Notifications => "notifications.html",
            Bundle::Carers => "carers.html",
            Bundle::CarerInvitation => "carer-invitation.html",
            Bundle::TwoStep => "two-step.html",
            Bundle::Staff => "staff.html",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn paths_map_to_bundles() {
        assert_eq!(Bundle::for_path("/"), Bundle::Patient);
        assert_eq!(Bundle::for_path("/record"), Bundle::Patient);
        assert_eq!(Bundle::for_path("/terms"), Bundle::Patient);
        assert_eq!(Bundle::for_path("/register"), Bundle::Register);
        assert_eq!(Bundle::for_path("/register/date-of-birth"), Bundle::Register);
        assert_eq!(Bundle::for_path("/registering"), Bundle::Patient);
        assert_eq!(Bundle::for_path("/join/diabetes"), Bundle::Join);
        assert_eq!(Bundle::for_path("/joiners"), Bundle::Patient);
        assert_eq!(Bundle::for_path("/sign-in/"), Bundle::Account);
        assert_eq!(Bundle::for_path("/account/confirm-email"), Bundle::Account);
        assert_eq!(Bundle::for_path("/reset-password"), Bundle::Account);
        assert_eq!(Bundle::for_path("/staff"), Bundle::Staff);
        assert_eq!(Bundle::for_path("/staff/teams/1"), Bundle::Staff);
        assert_eq!(Bundle::for_path("/staffing"), Bundle::Patient);
        assert_eq!(Bundle::for_path("/kiosk"), Bundle::Staff);
        assert_eq!(Bundle::for_path("/kiosk/"), Bundle::Staff);
        assert_eq!(Bundle::for_path("/kiosks"), Bundle::Patient);
        // The emails' links: the settings page and the unsubscribe page (no
        // sign-in) are a bundle of their own.
        assert_eq!(Bundle::for_path("/account/notifications"), Bundle::Notifications);
        assert_eq!(Bundle::for_path("/account/two-step-sign-in"), Bundle::TwoStep);
        assert_eq!(Bundle::for_path("/account/notifications/more"), Bundle::Account);
        assert_eq!(Bundle::for_path("/notifications/unsubscribe"), Bundle::Notifications);
        assert_eq!(Bundle::for_path("/carers"), Bundle::Carers);
        assert_eq!(Bundle::for_path("/carers/invite"), Bundle::Carers);
        assert_eq!(Bundle::for_path("/carers/accept"), Bundle::CarerInvitation);
        assert_eq!(Bundle::for_path("/record/abc"), Bundle::Patient);
    }
}
