//! The page for an address no route matches, in either bundle.

use leptos::prelude::*;

use crate::page::show_page;

/// "Page not found", with a way back to the bundle's start page.
#[component]
pub fn NotFound(service: &'static str, home: &'static str, home_text: &'static str) -> impl IntoView {
    show_page("Page not found", service);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">"Page not found"</h1>
                <p>"If you typed the web address, check it is correct."</p>
                <p>"If you pasted the web address, check you copied the entire address."</p>
                <p><a href=home>{home_text}</a></p>
            </div>
        </div>
    }
}
