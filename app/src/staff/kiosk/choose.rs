//! The patient was found and can be invited: how would they like it? Only
//! the ways their record allows are offered, and none says the number or
//! address it would go to.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::KioskInviteVia;

use super::{SERVICE, Step};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, RadioOption, Radios};
use crate::page::show_page;

const FIELD: &str = "via";

const SMS: RadioOption = RadioOption {
    value: "sms",
    label: "Send me a text message",
    hint: Some("To the mobile number your clinic has for you"),
};
const EMAIL: RadioOption = RadioOption {
    value: "email",
    label: "Send me an email",
    hint: Some("To the email address your clinic has for you"),
};
const SCREEN: RadioOption = RadioOption {
    value: "screen",
    label: "Show me a code to scan",
    hint: Some("Register now on your own phone, using its camera"),
};

/// The answers for the ways on offer, in a fixed order.
fn choices(options: &[KioskInviteVia]) -> &'static [RadioOption] {
    let (sms, email) = (options.contains(&KioskInviteVia::Sms), options.contains(&KioskInviteVia::Email));
    match (sms, email) {
        (true, true) => &[SMS, EMAIL, SCREEN],
        (true, false) => &[SMS, SCREEN],
        (false, true) => &[EMAIL, SCREEN],
        (false, false) => &[SCREEN],
    }
}

#[component]
pub fn ChooseStep(step: RwSignal<Step>, token: String, options: Vec<KioskInviteVia>) -> impl IntoView {
    show_page("Get your invitation", SERVICE);
    let token = StoredValue::new(token);
    let chosen = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(via) = KioskInviteVia::parse(&chosen.get_untracked()) else {
            return errors.set(vec![ErrorItem::field(FIELD, "Choose how you would like to get your invitation")]);
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api::kiosk_invitation(&token.get_value(), via).await;
            busy.set(false);
            match answer {
                Ok(invitation) if invitation.via == KioskInviteVia::Screen => step.set(Step::OnScreen(invitation)),
                Ok(invitation) => step.set(Step::Sent(invitation.via)),
                Err(ApiError::Refused(problem)) => match problem.status {
                    410 => step.set(Step::TimedOut),
                    404 => step.set(Step::NotFound),
                    409 => step.set(Step::AlreadyRegistered),
                    _ => errors.set(forms::refusal_errors(&ApiError::Refused(problem), &[FIELD])),
                },
                Err(error) => match Step::closed_by(&error) {
                    Some(closed) => step.set(closed),
                    None => errors.set(vec![ErrorItem::form(error.message())]),
                },
            }
        });
    };
    let error = Signal::derive(move || errors.with(|e| forms::message_for(e, FIELD)));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <h1 tabindex="-1">"Get your invitation"</h1>
                <p class="nhsuk-body-l">"We have found you. You can register to see your health record on your phone."</p>
                <form on:submit=submit novalidate>
                    <Radios
                        id=FIELD
                        legend="How would you like to get your invitation?"
                        options=choices(&options)
                        value=chosen
                        error=error
                    />
                    <Button busy=busy>"Continue"</Button>
                </form>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_ways_on_offer_are_choices_and_the_screen_always_is() {
        let values = |options: &[KioskInviteVia]| choices(options).iter().map(|c| c.value).collect::<Vec<_>>();
        assert_eq!(values(&[KioskInviteVia::Screen]), ["screen"]);
        assert_eq!(values(&[KioskInviteVia::Email, KioskInviteVia::Screen]), ["email", "screen"]);
        assert_eq!(
            values(&[KioskInviteVia::Sms, KioskInviteVia::Email, KioskInviteVia::Screen]),
            ["sms", "email", "screen"]
        );
    }
}
