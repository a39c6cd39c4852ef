//! The NHS.UK error summary: every error of a form, each linking to its field.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ScrollIntoViewOptions, ScrollLogicalPosition};

use super::ErrorItem;

/// Shown while `errors` is not empty; takes focus each time `errors` is set
/// to a non-empty list, which is how a form reports a failed submit. The
/// page title starts with "Error: " meanwhile, so a screen reader user hears
/// it on the first thing read.
#[component]
pub fn ErrorSummary(#[prop(into)] errors: Signal<Vec<ErrorItem>>) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let failed = errors.with(|e| !e.is_empty());
        mark_title(failed);
        if failed {
            // After the summary is in the DOM: the effect runs before layout.
            request_animation_frame(move || {
                if let Some(el) = summary.get_untracked() {
                    let _ = el.focus();
                }
            });
        }
    });
    on_cleanup(|| mark_title(false));
    view! {
        <Show when=move || errors.with(|e| !e.is_empty())>
            <div class="nhsuk-error-summary" tabindex="-1" node_ref=summary>
                // role=alert on an inner element, as NHS.UK does, so the
                // announcement does not race the focus move.
                <div role="alert">
                    <h2 class="nhsuk-error-summary__heading">"There is a problem"</h2>
                    <div class="nhsuk-error-summary__body">
                        <ul class="nhsuk-list nhsuk-error-summary__list">
                            <For
                                each=move || errors.get()
                                key=|item| item.clone()
                                children=|item| view! { <li><SummaryLink item=item/></li> }
                            />
                        </ul>
                    </div>
                </div>
            </div>
        </Show>
    }
}

const ERROR_PREFIX: &str = "Error: ";

/// Adds or removes the "Error: " at the start of the page title.
fn mark_title(failed: bool) {
    let document = document();
    let title = document.title();
    match (failed, title.strip_prefix(ERROR_PREFIX)) {
        (true, None) => document.set_title(&format!("{ERROR_PREFIX}{title}")),
        (false, Some(rest)) => document.set_title(rest),
        _ => {}
    }
}

#[component]
fn SummaryLink(item: ErrorItem) -> impl IntoView {
    match item.field {
        Some(field) => {
            let target = field.clone();
            // On the link itself, so it runs before the router's click handler. Focus
            // the field and bring its label into view too, as NHS.UK's own
            // script does: a field scrolled to the top hides what it asks for.
            let jump = move |ev: leptos::ev::MouseEvent| {
                ev.prevent_default();
                focus_field(&target);
            };
            view! {
                <a href=format!("#{field}") on:click=jump>{item.message}</a>
            }
            .into_any()
        }
        None => item.message.into_any(),
    }
}

fn focus_field(id: &str) {
    let document = document();
    let Some(input) = document.get_element_by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) else {
        return;
    };
    // A radio's question is its fieldset's legend, not the label of the first answer.
    let legend = input.closest("fieldset").ok().flatten().and_then(|f| f.query_selector("legend").ok().flatten());
    let label = legend.or_else(|| document.query_selector(&format!("label[for=\"{id}\"]")).ok().flatten());
    let options = ScrollIntoViewOptions::new();
    options.set_block(ScrollLogicalPosition::Start);
    match label {
        Some(label) => label.scroll_into_view_with_scroll_into_view_options(&options),
        None => input.scroll_into_view_with_scroll_into_view_options(&options),
    }
    let focus = web_sys::FocusOptions::new();
    focus.set_prevent_scroll(true);
    let _ = input.focus_with_options(&focus);
}
