//! A single NHS.UK checkbox with its own legend: "I accept the terms".

use leptos::prelude::*;

#[component]
pub fn Checkbox(
    id: &'static str,
    legend: &'static str,
    label: &'static str,
    checked: RwSignal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Shown above the box: what is being agreed to, with its links.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let group = move || {
        if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }
    };
    view! {
        <div class=group>
            <fieldset
                class="nhsuk-fieldset"
                aria-describedby=move || error.with(Option::is_some).then(|| format!("{id}-error"))
            >
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">{legend}</legend>
                {children.map(|children| children())}
                {move || error.get().map(|message| view! {
                    <span class="nhsuk-error-message" id=format!("{id}-error")>
                        <span class="nhsuk-u-visually-hidden">"Error: "</span>
                        {message}
                    </span>
                })}
                <div class="nhsuk-checkboxes">
                    <div class="nhsuk-checkboxes__item">
                        <input class="nhsuk-checkboxes__input" id=id name=id type="checkbox" bind:checked=checked/>
                        <label class="nhsuk-label nhsuk-checkboxes__label" for=id>{label}</label>
                    </div>
                </div>
            </fieldset>
        </div>
    }
}
