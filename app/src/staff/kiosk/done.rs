//! How a check-in ends: an invitation sent or shown, or a way on that
//! is not this kiosk. None of them says anything of the record.

use leptos::prelude::*;
use portico_types::api::{KioskInvitation, KioskInviteVia};
use portico_types::problem::Problem;

use super::SERVICE;
use crate::dates::local_long_date_time;
use crate::page::show_page;

/// A text message or an email is on its way.
#[component]
pub fn Sent(via: KioskInviteVia) -> impl IntoView {
    let (title, what, whereto) = match via {
        KioskInviteVia::Email => ("We have sent you an email", "email", "the email address"),
        _ => ("We have sent you a text message", "text message", "the mobile number"),
    };
    show_page(title, SERVICE);
    view! {
        <div class="nhsuk-panel portico-kiosk__panel">
            <h1 class="nhsuk-panel__title" tabindex="-1">{title}</h1>
            <div class="nhsuk-panel__body">{format!("It went to {whereto} your clinic has for you.")}</div>
        </div>
        <p class="nhsuk-body-l">
            {format!("Open the {what} on your phone and follow the link to register. You will need your date of birth.")}
        </p>
        <p>"If it does not arrive in a few minutes, ask at reception."</p>
    }
}

/// The code and its QR code, to register on the patient's own phone. The
/// screen starts again after a minute, taking the code with it.
#[component]
pub fn OnScreen(invitation: KioskInvitation) -> impl IntoView {
    show_page("Scan this with your phone's camera", SERVICE);
    let code = invitation.code.unwrap_or_default();
    let spelled = code.chars().map(String::from).collect::<Vec<_>>().join(" ");
    let register = window().location().origin().map(|origin| format!("{origin}/register")).unwrap_or_default();
    let until = local_long_date_time(&invitation.expires_at);
    view! {
        <h1 tabindex="-1">"Scan this with your phone's camera"</h1>
        <p class="nhsuk-body-l">"It opens the page to register on your phone, with your code filled in."</p>
        {invitation.qr_svg.map(|svg| view! {
            <div class="portico-qr portico-kiosk__qr" role="img" aria-label="QR code of your registration link" inner_html=svg></div>
        })}
        <h2>"Or type the code"</h2>
        <p>"On your phone, go to " <strong class="portico-break-anywhere">{register}</strong> " and enter:"</p>
        <p class="portico-code portico-kiosk__code" aria-label=format!("Registration code {spelled}")>{code}</p>
        <p>{format!("The code works once, with your date of birth, until {until}.")}</p>
        <p>"When you have finished, press Start again, so the next person cannot see your code."</p>
    }
}

#[component]
pub fn AlreadyRegistered() -> impl IntoView {
    show_page("You are already registered", SERVICE);
    view! {
        <h1 tabindex="-1">"You are already registered"</h1>
        <p class="nhsuk-body-l">"Sign in on your phone to see your health record."</p>
        <p>"If you have forgotten your password, you can reset it on the sign-in page."</p>
    }
}

/// Not found, more than one record, or one that cannot be invited here:
/// one and the same page.
#[component]
pub fn NotFound() -> impl IntoView {
    show_page("We could not find you", SERVICE);
    view! {
        <h1 tabindex="-1">"We could not find you"</h1>
        <p class="nhsuk-body-l">"Please check in at reception."</p>
    }
}

/// Too many wrong tries for one person: reception takes over.
#[component]
pub fn AskAtReception() -> impl IntoView {
    show_page("Please ask at reception", SERVICE);
    view! {
        <h1 tabindex="-1">"Please ask at reception"</h1>
        <p class="nhsuk-body-l">"We could not check you in here. The team at reception can help you."</p>
    }
}

#[component]
pub fn TimedOut() -> impl IntoView {
    show_page("Your check-in has timed out", SERVICE);
    view! {
        <h1 tabindex="-1">"Your check-in has timed out"</h1>
        <p class="nhsuk-body-l">"Press Start again to check in."</p>
    }
}

/// The kiosk is switched off, or this device is not one: the server's words.
#[component]
pub fn Closed(problem: Problem) -> impl IntoView {
    show_page(&problem.title, SERVICE);
    let not_set_up = problem.kind == "kiosk-not-set-up";
    view! {
        <h1 tabindex="-1">{problem.title.clone()}</h1>
        <p class="nhsuk-body-l">{problem.detail.clone().unwrap_or_default()}</p>
        {not_set_up.then(|| view! {
            // rel=external: the staff console is another page load.
            <p><a href="/staff/sign-in" rel="external">"Staff sign in"</a></p>
        })}
    }
}

#[component]
pub fn Unavailable() -> impl IntoView {
    show_page("Sorry, there is a problem with the service", SERVICE);
    view! {
        <h1 tabindex="-1">"Sorry, there is a problem with the service"</h1>
        <p class="nhsuk-body-l">"Please check in at reception."</p>
    }
}
