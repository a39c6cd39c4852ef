//! `/register`: the registration code, typed from a letter or text message,
//! or filled in from the link or QR code. Its check character catches a
//! mistyped character here, before the server is asked.

use leptos::prelude::*;
use portico_types::InvitationCode;

use super::{Caption, Draft};
use crate::forms::{Button, ErrorItem, ErrorSummary, TextInput, message_for};
use crate::page::show_page;
use crate::patient::SERVICE;
use crate::patient::nhs_login_button::ContinueWithNhsLogin;
use crate::patient::query::param;
use crate::patient::router::{Link, navigate};

#[component]
pub fn EnterCode() -> impl IntoView {
    show_page("Enter your registration code", SERVICE);
    let draft = Draft::get();
    let from_link = param("code");
    let code = RwSignal::new(from_link.clone().unwrap_or_else(|| draft.code.get_untracked()));
    let errors = RwSignal::new(Vec::<ErrorItem>::new());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match InvitationCode::parse(&code.get_untracked()) {
            Ok(parsed) => {
                draft.code.set(parsed.grouped());
                navigate("/register/date-of-birth");
            }
            Err(e) => errors.set(vec![ErrorItem::field("code", e.to_string())]),
        }
    };
    let code_error = Signal::derive(move || errors.with(|e| message_for(e, "code")));

    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <Caption/>
                <h1 tabindex="-1">"Enter your registration code"</h1>
                <ContinueWithNhsLogin from="register"/>
                {if from_link.is_some() {
                    view! { <p>"We have filled in the code from your invitation. Check it and continue."</p> }.into_any()
                } else {
                    view! { <p>"The code is in the letter, text message or email your clinical team sent you."</p> }
                        .into_any()
                }}
                <form on:submit=submit novalidate>
                    <TextInput
                        id="code"
                        label="Registration code"
                        hint="12 letters and numbers, like 7KQM-2XRD-93TB"
                        value=code
                        error=code_error
                        autocomplete="off"
                        no_spellcheck=true
                        class="nhsuk-input--width-20 portico-code-input"
                    />
                    <Button>"Continue"</Button>
                </form>
                <p>"Already registered? "<Link href="/sign-in">"Sign in"</Link></p>
            </div>
        </div>
    }
}
