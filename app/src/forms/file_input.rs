//! The NHS.UK file upload: label, hint, error message and a file input.

use leptos::prelude::*;

use super::field::{FieldFrame, FieldText};

/// A file input. The page reads the chosen file through `input` when the
/// form is sent; nothing is read while the person is choosing.
#[component]
pub fn FileInput(
    id: &'static str,
    label: &'static str,
    input: NodeRef<leptos::html::Input>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    /// The file types the picker offers first, such as `.csv,text/csv`.
    accept: &'static str,
) -> impl IntoView {
    let text = FieldText { id, label, hint };
    view! {
        // Without NHS.UK's script (Portico ships none), the input stays the
        // browser's own file picker, which the classes style.
        <FieldFrame text=text error=error group_class="nhsuk-file-upload">
            <input
                class="nhsuk-file-upload__input"
                id=id
                name=id
                type="file"
                accept=accept
                aria-describedby=move || text.described_by(error.with(Option::is_some))
                node_ref=input
            />
        </FieldFrame>
    }
}
