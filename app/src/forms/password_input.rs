//! The NHS.UK password input, with its show/hide button.
//!
//! Paste is allowed (password managers need it, WCAG 3.3.8). Showing the
//! password is the person's choice and is undone on submit, so the browser
//! never keeps the value as plain text.

use leptos::prelude::*;

use super::field::{FieldFrame, FieldText, input_class};

/// A password input bound to `value`; `shown` is reset by the form on submit.
#[component]
pub fn PasswordInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Whether the password is shown as text; the form sets it back to false on submit.
    shown: RwSignal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
    /// `current-password` to sign in, `new-password` to choose one.
    #[prop(default = "current-password")]
    autocomplete: &'static str,
) -> impl IntoView {
    let text = FieldText { id, label, hint };
    let toggle = move |_| shown.update(|s| *s = !*s);
    view! {
        <FieldFrame text=text error=error group_class="nhsuk-password-input">
            <div class="nhsuk-input-wrapper">
                <input
                    class=input_class("nhsuk-password-input__input", error)
                    id=id
                    name=id
                    type=move || if shown.get() { "text" } else { "password" }
                    spellcheck="false"
                    autocapitalize="none"
                    autocomplete=autocomplete
                    aria-describedby=move || text.described_by(error.with(Option::is_some))
                    bind:value=value
                />
                <button
                    class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-password-input__toggle"
                    type="button"
                    aria-controls=id
                    aria-label=move || if shown.get() { "Hide password" } else { "Show password" }
                    on:click=toggle
                >
                    {move || if shown.get() { "Hide" } else { "Show" }}
                </button>
            </div>
            <div class="nhsuk-password-input__sr-status nhsuk-u-visually-hidden" aria-live="polite">
                {move || if shown.get() { "Your password is visible" } else { "Your password is hidden" }}
            </div>
        </FieldFrame>
    }
}
