//! The records table, in NHS.UK's responsive pattern: a table on wide
//! screens, one card per record at 320 px, each value with its heading.

use leptos::prelude::*;
use portico_types::api::RecordSummary;

const HEADINGS: [&str; 3] = ["Name", "NHS number", "Date of birth"];

/// One row per record: name, NHS number (3 3 4) and date of birth (long form).
#[component]
pub fn RecordsTable(team_name: String, records: Vec<RecordSummary>) -> impl IntoView {
    view! {
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">
                "Records of "{team_name}
            </caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {HEADINGS.map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{h}</th>
                    })}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {records.into_iter().map(|record| view! { <Row record=record/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(record: RecordSummary) -> impl IntoView {
    let name = format!("{}, {}", record.family_name, record.given_name);
    let nhs_number = record.nhs_number.map_or_else(|| "Not known".to_owned(), |n| n.formatted());
    let values = [name, nhs_number, record.date_of_birth.long()];
    view! {
        <tr class="nhsuk-table__row" role="row">
            {HEADINGS.into_iter().zip(values).map(|(heading, value)| view! {
                <td class="nhsuk-table__cell" role="cell">
                    // Shown only at narrow widths, where the header row is hidden.
                    <span class="nhsuk-table__heading" aria-hidden="true">{heading}" "</span>
                    {value}
                </td>
            }).collect_view()}
        </tr>
    }
}
