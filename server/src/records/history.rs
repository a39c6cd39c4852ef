//! A record's history as staff read it: each version the store kept, who or
//! what made it in words a professional understands ("FHIR feed (Mirth ADT)",
//! not a key id), and which details it changed.
//!
//! Versions keep whole snapshots (see `store`); what changed is worked out
//! here by comparing each snapshot with the one before, so the store stays
//! simple and the comparison follows the snapshots' fields as they grow.

use std::collections::HashMap;

use portico_types::api::{RecordHistoryResponse, RecordVersionView};
use serde_json::{Map, Value};

use crate::db::Db;

/// The most versions one answer carries, newest first.
pub const MAX_VERSIONS: u32 = 50;

/// A record's details in the order a page lists them; a snapshot field not
/// named here (one added later) is listed after these, by name.
pub const FIELDS: [&str; 9] = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "email",
    "mobile",
    "address_lines",
    "postcode",
    "gp_ods_code",
];

/// Where a version came from, read from `record_versions.changed_by`
/// (`fhir:<feed key id>`, `csv:<account id>`, `hl7:<sending application>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Source<'a> {
    Fhir { key_id: &'a str },
    Csv { account_id: &'a str },
    Hl7 { application: &'a str },
    Other(&'a str),
}

impl<'a> Source<'a> {
    fn parse(changed_by: &'a str) -> Self {
        match changed_by.split_once(':') {
            Some(("fhir", key_id)) => Self::Fhir { key_id },
            Some(("csv", account_id)) => Self::Csv { account_id },
            Some(("hl7", application)) => Self::Hl7 { application },
            _ => Self::Other(changed_by),
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Self::Fhir { .. } => "fhir",
            Self::Csv { .. } => "csv",
            Self::Hl7 { .. } => "hl7",
            Self::Other(_) => "other",
        }
    }
}

/// The words for a source: the feed key's name, the uploader's name.
async fn describe(db: &Db, source: Source<'_>) -> Result<String, sqlx::Error> {
    Ok(match source {
        Source::Fhir { key_id } => {
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM feed_keys WHERE id = $1")
                .bind(key_id)
                .fetch_optional(&db.pool)
                .await?;
            name.map_or_else(|| "FHIR feed".to_owned(), |name| format!("FHIR feed ({name})"))
        }
        Source::Csv { account_id } => {
            let name: Option<String> = sqlx::query_scalar("SELECT display_name FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&db.pool)
                .await?;
            name.map_or_else(|| "CSV upload".to_owned(), |name| format!("CSV upload by {name}"))
        }
        Source::Hl7 { application } => format!("HL7 from {application}"),
        Source::Other(text) => text.to_owned(),
    })
}

/// The snapshot fields whose values differ between `before` and `after`
/// (a field missing from one of them counts as empty there).
pub fn changed_fields(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let value = |map: &Map<String, Value>, field: &str| map.get(field).filter(|v| !v.is_null()).cloned();
    let mut later: Vec<&String> = before.keys().chain(after.keys()).filter(|k| !FIELDS.contains(&k.as_str())).collect();
    later.sort();
    later.dedup();
    FIELDS
        .into_iter()
        .chain(later.into_iter().map(String::as_str))
        .filter(|field| value(before, field) != value(after, field))
        .map(str::to_owned)
        .collect()
}

fn snapshot(text: &str) -> anyhow::Result<Map<String, Value>> {
    match serde_json::from_str(text)? {
        Value::Object(map) => Ok(map),
        _ => anyhow::bail!("a record version's snapshot is not a JSON object"),
    }
}

/// The newest versions of `record_id` (at most [`MAX_VERSIONS`]), and how many there are.
pub async fn of_record(db: &Db, record_id: &str) -> anyhow::Result<RecordHistoryResponse> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record_versions WHERE record_id = $1")
        .bind(record_id)
        .fetch_one(&db.pool)
        .await?;
    // One more than shown: the oldest one shown is compared with the one before it.
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT version, changed_at, changed_by, snapshot FROM record_versions WHERE record_id = $1 \
         ORDER BY version DESC LIMIT $2",
    )
    .bind(record_id)
    .bind(i64::from(MAX_VERSIONS) + 1)
    .fetch_all(&db.pool)
    .await?;
    let snapshots = rows.iter().map(|(.., text)| snapshot(text)).collect::<anyhow::Result<Vec<_>>>()?;
    let mut words: HashMap<Source<'_>, String> = HashMap::new();
    let mut versions = Vec::with_capacity(rows.len());
    for (i, (version, changed_at, changed_by, _)) in rows.iter().enumerate().take(MAX_VERSIONS as usize) {
        let source = Source::parse(changed_by);
        let changed_by = match words.get(&source) {
            Some(known) => known.clone(),
            None => {
                let described = describe(db, source).await?;
                words.insert(source, described.clone());
                described
            }
        };
        let changed_fields = match (snapshots.get(i + 1), *version > 1) {
            (Some(before), true) => changed_fields(before, &snapshots[i]),
            _ => Vec::new(),
        };
        versions.push(RecordVersionView {
            version: *version,
            changed_at: changed_at.clone(),
            source: source.kind().to_owned(),
            changed_by,
            changed_fields,
        });
    }
    Ok(RecordHistoryResponse { versions, total: u64::try_from(total).unwrap_or(0) })
}

#[cfg(test)]
mod tests {
    use portico_types::{DateOfBirth, NhsNumber};
    use serde_json::json;

    use super::*;
    use crate::records::details::PatientDetails;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_field_list_is_the_snapshot_s_own() {
        let details = PatientDetails {
            nhs_number: NhsNumber::parse("9434765919").ok(),
            given_name: "Ann".into(),
            family_name: "Lee".into(),
            date_of_birth: DateOfBirth::from_stored("1980-01-01").unwrap(),
            email: None,
            mobile: None,
            address_lines: vec![],
            postcode: None,
            gp_ods_code: None,
        };
        let keys: Vec<String> = map(serde_json::to_value(details).unwrap()).keys().cloned().collect();
        let mut expected: Vec<String> = FIELDS.map(str::to_owned).to_vec();
        expected.sort();
        assert_eq!(keys, expected);
    }

    #[test]
    fn changes_are_listed_in_the_record_s_order() {
        let before = map(json!({ "given_name": "Ann", "family_name": "Lee", "postcode": null, "address_lines": [] }));
        let after =
            map(json!({ "given_name": "Ann", "family_name": "Li", "postcode": "LS1 5AB", "address_lines": ["1 Row"] }));
        assert_eq!(changed_fields(&before, &after), ["family_name", "address_lines", "postcode"]);
        assert!(changed_fields(&after, &after).is_empty());
    }

    #[test]
    fn a_missing_field_counts_as_empty_and_new_fields_come_last() {
        let before = map(json!({ "email": null }));
        let after = map(json!({ "pronouns": "they/them", "email": null, "mobile": "+447700900123" }));
        assert_eq!(changed_fields(&before, &after), ["mobile", "pronouns"]);
    }

    #[test]
    fn sources_are_read_from_their_prefix() {
        assert_eq!(Source::parse("fhir:k1"), Source::Fhir { key_id: "k1" });
        assert_eq!(Source::parse("csv:a:b"), Source::Csv { account_id: "a:b" });
        assert_eq!(Source::parse("hl7:PAS").kind(), "hl7");
        assert_eq!(Source::parse("demo"), Source::Other("demo"));
    }
}
