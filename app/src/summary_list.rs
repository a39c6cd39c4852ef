//! The NHS.UK summary list: keys and their values, one row each.

use leptos::prelude::*;

/// An NHS.UK summary list of plain values. Values keep their line breaks
/// (an address, a note) and long words wrap rather than widen the page.
#[component]
pub fn SummaryList(rows: Vec<(&'static str, String)>, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <dl class=format!("nhsuk-summary-list {class}")>
            {rows.into_iter().map(|(key, value)| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">{key}</dt>
                    <dd class="nhsuk-summary-list__value portico-prose">{value}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}
