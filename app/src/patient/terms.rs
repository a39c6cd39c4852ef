//! `/terms`: the terms of use a patient accepts when registering, in plain
//! words. (An organisation running Portico puts its own here.)

use leptos::prelude::*;

use super::SERVICE;
use crate::page::show_page;

#[component]
pub fn Terms() -> impl IntoView {
    show_page("Terms of use", SERVICE);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">"Terms of use"</h1>
                <p class="nhsuk-lede-text">"Portico lets you see information your clinical teams share with you."</p>
                <h2>"Your account is for you"</h2>
                <p>"Keep your password to yourself. If someone else needs to see your record, such as a carer, ask your clinical team how they can get access of their own."</p>
                <h2>"What you see"</h2>
                <p>"Letters, results and appointments appear as your clinical team shares them. Some results are shared only after you have talked about them with your team."</p>
                <p>"If something in your record looks wrong, contact your clinical team."</p>
                <h2>"It is not for emergencies"</h2>
                <p>"Nobody watches Portico around the clock. If you need help urgently, call 111, or 999 in an emergency."</p>
                <h2>"Your information"</h2>
                <p>"Your clinical team is responsible for your record. Portico keeps a log of who looks at it and when, and sends you an email when something important changes on your account."</p>
            </div>
        </div>
    }
}
