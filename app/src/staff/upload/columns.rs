//! What a patients CSV must hold, told before the admin chooses a file: the
//! columns, which are needed, the forms of each value, and a template.

use leptos::prelude::*;
use portico_types::api::PATIENT_CSV_COLUMNS;

use crate::table::{ResponsiveTable, TableRow};

/// What goes in a column, in words an admin preparing an extract can act on.
fn described(column: &str) -> &'static str {
    match column {
        "nhs_number" => {
            "10 digits, spaces allowed. May be blank: the record is then matched on name, date of birth and postcode"
        }
        "given_name" => "First name",
        "family_name" => "Last name",
        "date_of_birth" => "For example 1984-03-15 or 15/03/1984",
        "email" => "Email address",
        "mobile" => "UK mobile number, for example 07700 900123",
        "address_line_1" => "First line of the postal address",
        "address_line_2" | "address_line_3" | "address_line_4" => "Further lines of the address",
        "postcode" => "For example LS1 4AP",
        "gp_ods_code" => "ODS code of the patient's GP practice, for example B86001",
        _ => "",
    }
}

/// The header row of the template: every column, in order.
fn template_header() -> String {
    PATIENT_CSV_COLUMNS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(",")
}

/// An expander with the columns and a link to download the template.
#[component]
pub fn ColumnsHelp() -> impl IntoView {
    let rows = PATIENT_CSV_COLUMNS
        .iter()
        .map(|(name, required)| TableRow {
            href: None,
            cells: vec![
                (*name).to_owned(),
                if *required { "Yes" } else { "No" }.to_owned(),
                described(name).to_owned(),
            ],
        })
        .collect();
    let template =
        format!("data:text/csv;charset=utf-8,{}", js_sys::encode_uri_component(&(template_header() + "\r\n")));
    view! {
        <details class="nhsuk-details">
            <summary class="nhsuk-details__summary">
                <span class="nhsuk-details__summary-text">"What the file must contain"</span>
            </summary>
            <div class="nhsuk-details__text">
                <p>
                    "A CSV file saved as UTF-8, with a header row naming its columns. Columns can be in any order; "
                    "case, spaces and punctuation in the names do not matter. A column not listed here is refused, "
                    "so that nothing you meant to send is left out without you knowing."
                </p>
                <ResponsiveTable
                    caption="Columns of a patients file".to_owned()
                    headings=&["Column", "Needed", "What it holds"]
                    rows=rows
                />
                <p>
                    <a href=template download="portico-patients-template.csv">
                        "Download a template CSV file"
                    </a>
                </p>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_described() {
        for (name, _) in PATIENT_CSV_COLUMNS {
            assert!(!described(name).is_empty(), "{name} has no description");
        }
    }

    #[test]
    fn the_template_names_every_column_in_order() {
        assert!(template_header().starts_with("nhs_number,given_name,family_name,date_of_birth,"));
        assert_eq!(template_header().split(',').count(), PATIENT_CSV_COLUMNS.len());
    }
}
