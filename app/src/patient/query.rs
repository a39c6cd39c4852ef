//! Values from the address bar's query string, and taking a secret out of it.

use leptos::prelude::window;

/// The value of `name` in the current address's query string.
pub fn param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// Takes `name` out of the query string and the browser's history, so a
/// one-time token is not left in the address bar, a bookmark or the history.
pub fn take_param(name: &str) -> Option<String> {
    let value = param(name)?;
    let path = window().location().pathname().unwrap_or_default();
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(value)
}
