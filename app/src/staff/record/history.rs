//! How the record changed: each version, when, who or what made it, and
//! which details it changed, in NHS.UK's responsive table.

use leptos::prelude::*;
use portico_types::api::{RecordHistoryResponse, RecordVersionView};

use crate::api::ApiError;
use crate::dates::local_long_date_time;
use crate::table::{ResponsiveTable, TableRow};

const HEADINGS: [&str; 4] = ["Version", "Date", "Changed by", "What changed"];

/// A detail's name as it reads inside a sentence.
fn field_words(field: &str) -> String {
    match field {
        "nhs_number" => "NHS number".to_owned(),
        "given_name" => "first name".to_owned(),
        "family_name" => "last name".to_owned(),
        "date_of_birth" => "date of birth".to_owned(),
        "email" => "email address".to_owned(),
        "mobile" => "mobile number".to_owned(),
        "address_lines" => "address".to_owned(),
        "postcode" => "postcode".to_owned(),
        "gp_ods_code" => "GP practice".to_owned(),
        other => other.replace('_', " "),
    }
}

/// "Record created", "Address, postcode and GP practice".
fn what_changed(version: &RecordVersionView) -> String {
    if version.version == 1 {
        return "Record created".to_owned();
    }
    let words: Vec<String> = version.changed_fields.iter().map(|f| field_words(f)).collect();
    let sentence = match words.as_slice() {
        [] => return "Details updated".to_owned(),
        [one] => one.clone(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    };
    let mut chars = sentence.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The history section; `history` failing leaves the rest of the page standing.
#[component]
pub fn History(history: Result<RecordHistoryResponse, ApiError>) -> impl IntoView {
    view! {
        <h2>"History of changes"</h2>
        {match history {
            Ok(answer) if answer.versions.is_empty() => {
                view! { <p>"No changes have been recorded for this record."</p> }.into_any()
            }
            Ok(answer) => view! { <Versions answer=answer/> }.into_any(),
            Err(_) => view! { <p>"The history could not be loaded. Refresh the page to try again."</p> }.into_any(),
        }}
    }
}

#[component]
fn Versions(answer: RecordHistoryResponse) -> impl IntoView {
    let shown = answer.versions.len();
    let more =
        (answer.total > shown as u64).then(|| format!("Showing the {shown} most recent of {} versions.", answer.total));
    let rows = answer
        .versions
        .iter()
        .map(|version| TableRow {
            href: None,
            cells: vec![
                version.version.to_string(),
                local_long_date_time(&version.changed_at),
                version.changed_by.clone(),
                what_changed(version),
            ],
        })
        .collect();
    view! {
        {more.map(|more| view! { <p>{more}</p> })}
        <ResponsiveTable caption="Versions of this record, newest first".to_owned() headings=&HEADINGS rows=rows/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(n: i64, fields: &[&str]) -> RecordVersionView {
        RecordVersionView {
            version: n,
            changed_at: "2026-11-25T09:00:00.000000Z".into(),
            source: "fhir".into(),
            changed_by: "FHIR feed (PAS)".into(),
            changed_fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn changes_read_as_a_sentence() {
        assert_eq!(what_changed(&version(1, &[])), "Record created");
        assert_eq!(what_changed(&version(2, &["family_name"])), "Last name");
        assert_eq!(
            what_changed(&version(3, &["address_lines", "postcode", "gp_ods_code"])),
            "Address, postcode and GP practice"
        );
        assert_eq!(what_changed(&version(4, &["nhs_number", "email"])), "NHS number and email address");
        assert_eq!(what_changed(&version(5, &["pronouns"])), "Pronouns");
        assert_eq!(what_changed(&version(6, &[])), "Details updated");
    }
}
