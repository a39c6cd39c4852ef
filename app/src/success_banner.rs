//! The NHS.UK success banner, as NHS.UK's own script shows it: `role=alert`,
//! and focused once shown, so it is read out and scrolled into view.

use leptos::prelude::*;

/// `title_id`: the id of its "Success" title, which labels it.
#[component]
pub fn SuccessBanner(#[prop(into)] heading: String, title_id: &'static str) -> impl IntoView {
    let banner = NodeRef::<leptos::html::Div>::new();
    // Mounted by the next frame.
    request_animation_frame(move || {
        if let Some(el) = banner.get_untracked() {
            let _ = el.focus();
        }
    });
    view! {
        <div
            class="nhsuk-notification-banner nhsuk-notification-banner--success"
            role="alert"
            aria-labelledby=title_id
            tabindex="-1"
            node_ref=banner
        >
            <div class="nhsuk-notification-banner__header">
                <p class="nhsuk-notification-banner__title" id=title_id>"Success"</p>
            </div>
            <div class="nhsuk-notification-banner__content">
                <p class="nhsuk-notification-banner__heading portico-prose">{heading}</p>
            </div>
        </div>
    }
}
