//! The NHS.UK button.

use leptos::prelude::*;

/// A submit button. While `busy`, it refuses a second press, so a slow answer
/// cannot send the same request twice.
#[component]
pub fn Button(
    #[prop(into, optional)] busy: Signal<bool>,
    /// `nhsuk-button--secondary` and the like.
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            class=format!("nhsuk-button {class}")
            type="submit"
            // aria-disabled rather than disabled keeps the button focusable and announced.
            aria-disabled=move || busy.get().then_some("true")
        >
            {children()}
        </button>
    }
}
