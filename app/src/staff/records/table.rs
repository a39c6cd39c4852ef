//! The records table: name, NHS number (3 3 4) and date of birth (long
//! form). Each name opens the record, remembering the search it was found by.

use leptos::prelude::*;
use portico_types::api::RecordSummary;

use super::SearchPlace;
use crate::staff::record::record_href;
use crate::table::{ResponsiveTable, TableRow};

const HEADINGS: [&str; 3] = ["Name", "NHS number", "Date of birth"];

/// One row per record.
#[component]
pub fn RecordsTable(team_name: String, records: Vec<RecordSummary>, place: SearchPlace) -> impl IntoView {
    let from = place.query();
    let rows = records
        .into_iter()
        .map(|record| TableRow {
            href: Some(record_href(&record.id, Some(&from))),
            cells: vec![
                format!("{}, {}", record.family_name, record.given_name),
                record.nhs_number.map_or_else(|| "Not known".to_owned(), |n| n.formatted()),
                record.date_of_birth.long(),
            ],
        })
        .collect();
    view! { <ResponsiveTable caption=format!("Records of {team_name}") headings=&HEADINGS rows=rows/> }
}
