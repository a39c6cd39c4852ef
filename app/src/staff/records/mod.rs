//! `/staff/teams/:team_id`: a team's records, searched and paged.
//!
//! The search text and the page number live in the address (`?q=…&page=…`),
//! so back, forward and refresh show the same results, and a search is a link
//! that can be shared with a colleague who has access to the same team.

mod search;
mod table;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use portico_types::api::RecordSearchResponse;

use super::session::sign_in_on_unauthorised;
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{self, ErrorItem, ErrorSummary};
use crate::page::{focus_heading, show_page};
use crate::pagination::Pagination;

/// The address of one page of a team's records.
pub fn records_href(team_id: &str, q: Option<&str>, page: u32) -> String {
    let team: String = js_sys::encode_uri_component(team_id).into();
    let mut href = format!("{HOME_PATH}/teams/{team}");
    let mut sep = '?';
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        let q: String = js_sys::encode_uri_component(q.trim()).into();
        href.push_str(&format!("{sep}q={q}"));
        sep = '&';
    }
    if page > 1 {
        href.push_str(&format!("{sep}page={page}"));
    }
    href
}

/// The records page: search box, result count, table and pagination.
#[component]
pub fn TeamRecords() -> impl IntoView {
    show_page("Team records", SERVICE);
    let params = use_params_map();
    let query = use_query_map();
    let team_id = Memo::new(move |_| params.with(|p| p.get("team_id")).unwrap_or_default());
    let q = Memo::new(move |_| query.with(|p| p.get("q")).filter(|q| !q.trim().is_empty()));
    let page = Memo::new(move |_| {
        query.with(|p| p.get("page")).and_then(|n| n.parse::<u32>().ok()).filter(|n| *n >= 1).unwrap_or(1)
    });

    let results = LocalResource::new(move || {
        let (team, q, page) = (team_id.get(), q.get(), page.get());
        async move { api::team_records(&team, q.as_deref(), page).await }
    });
    sign_in_on_unauthorised(results);

    // A search the server could not read (422) is an error on the search box.
    let errors = Signal::derive(move || {
        results.with(|r| match r {
            Some(Err(ApiError::Refused(p))) if p.status == 422 => {
                let mut items = forms::from_problem(p, &["q"]);
                if items.is_empty() {
                    items.push(ErrorItem::field("q", p.detail.clone().unwrap_or_else(|| p.title.clone())));
                }
                items
            }
            _ => Vec::new(),
        })
    });
    // Kept from the last answer that had it: a refused search has no team.
    let team_name = Memo::new(move |before: Option<&Option<String>>| {
        results.with(|r| match r {
            Some(Ok(answer)) => Some(answer.team.name.clone()),
            _ => before.cloned().flatten(),
        })
    });
    // Previous/next replace the links that were pressed: focus goes to the
    // heading, as on a new page, rather than being lost to the body. A new
    // search keeps focus in the form, and the result count is announced.
    Effect::new(move |seen: Option<(Option<String>, u32)>| {
        let now = (q.get(), page.get());
        if seen.is_some_and(|(seen_q, seen_page)| seen_q == now.0 && seen_page != now.1) {
            request_animation_frame(focus_heading);
        }
        now
    });
    Effect::new(move |_| {
        if let Some(name) = team_name.get() {
            document().set_title(&format!("{name} – {SERVICE}"));
        }
    });

    view! {
        <a class="nhsuk-back-link" href=HOME_PATH>"Back to your teams"</a>
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">{move || team_name.get().unwrap_or_else(|| "Team records".to_owned())}</h1>
        <search::SearchForm team_id=team_id q=q errors=errors/>
        {move || match results.get() {
            None => view! { <p role="status">"Loading records…"</p> }.into_any(),
            Some(Ok(answer)) => view! { <Results answer=answer q=q.get_untracked()/> }.into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(ApiError::Refused(p))) if p.status == 422 => ().into_any(),
            Some(Err(error)) => view! {
                <p role="status">{error.message()}</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
        }}
    }
}

/// The count, the table or the empty state, and the way to other pages.
#[component]
fn Results(answer: RecordSearchResponse, q: Option<String>) -> impl IntoView {
    let RecordSearchResponse { team, records, total, page, page_size, .. } = answer;
    let pages = u32::try_from(total.div_ceil(u64::from(page_size.max(1)))).unwrap_or(u32::MAX);
    let href = {
        let (team_id, q) = (team.id.clone(), q.clone());
        move |n: u32| records_href(&team_id, q.as_deref(), n)
    };
    let previous = (page > 1).then(|| (href(page - 1), format!("{} of {pages}", page - 1)));
    let next = (page < pages).then(|| (href(page + 1), format!("{} of {pages}", page + 1)));
    let count = count_sentence(total, q.as_deref());
    view! {
        // role=status: after a search, focus stays in the form and this is announced.
        <p class="nhsuk-body" role="status">{count}</p>
        {if records.is_empty() {
            view! { <EmptyState searched=q.is_some() page=page/> }.into_any()
        } else {
            view! { <table::RecordsTable team_name=team.name records=records/> }.into_any()
        }}
        {(pages > 1).then(|| view! { <Pagination previous=previous next=next/> })}
    }
}

#[component]
fn EmptyState(searched: bool, page: u32) -> impl IntoView {
    if page > 1 {
        view! { <p>"There are no records on this page."</p> }.into_any()
    } else if searched {
        view! {
            <p>"Check the spelling, or search by NHS number or date of birth instead."</p>
        }
        .into_any()
    } else {
        view! { <p>"Records appear here when staff add them or a data feed sends them."</p> }.into_any()
    }
}

/// "3 records found for ‘smith’", "No records", "1 record".
fn count_sentence(total: u64, q: Option<&str>) -> String {
    let records = match total {
        0 => "No records".to_owned(),
        1 => "1 record".to_owned(),
        n => format!("{n} records"),
    };
    match q {
        Some(q) => format!("{records} found for ‘{q}’"),
        None => records,
    }
}

#[cfg(test)]
mod tests {
    use super::count_sentence;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count_sentence(0, None), "No records");
        assert_eq!(count_sentence(1, None), "1 record");
        assert_eq!(count_sentence(12, Some("smith")), "12 records found for ‘smith’");
    }
}
