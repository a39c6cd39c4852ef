//! The start page: what Portico is and how a patient gets in.

use leptos::prelude::*;

use super::SERVICE;
use super::router::Link;
use crate::page::show_page;

/// Explains invitations to patients, and shows staff their own way in.
#[component]
pub fn Landing() -> impl IntoView {
    show_page("See your health record online", SERVICE);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 tabindex="-1">"See your health record online"</h1>
                <p class="nhsuk-lede-text">
                    "Use Portico to see letters, test results and appointments from the clinical team that cares for you."
                </p>

                <h2>"How to register"</h2>
                <p>
                    "Your clinical team will send you an invitation by letter, text message or email. "
                    "It tells you how to start and gives you a registration code."
                </p>
                <p>"To register, you'll need:"</p>
                <ul>
                    <li>"the code from your invitation"</li>
                    <li>"your date of birth"</li>
                </ul>
                <a class="nhsuk-button" href="/register" role="button" draggable="false">
                    "Start now"
                </a>
                <p>"Already registered? "<Link href="/sign-in">"Sign in"</Link></p>
                <div class="nhsuk-inset-text">
                    <span class="nhsuk-u-visually-hidden">"Information: "</span>
                    <p>
                        "If you have not had an invitation, or your code has expired, "
                        "contact your clinical team. They can send you a new one."
                    </p>
                </div>

                <h2>"For staff"</h2>
                <p>
                    // rel=external: the staff console is another bundle, so
                    // this must be a full page load, not a client-side route.
                    <a href="/staff/sign-in" rel="external">"Sign in to the Portico staff console"</a>
                </p>
            </div>
        </div>
    }
}
