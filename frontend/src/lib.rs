//! The wasm entry point: mounts one bundle's root into `<body>`.
//!
//! scripts/build-web builds this crate once per bundle, each with its one
//! feature (`patient`, `register`, `join`, `account`, `carers`, `carer-invitation`, `two-step`,
//! `notifications`, `staff`: see
//! `portico_types::bundle`); wasm-bindgen's generated `init` runs [`start`]
//! once the module is instantiated.

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the root of the bundle this build was made for. A build with the
/// staff console and patient pages together (a workspace check, not a
/// shipped bundle) chooses by the address, as the server chooses the shell.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(all(feature = "staff", feature = "patient-side"))]
    {
        use portico_types::bundle::Bundle;
        let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
        if Bundle::for_path(&path) == Bundle::Staff {
            leptos::mount::mount_to_body(portico_app::staff::StaffRoot);
        } else {
            leptos::mount::mount_to_body(portico_app::patient::PatientRoot);
        }
    }
    #[cfg(all(feature = "patient-side", not(feature = "staff")))]
    leptos::mount::mount_to_body(portico_app::patient::PatientRoot);
    #[cfg(all(feature = "staff", not(feature = "patient-side")))]
    leptos::mount::mount_to_body(portico_app::staff::StaffRoot);
}
