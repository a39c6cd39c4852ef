//! What a patient sees, in six bundles (see `portico_types::bundle`): the
//! start page and the records they may open (`patient`), registration
//! (`register`), a team's join page (`join`), signing in and their account
//! (`account`), their email settings (`notifications`), and their carers
//! with a carer's invitation (`carers`); none carries the staff console
//! or the others' pages, so every first load stays small. A move to a page
//! of another bundle is a page load (`router::navigate` knows which).

#[cfg(feature = "account")]
mod account;
#[cfg(any(feature = "patient", feature = "carers"))]
mod carer_words;
#[cfg(any(feature = "carers", feature = "carer-invitation"))]
mod carers;
#[cfg(feature = "patient")]
mod landing;
#[cfg(feature = "patient")]
mod my_record;
#[cfg(any(feature = "register", feature = "carer-invitation"))]
mod new_account;
#[cfg(feature = "patient")]
mod nhs_login;
#[cfg(any(feature = "register", feature = "join", feature = "account"))]
mod nhs_login_button;
#[cfg(any(feature = "notifications", feature = "account"))]
mod notifications;
#[cfg(feature = "patient")]
mod opened_record;
pub mod query;
#[cfg(feature = "patient")]
mod record_switcher;
#[cfg(any(feature = "register", feature = "join"))]
mod register;
pub mod router;
pub mod session;
#[cfg(feature = "account")]
mod sign_in;
#[cfg(feature = "patient")]
mod sign_up_status;
#[cfg(feature = "patient")]
mod signed_out;
#[cfg(feature = "patient")]
mod terms;
#[cfg(feature = "two-step")]
mod two_step;

use leptos::prelude::*;

use crate::layout::Shell;
use crate::not_found::NotFound;
use router::{PatientRoute, PatientRouter};

/// The service name in the header and in every title.
pub const SERVICE: &str = "Portico";

/// The root of the patient bundle, with its own router.
#[component]
pub fn PatientRoot() -> impl IntoView {
    let router = PatientRouter::start();
    #[cfg(feature = "register")]
    register::Draft::provide();
    #[cfg(feature = "register")]
    register::Handover::provide();
    // Who is signed in, for the header: not asked on the registration pages,
    // where nobody is yet (and that bundle stays lighter without it).
    #[cfg(any(
        feature = "patient",
        feature = "account",
        feature = "notifications",
        feature = "carers",
        feature = "carer-invitation",
        feature = "two-step"
    ))]
    let account = signed_in_nav();
    #[cfg(not(any(
        feature = "patient",
        feature = "account",
        feature = "notifications",
        feature = "carers",
        feature = "carer-invitation",
        feature = "two-step"
    )))]
    let account = ViewFn::from(|| ());
    view! {
        <Shell service=SERVICE home="/" account=account>
            {banner(router)}
            {move || match router.route() {
                #[cfg(feature = "patient")]
                PatientRoute::Landing => view! { <landing::Landing/> }.into_any(),
                #[cfg(feature = "patient")]
                PatientRoute::MyRecord => view! { <my_record::MyRecord/> }.into_any(),
                #[cfg(feature = "patient")]
                PatientRoute::OpenedRecord => view! { <opened_record::OpenedRecord/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterCode => view! { <register::EnterCode/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterDateOfBirth => view! { <register::EnterDateOfBirth/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterEmail => view! { <register::EnterEmail/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterCheckEmail => view! { <register::CheckEmail/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterConfirmEmail => view! { <register::ConfirmLink/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterPassword => view! { <register::ChoosePassword/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterLinkAccount => view! { <register::LinkAccount/> }.into_any(),
                #[cfg(feature = "register")]
                PatientRoute::RegisterHandBack => view! { <register::HandBack/> }.into_any(),
                #[cfg(feature = "join")]
                PatientRoute::Join => view! { <register::Join/> }.into_any(),
                #[cfg(feature = "account")]
                PatientRoute::SignIn => view! { <sign_in::SignIn/> }.into_any(),
                #[cfg(feature = "patient")]
                PatientRoute::SignedOut => view! { <signed_out::SignedOut/> }.into_any(),
                #[cfg(feature = "account")]
                PatientRoute::ForgottenPassword => view! { <account::ForgottenPassword/> }.into_any(),
                #[cfg(feature = "account")]
                PatientRoute::ResetPassword => view! { <account::ResetPassword/> }.into_any(),
                #[cfg(feature = "account")]
                PatientRoute::Account => view! { <account::Account/> }.into_any(),
                #[cfg(feature = "account")]
                PatientRoute::AccountConfirmEmail => view! { <account::ConfirmEmailChange/> }.into_any(),
                #[cfg(feature = "two-step")]
                PatientRoute::AccountTwoStep => view! { <two_step::TwoStepSignIn/> }.into_any(),
                #[cfg(feature = "notifications")]
                PatientRoute::AccountNotifications => view! { <notifications::NotificationSettings/> }.into_any(),
                #[cfg(feature = "notifications")]
                PatientRoute::NotificationsUnsubscribe => view! { <notifications::Unsubscribe/> }.into_any(),
                #[cfg(feature = "carers")]
                PatientRoute::Carers => view! { <carers::Carers/> }.into_any(),
                #[cfg(feature = "carers")]
                PatientRoute::CarersInvite => view! { <carers::InviteCarer/> }.into_any(),
                #[cfg(feature = "carers")]
                PatientRoute::CarersChange => view! { <carers::ChangeCarer/> }.into_any(),
                #[cfg(feature = "carers")]
                PatientRoute::CarersAccessHistory => view! { <carers::AccessHistory/> }.into_any(),
                #[cfg(feature = "carer-invitation")]
                PatientRoute::CarersAccept => view! { <carers::AcceptInvitation/> }.into_any(),
                #[cfg(feature = "patient")]
                PatientRoute::Terms => view! { <terms::Terms/> }.into_any(),
                #[cfg(feature = "patient")]
                PatientRoute::NhsLogin => view! { <nhs_login::NhsLoginOutcome/> }.into_any(),
                PatientRoute::NotFound => view! {
                    <NotFound service=SERVICE home="/" home_text="Go to the Portico home page"/>
                }
                .into_any(),
                // A page of another bundle: only reached if the address and
                // this bundle disagree, which a page load puts right.
                #[allow(unreachable_patterns)]
                _ => view! { <router::LoadElsewhere/> }.into_any(),
            }}
        </Shell>
    }
}

/// Above the registration pages: whose device this is, when staff handed it over.
#[cfg(feature = "register")]
fn banner(router: PatientRouter) -> impl IntoView {
    move || (router.route() != PatientRoute::RegisterHandBack).then(|| view! { <register::HandoverBanner/> })
}

#[cfg(not(feature = "register"))]
fn banner(_router: PatientRouter) -> impl IntoView {}

/// The header's account navigation: the signed-in person's name, the way to
/// the staff pages for a professional, and sign-out.
#[cfg(any(
    feature = "patient",
    feature = "account",
    feature = "notifications",
    feature = "carers",
    feature = "carer-invitation",
    feature = "two-step"
))]
fn signed_in_nav() -> ViewFn {
    use leptos::task::spawn_local;

    use crate::layout::AccountNav;
    use router::navigate;
    use session::PatientSession;

    let session = PatientSession::start();
    let sign_out = Callback::new(move |()| {
        spawn_local(async move {
            let _ = crate::api::sign_out().await;
            session.current.set(None);
            navigate("/signed-out");
        });
    });
    ViewFn::from(move || {
        move || {
            session.current.get().map(|current| {
                let switch = current.staff.is_some().then_some(("/staff", "Staff pages"));
                let name = Signal::derive(move || current.account.display_name.clone());
                view! { <AccountNav name=name on_sign_out=sign_out switch=switch/> }
            })
        }
    })
}
