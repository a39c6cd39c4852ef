//! The frame every NHS.UK form field shares: form group, label, hint and
//! error message, with ids the input points at through `aria-describedby`.

use leptos::prelude::*;

/// What one field shows around its input.
#[derive(Clone, Copy)]
pub struct FieldText {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
}

impl FieldText {
    /// The `aria-describedby` of the input: its hint and, when shown, its error.
    pub fn described_by(self, has_error: bool) -> Option<String> {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if has_error {
            ids.push(format!("{}-error", self.id));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// Form group, label, hint and error message around `children` (the input).
#[component]
pub fn FieldFrame(
    text: FieldText,
    error: Signal<Option<String>>,
    /// Extra classes on the form group (the password input needs its own).
    #[prop(optional)]
    group_class: &'static str,
    children: Children,
) -> impl IntoView {
    let id = text.id;
    let group = move || {
        let error_class = if error.with(Option::is_some) { " nhsuk-form-group--error" } else { "" };
        format!("nhsuk-form-group{error_class} {group_class}")
    };
    view! {
        <div class=group>
            <label class="nhsuk-label" for=id>{text.label}</label>
            {text.hint.map(|hint| view! {
                <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div>
            })}
            {move || error.get().map(|message| view! {
                <span class="nhsuk-error-message" id=format!("{id}-error")>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>
                    {message}
                </span>
            })}
            {children()}
        </div>
    }
}

/// The classes of an NHS.UK input, with the error state when there is one.
pub fn input_class(base: &'static str, error: Signal<Option<String>>) -> impl Fn() -> String {
    move || {
        if error.with(Option::is_some) {
            format!("nhsuk-input nhsuk-input--error {base}")
        } else {
            format!("nhsuk-input {base}")
        }
    }
}
