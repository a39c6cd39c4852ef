//! The NHS.UK responsive table: a table on wide screens, one card per row
//! at 320 px, where each value carries its heading (hidden from screen
//! readers, which read the real header cells).

use leptos::prelude::*;

/// One row: its values in column order, and where the first one links to, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub href: Option<String>,
    pub cells: Vec<String>,
}

/// A table with a (visually hidden) caption, one header per column, and rows of text.
#[component]
pub fn ResponsiveTable(caption: String, headings: &'static [&'static str], rows: Vec<TableRow>) -> impl IntoView {
    view! {
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{caption}</caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {headings.iter().map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {rows.into_iter().map(|row| view! { <Row headings=headings row=row/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(headings: &'static [&'static str], row: TableRow) -> impl IntoView {
    let TableRow { href, cells } = row;
    view! {
        <tr class="nhsuk-table__row" role="row">
            {headings.iter().zip(cells).enumerate().map(|(n, (heading, value))| {
                let link = if n == 0 { href.clone() } else { None };
                view! {
                    <td class="nhsuk-table__cell" role="cell">
                        // Shown only at narrow widths, where the header row is hidden.
                        <span class="nhsuk-table__heading" aria-hidden="true">{*heading}" "</span>
                        {match link {
                            Some(href) => view! { <a href=href>{value}</a> }.into_any(),
                            None => value.into_any(),
                        }}
                    </td>
                }
            }).collect_view()}
        </tr>
    }
}
