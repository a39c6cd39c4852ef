//! The staff bundle: the console at `/staff…` for professionals, loaded only
//! by `staff.html`, so none of it weighs on a patient's first load.

mod account;
mod authenticator;
mod campaigns;
mod carer_settings;
mod dev_outbox;
mod hand_back;
mod join_page;
mod kiosk;
use crate::loader;
mod record;
mod records;
mod session;
mod sign_in;
mod sign_ups;
mod teams;
mod upload;
mod uptake;

use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

use crate::layout::Shell;
use crate::not_found::NotFound;

/// The service name in the header and in every title.
pub const SERVICE: &str = "Portico staff";
/// Where a professional signs in, and where every 401 sends them.
pub const SIGN_IN_PATH: &str = "/staff/sign-in";
/// The staff start page: their teams.
pub const HOME_PATH: &str = "/staff";
/// Where a professional with no second factor sets one up after their password.
pub const SET_UP_AUTHENTICATOR_PATH: &str = "/staff/set-up-authenticator";

/// The root of the staff bundle, with its own router.
#[component]
pub fn StaffRoot() -> impl IntoView {
    // A kiosk has a frame and router of its own: no staff header, no session.
    let path = window().location().pathname().unwrap_or_default();
    if kiosk::is_kiosk_path(&path) {
        return view! { <kiosk::KioskRoot/> }.into_any();
    }
    session::StaffSession::provide();
    let account = ViewFn::from(|| view! { <account::StaffAccount/> });
    view! {
        <Router>
            <Shell service=SERVICE home=HOME_PATH account=account>
                <FlatRoutes fallback=|| view! {
                    <NotFound service=SERVICE home=HOME_PATH home_text="Go to your teams"/>
                }>
                    <Route path=path!("/staff/sign-in") view=sign_in::SignIn/>
                    <Route path=path!("/staff/set-up-authenticator") view=authenticator::SetUpAuthenticator/>
                    <Route path=path!("/staff") view=teams::Teams/>
                    <Route path=path!("/staff/teams/:team_id") view=records::TeamRecords/>
                    <Route path=path!("/staff/teams/:team_id/upload") view=upload::UploadPage/>
                    <Route path=path!("/staff/teams/:team_id/imports/:import_id") view=upload::ImportPage/>
                    <Route path=path!("/staff/teams/:team_id/campaigns") view=campaigns::CampaignsPage/>
                    <Route path=path!("/staff/teams/:team_id/campaigns/new") view=campaigns::NewCampaignPage/>
                    <Route path=path!("/staff/teams/:team_id/invitation-settings") view=campaigns::InvitationSettingsPage/>
                    <Route path=path!("/staff/teams/:team_id/uptake") view=uptake::UptakePage/>
                    <Route path=path!("/staff/teams/:team_id/sign-ups") view=sign_ups::SignUpsPage/>
                    <Route path=path!("/staff/campaigns/:campaign_id") view=campaigns::CampaignPage/>
                    <Route path=path!("/staff/records/:record_id") view=record::RecordPage/>
                    <Route path=path!("/staff/records/:record_id/carers/add") view=record::AddCarerPage/>
                    <Route path=path!("/staff/organisation/carer-settings") view=carer_settings::CarerSettingsPage/>
                    <Route path=path!("/staff/dev-outbox") view=dev_outbox::DevOutbox/>
                </FlatRoutes>
            </Shell>
        </Router>
    }
    .into_any()
}
