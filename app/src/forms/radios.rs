//! NHS.UK radios: a fieldset whose legend asks the question, one radio per
//! answer, each with an optional hint of its own.

use leptos::prelude::*;

/// One answer of a radios question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RadioOption {
    /// What the form sends.
    pub value: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
}

/// The id of the `n`th (0-based) radio: the first takes the field's own id,
/// so the error summary's link to the field lands on it, as NHS.UK does.
fn item_id(id: &str, n: usize) -> String {
    if n == 0 { id.to_owned() } else { format!("{id}-{}", n + 1) }
}

/// A radios question bound to `value` (empty while nothing is chosen).
#[component]
pub fn Radios(
    id: &'static str,
    legend: &'static str,
    options: &'static [RadioOption],
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    /// The legend's size: `nhsuk-fieldset__legend--m` and the like.
    #[prop(default = "nhsuk-fieldset__legend--m")]
    legend_class: &'static str,
) -> impl IntoView {
    let group = move || {
        if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }
    };
    let described_by = move || {
        let mut ids = Vec::new();
        if hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    view! {
        <div class=group>
            <fieldset class="nhsuk-fieldset" aria-describedby=described_by>
                <legend class=format!("nhsuk-fieldset__legend {legend_class}")>{legend}</legend>
                {hint.map(|hint| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
                {move || error.get().map(|message| view! {
                    <span class="nhsuk-error-message" id=format!("{id}-error")>
                        <span class="nhsuk-u-visually-hidden">"Error: "</span>
                        {message}
                    </span>
                })}
                <div class="nhsuk-radios">
                    {options
                        .iter()
                        .enumerate()
                        .map(|(n, option)| view! { <Radio name=id item_id=item_id(id, n) option=*option value=value/> })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

#[component]
fn Radio(name: &'static str, item_id: String, option: RadioOption, value: RwSignal<String>) -> impl IntoView {
    let hint_id = option.hint.map(|_| format!("{item_id}-item-hint"));
    view! {
        <div class="nhsuk-radios__item">
            <input
                class="nhsuk-radios__input"
                id=item_id.clone()
                name=name
                type="radio"
                value=option.value
                aria-describedby=hint_id.clone()
                prop:checked=move || value.with(|v| v == option.value)
                on:change=move |_| value.set(option.value.to_owned())
            />
            <label class="nhsuk-label nhsuk-radios__label" for=item_id>{option.label}</label>
            {option.hint.zip(hint_id).map(|(hint, hint_id)| view! {
                <div class="nhsuk-hint nhsuk-radios__hint" id=hint_id>{hint}</div>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::item_id;

    #[test]
    fn the_first_radio_carries_the_field_s_id() {
        assert_eq!(
            [item_id("reason", 0), item_id("reason", 1), item_id("reason", 4)],
            ["reason", "reason-2", "reason-5"]
        );
    }
}
