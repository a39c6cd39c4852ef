//! The patient bundle's router: the address bar's path mapped to a page.
//!
//! Not leptos_router, on purpose: measured on this bundle, it costs about
//! 35-50 KB gzip of wasm, as much as the rest of the patient's first load
//! put together, for routing this small. This does the part the patient
//! pages need: a path becomes a [`PatientRoute`], back and forward follow
//! the browser's history, and [`navigate`] moves between pages without a
//! reload. Links to the staff console stay plain links: a full page load
//! into the other bundle.

use leptos::ev;
use leptos::prelude::*;

/// Every page of the patient bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientRoute {
    Landing,
    /// The signed-in patient's own record.
    MyRecord,
    NotFound,
}

impl PatientRoute {
    /// The page for a path (no query, no fragment); a trailing `/` is ignored.
    pub fn from_path(path: &str) -> Self {
        match path.trim_end_matches('/') {
            "" | "/index.html" => PatientRoute::Landing,
            "/record" => PatientRoute::MyRecord,
            _ => PatientRoute::NotFound,
        }
    }
}

/// The current page, kept in step with the address bar.
#[derive(Debug, Clone, Copy)]
pub struct PatientRouter {
    route: RwSignal<PatientRoute>,
}

impl PatientRouter {
    /// Reads the address now, follows back/forward from then on, and puts
    /// the router in context for [`navigate`].
    pub fn start() -> Self {
        let router = Self { route: RwSignal::new(PatientRoute::from_path(&current_path())) };
        let popstate = window_event_listener(ev::popstate, move |_| {
            router.route.set(PatientRoute::from_path(&current_path()));
        });
        on_cleanup(move || popstate.remove());
        provide_context(router);
        router
    }

    pub fn route(self) -> PatientRoute {
        self.route.get()
    }
}

/// Shows the page at `path` (same origin, within the patient bundle) and
/// adds it to the browser's history.
pub fn navigate(path: &str) {
    let Some(router) = use_context::<PatientRouter>() else { return };
    if let Ok(history) = window().history()
        && history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).is_ok()
    {
        router.route.set(PatientRoute::from_path(&current_path()));
    }
}

fn current_path() -> String {
    window().location().pathname().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::PatientRoute;

    #[test]
    fn paths_map_to_pages() {
        assert_eq!(PatientRoute::from_path("/"), PatientRoute::Landing);
        assert_eq!(PatientRoute::from_path(""), PatientRoute::Landing);
        assert_eq!(PatientRoute::from_path("/register"), PatientRoute::NotFound);
        assert_eq!(PatientRoute::from_path("/record/"), PatientRoute::MyRecord);
        assert_eq!(PatientRoute::from_path("/staff"), PatientRoute::NotFound);
    }
}
