//! `/signed-out`: after signing out (here or everywhere).

use leptos::prelude::*;

use super::SERVICE;
use super::router::Link;
use crate::page::show_page;

#[component]
pub fn SignedOut() -> impl IntoView {
    show_page("You have signed out", SERVICE);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">"You have signed out"</h1>
                <p>"To see your record again, sign in."</p>
                <p><Link href="/sign-in">"Sign in"</Link></p>
            </div>
        </div>
    }
}
