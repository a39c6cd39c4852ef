//! The NHS.UK pagination links (previous and next only).

use leptos::prelude::*;

/// Links to the previous and next pages, each present only when that page
/// exists; `label` says which page each leads to, like "2 of 5".
#[component]
pub fn Pagination(
    #[prop(into)] previous: Signal<Option<(String, String)>>,
    #[prop(into)] next: Signal<Option<(String, String)>>,
) -> impl IntoView {
    view! {
        <nav class="nhsuk-pagination" role="navigation" aria-label="Pagination">
            <ul class="nhsuk-list nhsuk-pagination__list">
                {move || previous.get().map(|(href, label)| view! {
                    <li class="nhsuk-pagination-item--previous">
                        <a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=href rel="prev">
                            <span class="nhsuk-pagination__title">
                                "Previous"<span class="nhsuk-u-visually-hidden">" page"</span>
                            </span>
                            <span class="nhsuk-u-visually-hidden">":"</span>
                            <span class="nhsuk-pagination__page">{label}</span>
                            <Arrow path="M10.7 6.3c.4.4.4 1 0 1.4L7.4 11H19a1 1 0 0 1 0 2H7.4l3.3 3.3c.4.4.4 1 0 1.4a1 1 0 0 1-1.4 0l-5-5A1 1 0 0 1 4 12c0-.3.1-.5.3-.7l5-5a1 1 0 0 1 1.4 0Z" name="arrow-left"/>
                        </a>
                    </li>
                })}
                {move || next.get().map(|(href, label)| view! {
                    <li class="nhsuk-pagination-item--next">
                        <a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=href rel="next">
                            <span class="nhsuk-pagination__title">
                                "Next"<span class="nhsuk-u-visually-hidden">" page"</span>
                            </span>
                            <span class="nhsuk-u-visually-hidden">":"</span>
                            <span class="nhsuk-pagination__page">{label}</span>
                            <Arrow path="m14.7 6.3 5 5c.2.2.3.4.3.7 0 .3-.1.5-.3.7l-5 5a1 1 0 0 1-1.4-1.4l3.3-3.3H5a1 1 0 0 1 0-2h11.6l-3.3-3.3a1 1 0 1 1 1.4-1.4Z" name="arrow-right"/>
                        </a>
                    </li>
                })}
            </ul>
        </nav>
    }
}

#[component]
fn Arrow(path: &'static str, name: &'static str) -> impl IntoView {
    view! {
        <svg
            class=format!("nhsuk-icon nhsuk-icon--{name}")
            xmlns="http://www.w3.org/2000/svg"
            viewBox="0 0 24 24"
            width="16"
            height="16"
            focusable="false"
            aria-hidden="true"
        >
            <path d=path></path>
        </svg>
    }
}
