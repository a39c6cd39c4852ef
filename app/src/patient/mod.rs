//! The patient bundle: what a patient sees (the start page, registration,
//! signing in, their record and their account), and nothing of the staff
//! console, so the first load stays small.

mod account;
mod landing;
mod my_record;
pub mod query;
mod register;
pub mod router;
pub mod session;
mod sign_in;
mod signed_out;
mod terms;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::layout::{AccountNav, Shell};
use crate::not_found::NotFound;
use router::{PatientRoute, PatientRouter, navigate};
use session::PatientSession;

/// The service name in the header and in every title.
pub const SERVICE: &str = "Portico";

/// The root of the patient bundle, with its own router.
#[component]
pub fn PatientRoot() -> impl IntoView {
    let router = PatientRouter::start();
    let session = PatientSession::start();
    register::Draft::provide();
    let sign_out = Callback::new(move |()| {
        spawn_local(async move {
            let _ = crate::api::sign_out().await;
            session.current.set(None);
            navigate("/signed-out");
        });
    });
    let account = ViewFn::from(move || {
        move || {
            session.current.get().map(|current| {
                let name = Signal::derive(move || current.account.display_name.clone());
                view! { <AccountNav name=name on_sign_out=sign_out/> }
            })
        }
    });
    view! {
        <Shell service=SERVICE home="/" account=account>
            {move || match router.route() {
                PatientRoute::Landing => view! { <landing::Landing/> }.into_any(),
                PatientRoute::MyRecord => view! { <my_record::MyRecord/> }.into_any(),
                PatientRoute::RegisterCode => view! { <register::EnterCode/> }.into_any(),
                PatientRoute::RegisterDateOfBirth => view! { <register::EnterDateOfBirth/> }.into_any(),
                PatientRoute::RegisterEmail => view! { <register::EnterEmail/> }.into_any(),
                PatientRoute::RegisterCheckEmail => view! { <register::CheckEmail/> }.into_any(),
                PatientRoute::RegisterConfirmEmail => view! { <register::ConfirmLink/> }.into_any(),
                PatientRoute::RegisterPassword => view! { <register::ChoosePassword/> }.into_any(),
                PatientRoute::SignIn => view! { <sign_in::SignIn/> }.into_any(),
                PatientRoute::SignedOut => view! { <signed_out::SignedOut/> }.into_any(),
                PatientRoute::ForgottenPassword => view! { <account::ForgottenPassword/> }.into_any(),
                PatientRoute::ResetPassword => view! { <account::ResetPassword/> }.into_any(),
                PatientRoute::Account => view! { <account::Account/> }.into_any(),
                PatientRoute::AccountConfirmEmail => view! { <account::ConfirmEmailChange/> }.into_any(),
                PatientRoute::Terms => view! { <terms::Terms/> }.into_any(),
                PatientRoute::NotFound => view! {
                    <NotFound service=SERVICE home="/" home_text="Go to the Portico home page"/>
                }
                .into_any(),
            }}
        </Shell>
    }
}
