//! The wasm entry point: mounts one bundle's root into `<body>`.
//!
//! scripts/build-web builds this crate twice, with feature `patient` for
//! `index.html` and with `staff` for `staff.html`; wasm-bindgen's generated
//! `init` runs [`start`] once the module is instantiated.

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the root of the bundle this build was made for.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(all(feature = "patient", feature = "staff"))]
    {
        // Both in one build (a workspace check, not a shipped bundle): choose by address.
        let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
        // The server's rule for which shell a path gets.
        if path == "/staff" || path.starts_with("/staff/") {
            leptos::mount::mount_to_body(portico_app::staff::StaffRoot);
        } else {
            leptos::mount::mount_to_body(portico_app::patient::PatientRoot);
        }
    }
    #[cfg(all(feature = "patient", not(feature = "staff")))]
    leptos::mount::mount_to_body(portico_app::patient::PatientRoot);
    #[cfg(all(feature = "staff", not(feature = "patient")))]
    leptos::mount::mount_to_body(portico_app::staff::StaffRoot);
}
