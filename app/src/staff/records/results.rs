//! What a search found: the count, the table or an empty state, and the
//! links to the previous and next pages.

use leptos::prelude::*;
use portico_types::api::RecordSearchResponse;

use super::table::RecordsTable;
use super::{SearchPlace, records_href};
use crate::pagination::Pagination;

/// The count, the table or the empty state, and the way to other pages.
#[component]
pub fn Results(answer: RecordSearchResponse, q: Option<String>) -> impl IntoView {
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
            let place = SearchPlace { team_id: team.id.clone(), q: q.clone(), page };
            view! { <RecordsTable team_name=team.name records=records place=place/> }.into_any()
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
