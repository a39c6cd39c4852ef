//! The wasm entry point: mounts one bundle's root into `<body>`.
//!
//! scripts/build-web builds this crate once per bundle, each with its one
//! feature (`patient`, `register`, `join`, `account`,
//! `notifications`, `staff`: see
//! `portico_types::bundle`); wasm-bindgen's generated `init` runs [`start`]
//! once the module is instantiated.

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the root of the bundle this build was made for. A build with the
/// staff console and patient pages together (a workspace check, not a
/// shipped bundle) chooses by the address, as the server chooses the shell.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(all(
        feature = "staff",
        any(
            feature = "patient",
            feature = "register",
            feature = "join",
            feature = "account",
            feature = "notifications"
        )
    ))]
    {
        use portico_types::bundle::Bundle;
        let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
        if Bundle::for_path(&path) == Bundle::Staff {
            leptos::mount::mount_to_body(portico_app::staff::StaffRoot);
        } else {
            leptos::mount::mount_to_body(portico_app::patient::PatientRoot);
        }
    }
    #[cfg(all(
        any(
            feature = "patient",
            feature = "register",
            feature = "join",
            feature = "account",
            feature = "notifications"
        ),
        not(feature = "staff")
    ))]
    leptos::mount::mount_to_body(portico_app::patient::PatientRoot);
    #[cfg(all(
        feature = "staff",
        not(any(
            feature = "patient",
            feature = "register",
            feature = "join",
            feature = "account",
            feature = "notifications"
        ))
    ))]
    leptos::mount::mount_to_body(portico_app::staff::StaffRoot);
}
