//! The NHS.UK page frame every Portico page sits in: skip link, header,
//! main content area and footer, in the markup of nhsuk-frontend's templates
//! so its stylesheet applies unchanged.

use leptos::prelude::*;

use crate::page::focus_selector;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "maincontent";

/// The whole page frame around one bundle's routes.
///
/// `home` is where the logo and service name lead. `account` fills the
/// header's account area (who is signed in, sign out) when there is one.
#[component]
pub fn Shell(
    service: &'static str,
    home: &'static str,
    #[prop(optional)] account: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    view! {
        <SkipLink/>
        <Header service=service home=home account=account/>
        <div class="nhsuk-width-container">
            // tabindex lets the skip link put focus here, not only scroll.
            <main class="nhsuk-main-wrapper" id=MAIN_ID tabindex="-1">
                {children()}
            </main>
        </div>
        <Footer/>
    }
}

/// The first focusable element of every page (WCAG 2.4.1).
#[component]
fn SkipLink() -> impl IntoView {
    // The handler sits on the link, so it runs before the router's window-level
    // click handler, which would treat the `#` link as a navigation and not move focus.
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        focus_selector(&format!("#{MAIN_ID}"));
    };
    view! {
        <a class="nhsuk-skip-link" href=format!("#{MAIN_ID}") on:click=skip>
            "Skip to main content"
        </a>
    }
}

#[component]
fn Header(service: &'static str, home: &'static str, account: Option<ViewFn>) -> impl IntoView {
    view! {
        <header class="nhsuk-header" role="banner">
            <div class="nhsuk-header__container nhsuk-width-container">
                <div class="nhsuk-header__service">
                    <a
                        class="nhsuk-header__service-logo"
                        href=home
                        aria-label=format!("NHS {service} homepage")
                    >
                        <NhsLogo/>
                        <span class="nhsuk-header__service-name">{service}</span>
                    </a>
                </div>
                {account.map(|account| account.run())}
            </div>
        </header>
    }
}

/// The header's account area: who is signed in, and a sign-out button.
///
/// `switch` is a link (address, words) to the person's other side of
/// Portico: a professional who also has a record moves between their record
/// and the staff pages. The two are different bundles, so it is a page load.
#[component]
pub fn AccountNav(
    #[prop(into)] name: Signal<String>,
    on_sign_out: Callback<()>,
    #[prop(optional_no_strip)] switch: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_sign_out.run(());
    };
    view! {
        <nav class="nhsuk-header__account" aria-label="Account">
            <ul class="nhsuk-header__account-list">
                <li class="nhsuk-header__account-item">
                    <UserIcon/>
                    {name}
                </li>
                {switch.map(|(href, text)| view! {
                    <li class="nhsuk-header__account-item">
                        // rel=external: the router leaves it to the browser, a page load.
                        <a class="nhsuk-header__account-link" href=href rel="external">{text}</a>
                    </li>
                })}
                <li class="nhsuk-header__account-item">
                    <form class="nhsuk-header__account-form" on:submit=submit novalidate>
                        <button class="nhsuk-header__account-button" type="submit">
                            "Sign out"
                        </button>
                    </form>
                </li>
            </ul>
        </nav>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="nhsuk-footer" role="contentinfo">
            <div class="nhsuk-width-container">
                <div class="nhsuk-footer__meta">
                    <p class="nhsuk-body-s">"© Portico"</p>
                </div>
            </div>
        </footer>
    }
}

/// The NHS logo, as the header shows it (the kiosk's frame too).
#[component]
pub fn NhsLogo() -> impl IntoView {
    view! {
        <svg
            class="nhsuk-header__logo"
            xmlns="http://www.w3.org/2000/svg"
            viewBox="0 0 200 80"
            height="40"
            width="100"
            focusable="false"
            role="img"
            aria-label="NHS"
        >
            <title>"NHS"</title>
            <path
                fill="currentcolor"
                d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"
            ></path>
        </svg>
    }
}

#[component]
fn UserIcon() -> impl IntoView {
    view! {
        <svg
            class="nhsuk-icon nhsuk-icon--user"
            xmlns="http://www.w3.org/2000/svg"
            viewBox="0 0 24 24"
            width="16"
            height="16"
            focusable="false"
            aria-hidden="true"
        >
            <path d="M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4 0 0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z"></path>
        </svg>
    }
}
