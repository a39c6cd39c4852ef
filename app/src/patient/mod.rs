//! The patient bundle: what a patient sees at `/`, and nothing of the staff
//! console, so the first load stays small.

mod landing;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::layout::Shell;
use crate::not_found::NotFound;

/// The service name in the header and in every title.
pub const SERVICE: &str = "Portico";

/// The root of the patient bundle, with its own router.
#[component]
pub fn PatientRoot() -> impl IntoView {
    view! {
        <Router>
            <Shell service=SERVICE home="/">
                <Routes fallback=|| view! {
                    <NotFound service=SERVICE home="/" home_text="Go to the Portico home page"/>
                }>
                    <Route path=path!("/") view=landing::Landing/>
                </Routes>
            </Shell>
        </Router>
    }
}
