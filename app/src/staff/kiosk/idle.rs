//! Starting again after a minute without a touch, so a patient who walks
//! away leaves nothing of theirs on the screen.
//!
//! A time limit needs a warning and a simple way to extend it (WCAG 2.2.1):
//! 20 seconds before the reset the page asks whether the patient is still
//! there, and any touch, key or typing gives them the full minute again.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;

/// How long before the reset the warning shows.
pub const WARNING_SECS: u32 = 20;

/// The idle clock of the kiosk page.
#[derive(Debug, Clone, Copy)]
pub struct Idle {
    /// Whether the warning shows: the last `WARNING_SECS` before the reset.
    pub warning: Signal<bool>,
}

/// Watches for touches while `counting` is true, and calls `reset` once
/// `reset_after_secs` have passed without one.
pub fn watch(counting: Signal<bool>, reset_after_secs: Signal<u32>, reset: Callback<()>) -> Idle {
    let last_touch = RwSignal::new(js_sys::Date::now());
    let now = RwSignal::new(js_sys::Date::now());
    let touched = move || last_touch.set(js_sys::Date::now());
    let listeners = [
        window_event_listener(ev::pointerdown, move |_| touched()),
        window_event_listener(ev::keydown, move |_| touched()),
        window_event_listener(ev::input, move |_| touched()),
    ];
    let tick = set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_millis(500)).ok();
    on_cleanup(move || {
        listeners.into_iter().for_each(|listener| listener.remove());
        if let Some(tick) = tick {
            tick.clear();
        }
    });
    // A step that starts counting starts with the full minute.
    Effect::new(move |_| {
        if counting.get() {
            touched();
        }
    });
    let left = Memo::new(move |_| {
        let idle_secs = ((now.get() - last_touch.get()) / 1000.0).max(0.0);
        let limit = f64::from(reset_after_secs.get());
        // Whole seconds, rounded up: "20 seconds", never "0 seconds".
        (limit - idle_secs).ceil().max(0.0) as u32
    });
    Effect::new(move |_| {
        if counting.get() && left.get() == 0 {
            touched();
            reset.run(());
        }
    });
    let warning = Signal::derive(move || counting.get() && left.get() <= WARNING_SECS);
    Idle { warning }
}

/// The warning, with the one action that extends the time. Announced once
/// as it appears; it does not count down aloud.
#[component]
pub fn IdleWarning() -> impl IntoView {
    view! {
        <div class="nhsuk-warning-callout portico-kiosk-idle" role="alert">
            <h2 class="nhsuk-warning-callout__label">
                <span role="text">
                    <span class="nhsuk-u-visually-hidden">"Important: "</span>
                    "Are you still there?"
                </span>
            </h2>
            <p>{format!("This screen will start again in {WARNING_SECS} seconds, and what you entered will be cleared.")}</p>
            // Any touch counts; the button is there so it is clear what to do.
            <button class="nhsuk-button nhsuk-button--secondary" type="button">"I need more time"</button>
        </div>
    }
}
