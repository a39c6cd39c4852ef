//! What every page does when it is shown: name itself and, after a
//! client-side navigation, move focus to its heading.
//!
//! A screen reader announces the new `<title>` and the focused `<h1>`, which is
//! how a person who cannot see the screen learns that the page has changed
//! (WCAG 2.4.2, 2.4.3). The first page of a load keeps the browser's own focus,
//! so the skip link stays the first thing a keyboard reaches.

use std::cell::Cell;

use leptos::prelude::{document, request_animation_frame};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

thread_local! {
    static FIRST_PAGE_SHOWN: Cell<bool> = const { Cell::new(false) };
}

/// Call at the top of a page component with the page's own title (the
/// service name is added here).
pub fn show_page(title: &str, service: &str) {
    document().set_title(&format!("{title} – {service}"));
    if FIRST_PAGE_SHOWN.with(|shown| shown.replace(true)) {
        // The heading is in the DOM once the page's view is mounted, before the next frame.
        request_animation_frame(focus_heading);
    }
}

/// Moves focus to the main heading; headings carry `tabindex="-1"` for this.
pub fn focus_heading() {
    focus_selector("#maincontent h1");
}

/// Moves focus to the first element matching `selector`, if there is one.
pub fn focus_selector(selector: &str) {
    let found = document().query_selector(selector).ok().flatten();
    if let Some(element) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = element.focus();
    }
}
