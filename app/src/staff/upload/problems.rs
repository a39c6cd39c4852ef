//! The rows of an upload that will not be imported, a page at a time: row
//! number as a spreadsheet shows it, the column, and why.

use leptos::prelude::*;
use portico_types::api::CsvImportView;

use super::{count, import_href};
use crate::pagination::Pagination;
use crate::table::{ResponsiveTable, TableRow};

/// "Whole row" for a problem that is not one column's.
fn column_text(column: Option<&str>) -> String {
    column.map_or_else(|| "Whole row".to_owned(), str::to_owned)
}

#[component]
pub fn Problems(upload: CsvImportView) -> impl IntoView {
    let pages = u32::try_from(upload.problems_total.div_ceil(u64::from(upload.page_size.max(1)))).unwrap_or(u32::MAX);
    let page = upload.page;
    let href = {
        let (team, id) = (upload.team_id.clone(), upload.id.clone());
        move |n: u32| import_href(&team, &id, n)
    };
    let previous = (page > 1).then(|| (href(page - 1), format!("{} of {pages}", page - 1)));
    let next = (page < pages).then(|| (href(page + 1), format!("{} of {pages}", page + 1)));
    let rows = upload
        .problems
        .into_iter()
        .map(|p| TableRow { href: None, cells: vec![p.row.to_string(), column_text(p.column.as_deref()), p.message] })
        .collect();
    let shown = if pages > 1 {
        format!("Page {page} of {pages} of {}.", count(upload.problems_total, "problem", "problems"))
    } else {
        format!("{}.", count(upload.problems_total, "problem", "problems"))
    };
    view! {
        <h2 id="problems">{count(upload.bad_rows, "row has a problem", "rows have problems")}</h2>
        <p>
            "These rows will not be imported. Correct them in the file and upload it again. Row 1 is the header, "
            "so the row numbers are the ones your spreadsheet shows."
        </p>
        <p class="nhsuk-body-s">{shown}</p>
        <ResponsiveTable caption="Rows with problems".to_owned() headings=&["Row", "Column", "Problem"] rows=rows/>
        {(pages > 1).then(|| view! { <Pagination previous=previous next=next/> })}
    }
}
