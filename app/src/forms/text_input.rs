//! The NHS.UK text input: label, optional hint, error message, input.

use leptos::prelude::*;

use super::field::{FieldFrame, FieldText, input_class};

/// A text input bound to `value`. `id` is also the field's `name` and what
/// the error summary links to.
#[component]
pub fn TextInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    /// `text`, `email`, `search`, ...
    #[prop(default = "text")]
    input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// Off for addresses, codes and numbers, where a spellchecker only gets in the way.
    #[prop(optional)]
    no_spellcheck: bool,
    /// Extra input classes, such as an NHS.UK width (`nhsuk-input--width-20`).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let text = FieldText { id, label, hint };
    view! {
        <FieldFrame text=text error=error>
            <input
                class=input_class(class, error)
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                spellcheck=no_spellcheck.then_some("false")
                autocapitalize=no_spellcheck.then_some("none")
                aria-describedby=move || text.described_by(error.with(Option::is_some))
                bind:value=value
            />
        </FieldFrame>
    }
}
