//! "Continue with NHS login", on the sign-in and registration pages, shown
//! only where the server has NHS login switched on. NHS login's button is a
//! link in NHS blue: NHS login's own pages take over from here.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;

/// The button and an "or" before the page's own form. `from` tells the
/// server which page the patient started on (`sign-in`, `register`, or
/// `join` with the `team` whose join page it is).
#[component]
pub fn ContinueWithNhsLogin(from: &'static str, #[prop(optional, into)] team: Option<String>) -> impl IntoView {
    // A plain signal and one task, not `load`: the registration bundle is
    // close to its size budget.
    let enabled = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(status) = api::nhs_login_status().await {
            enabled.set(status.enabled);
        }
    });
    let href = match team {
        Some(team) => {
            let team = String::from(js_sys::encode_uri_component(&team));
            format!("/api/v1/nhs-login/start?from={from}&team={team}")
        }
        None => format!("/api/v1/nhs-login/start?from={from}"),
    };
    let (intro, or) = match from {
        "register" => (
            "If you have an NHS login, you can use it to get into Portico without a registration code.",
            "Or register with the code from your invitation:",
        ),
        "join" => (
            "If you have an NHS login, you can use it instead of filling in this form. It proves who you are, so \
             you may not need to wait for the team to check your details.",
            "Or fill in your details:",
        ),
        _ => (
            "If you have an NHS login, you can use it to get into Portico without a registration code.",
            "Or sign in with your email address and password:",
        ),
    };
    move || {
        enabled.get().then(|| {
            view! {
                <div class="portico-nhs-login">
                    <p>{intro}</p>
                    <a class="nhsuk-button portico-nhs-login__button" href=href.clone() draggable="false">
                        "Continue with NHS login"
                    </a>
                    <p>{or}</p>
                </div>
            }
        })
    }
}
