//! The search box of the records page.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::records_href;
use crate::forms::{Button, ErrorItem, TextInput, message_for};

/// A search by name, NHS number or date of birth. Searching is navigating:
/// the query goes into the address, and the page reads it from there.
#[component]
pub fn SearchForm(team_id: Memo<String>, q: Memo<Option<String>>, errors: Signal<Vec<ErrorItem>>) -> impl IntoView {
    let navigate = use_navigate();
    let value = RwSignal::new(q.get_untracked().unwrap_or_default());
    // Back and forward change the address, not the box: follow the address.
    Effect::new(move |_| value.set(q.get().unwrap_or_default()));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = value.get_untracked();
        navigate(&records_href(&team_id.get_untracked(), Some(&text), 1), Default::default());
    };
    let error = Signal::derive(move || errors.with(|e| message_for(e, "q")));

    view! {
        <search>
            <form on:submit=submit novalidate>
                <TextInput
                    id="q"
                    label="Search records"
                    hint="Enter a name, NHS number or date of birth, like 15/03/1984"
                    value=value
                    error=error
                    input_type="search"
                    autocomplete="off"
                    no_spellcheck=true
                    class="nhsuk-input--width-20"
                />
                <Button class="nhsuk-button--secondary">"Search"</Button>
            </form>
        </search>
    }
}
