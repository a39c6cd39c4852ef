//! Pause, resume and cancel. Cancelling cannot be undone, so it asks first;
//! pausing holds what is waiting to be sent until the campaign resumes.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, CampaignAction};
use crate::forms::ErrorItem;
use crate::page::focus_selector;

#[component]
pub fn Controls(
    campaign_id: String,
    /// The campaign's state, which the buttons follow.
    state: Memo<String>,
    /// Whether it still has work once finished: invitations held, or its
    /// plan's reminder steps to come (a finished one can then be cancelled, to end them).
    more_to_come: Memo<bool>,
    errors: RwSignal<Vec<ErrorItem>>,
    asked: RwSignal<u32>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let campaign_id = StoredValue::new(campaign_id);
    let act = move |action: CampaignAction| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        errors.set(Vec::new());
        spawn_local(async move {
            let done = api::campaign_action(&campaign_id.get_value(), action).await;
            busy.set(false);
            confirming.set(false);
            if let Err(error) = done {
                let message = match &error {
                    ApiError::Refused(p) if p.status == 409 => {
                        "The campaign has changed meanwhile. It is shown as it is now.".to_owned()
                    }
                    other => other.message(),
                };
                errors.set(vec![ErrorItem::form(message)]);
            }
            // Whatever happened, show the campaign as it now stands.
            asked.update(|n| *n += 1);
        });
    };
    let press = move |action: CampaignAction| move |_| act(action);
    // aria-disabled rather than disabled keeps the button focusable and announced.
    let waiting = move || busy.get().then_some("true");
    let ask = move |_| {
        confirming.set(true);
        request_animation_frame(|| focus_selector("#confirm-cancel"));
    };
    // Redrawn only when the state changes (it is a memo), so a poll leaves
    // the buttons, and the question, alone.
    move || {
        let state = state.get();
        let (running, paused) = (state == "running", state == "paused");
        let still_working = state == "finished" && more_to_come.get();
        (running || paused || still_working).then(|| {
            view! {
                <div hidden=move || confirming.get() class="nhsuk-button-group">
                    {running.then(|| view! {
                        <button type="button" class="nhsuk-button nhsuk-button--secondary" aria-disabled=waiting on:click=press(CampaignAction::Pause)>
                            "Pause the campaign"
                        </button>
                    })}
                    {paused.then(|| view! {
                        <button type="button" class="nhsuk-button" aria-disabled=waiting on:click=press(CampaignAction::Resume)>
                            "Resume the campaign"
                        </button>
                    })}
                    <button type="button" class="nhsuk-button nhsuk-button--warning" on:click=ask>"Cancel the campaign"</button>
                </div>
                <div class="nhsuk-warning-callout" hidden=move || !confirming.get()>
                    <h2 class="nhsuk-warning-callout__label" id="confirm-cancel" tabindex="-1">
                        <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Cancel this campaign?"</span>
                    </h2>
                    <p>
                        "Nobody else will be invited by it: messages waiting to be sent will not go, nor invitations held until the record has an entry, nor reminders of its plan still to come. "
                        "Invitations already made still work. This cannot be undone."
                    </p>
                    <div class="nhsuk-button-group">
                        <button type="button" class="nhsuk-button nhsuk-button--warning" aria-disabled=waiting on:click=press(CampaignAction::Cancel)>
                            "Yes, cancel the campaign"
                        </button>
                        <button type="button" class="nhsuk-button nhsuk-button--secondary" on:click=move |_| confirming.set(false)>
                            "No, keep it"
                        </button>
                    </div>
                </div>
            }
        })
    }
}
