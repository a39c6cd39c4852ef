//! The patient bundle: what a patient sees (the start page at `/`, their
//! record at `/record`), and nothing of the staff console, so the first load
//! stays small.

mod landing;
mod my_record;
pub mod router;

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
    view! {
        <Shell service=SERVICE home="/">
            {move || match router.route() {
                PatientRoute::Landing => view! { <landing::Landing/> }.into_any(),
                PatientRoute::MyRecord => view! { <my_record::MyRecord/> }.into_any(),
                PatientRoute::NotFound => view! {
                    <NotFound service=SERVICE home="/" home_text="Go to the Portico home page"/>
                }
                .into_any(),
            }}
        </Shell>
    }
}
