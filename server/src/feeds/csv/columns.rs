//! The columns of a patients CSV and the header row that names them.
//!
//! A header is matched loosely on case, spaces and punctuation (`NHS Number`,
//! `nhs-number` and `NHS_NUMBER` are all `nhs_number`), but a column Portico
//! does not know is refused rather than ignored: data a person meant to send
//! must not silently go nowhere.

use csv::StringRecord;

/// A column Portico reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    NhsNumber,
    GivenName,
    FamilyName,
    DateOfBirth,
    Email,
    Mobile,
    AddressLine1,
    AddressLine2,
    AddressLine3,
    AddressLine4,
    Postcode,
    GpOdsCode,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::NhsNumber,
        Column::GivenName,
        Column::FamilyName,
        Column::DateOfBirth,
        Column::Email,
        Column::Mobile,
        Column::AddressLine1,
        Column::AddressLine2,
        Column::AddressLine3,
        Column::AddressLine4,
        Column::Postcode,
        Column::GpOdsCode,
    ];

    /// The name the template and the documentation use.
    pub fn name(self) -> &'static str {
        match self {
            Column::NhsNumber => "nhs_number",
            Column::GivenName => "given_name",
            Column::FamilyName => "family_name",
            Column::DateOfBirth => "date_of_birth",
            Column::Email => "email",
            Column::Mobile => "mobile",
            Column::AddressLine1 => "address_line_1",
            Column::AddressLine2 => "address_line_2",
            Column::AddressLine3 => "address_line_3",
            Column::AddressLine4 => "address_line_4",
            Column::Postcode => "postcode",
            Column::GpOdsCode => "gp_ods_code",
        }
    }

    /// Whether every file must have the column. `nhs_number` must be there,
    /// though a row may leave it blank (the record is then matched on name,
    /// date of birth and postcode).
    pub fn required(self) -> bool {
        matches!(self, Column::NhsNumber | Column::GivenName | Column::FamilyName | Column::DateOfBirth)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The column a header cell names, ignoring case, spaces and punctuation.
    pub fn from_header(text: &str) -> Option<Column> {
        let key = loose(text);
        Column::ALL.into_iter().find(|c| loose(c.name()) == key)
    }
}

/// Letters and digits only, lower case: `Address line 1` and `address_line_1` meet.
fn loose(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The spreadsheet letter of a 0-based column position: A, B, … Z, AA, AB, …
pub fn letter(position: usize) -> String {
    let mut n = position + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Where each known column is in the file, and what the file calls it.
#[derive(Debug, Clone)]
pub struct Header {
    positions: [Option<usize>; 12],
    labels: [String; 12],
    width: usize,
}

impl Header {
    /// Reads the header row, or says everything wrong with it at once.
    pub fn read(record: &StringRecord) -> Result<Header, Vec<String>> {
        let mut positions = [None; 12];
        let mut labels: [String; 12] = Default::default();
        let mut problems = Vec::new();
        if record.len() == 1 {
            let only = record.get(0).unwrap_or("");
            for (separator, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")] {
                if only.contains(separator) {
                    problems.push(format!(
                        "The values are separated by {name}, not commas. Save the file as \
                         \u{201c}CSV UTF-8 (Comma delimited)\u{201d} and upload it again."
                    ));
                    return Err(problems);
                }
            }
        }
        for (position, raw) in record.iter().enumerate() {
            let text = raw.trim();
            let at = letter(position);
            if text.is_empty() {
                problems.push(format!("Column {at} has no name in the header row. Name it, or delete the column."));
                continue;
            }
            match Column::from_header(text) {
                Some(column) if positions[column.index()].is_some() => {
                    let first = positions[column.index()].map(letter).unwrap_or_default();
                    problems.push(format!(
                        "Columns {first} and {at} are both {}. Keep one of them.",
                        column.name()
                    ));
                }
                Some(column) => {
                    positions[column.index()] = Some(position);
                    labels[column.index()] = text.to_owned();
                }
                None => problems.push(format!(
                    "Column {at}, \u{201c}{}\u{201d}, is not a column Portico reads. Remove it, or rename it to one of: {}.",
                    shorten(text),
                    Column::ALL.map(Column::name).join(", ")
                )),
            }
        }
        for column in Column::ALL.into_iter().filter(|c| c.required() && positions[c.index()].is_none()) {
            let blank = if column == Column::NhsNumber { " (a row may leave it blank)" } else { "" };
            problems.push(format!("The header row has no {} column. Add it{blank}.", column.name()));
        }
        if problems.is_empty() { Ok(Header { positions, labels, width: record.len() }) } else { Err(problems) }
    }

    /// How many columns the header has.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The value of `column` in `record`: empty when the file has no such column.
    pub fn get<'r>(&self, record: &'r StringRecord, column: Column) -> &'r str {
        self.positions[column.index()].and_then(|p| record.get(p)).unwrap_or("")
    }

    /// What the file calls `column` (the name itself if the file lacks it).
    pub fn label(&self, column: Column) -> &str {
        let label = &self.labels[column.index()];
        if label.is_empty() { column.name() } else { label }
    }
}

/// A header cell as quoted back in a message: at most 40 characters, no controls.
fn shorten(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > 40 { format!("{}…", clean.chars().take(40).collect::<String>()) } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Result<Header, Vec<String>> {
        Header::read(&StringRecord::from(cells.to_vec()))
    }

    #[test]
    fn the_upload_page_describes_these_columns() {
        let here: Vec<(&str, bool)> = Column::ALL.iter().map(|c| (c.name(), c.required())).collect();
        assert_eq!(here, portico_types::api::PATIENT_CSV_COLUMNS);
    }

    #[test]
    fn case_spaces_and_punctuation_do_not_matter() {
        let h = header(&["NHS Number", "Given-Name", "FAMILY_NAME", " date of birth ", "Address Line 1"]).unwrap();
        let row = StringRecord::from(vec!["9434765919", "Ann", "Lee", "1980-01-02", "1 High St"]);
        assert_eq!(h.get(&row, Column::NhsNumber), "9434765919");
        assert_eq!(h.get(&row, Column::AddressLine1), "1 High St");
        assert_eq!(h.get(&row, Column::Postcode), "");
        assert_eq!(h.label(Column::DateOfBirth), "date of birth");
        assert_eq!(h.label(Column::Email), "email");
    }

    #[test]
    fn missing_unknown_blank_and_repeated_columns_are_all_named() {
        let problems = header(&["nhs_number", "given_name", "notes", "", "Given Name"]).unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems[0].contains("Column C, “notes”"));
        assert!(problems[1].contains("Column D has no name"));
        assert!(problems[2].contains("Columns B and E are both given_name"));
        assert!(problems[3].contains("no family_name column"));
        assert!(problems[4].contains("no date_of_birth column"));
    }

    #[test]
    fn other_separators_are_recognised() {
        let problems = header(&["nhs_number;given_name;family_name;date_of_birth"]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("semicolons"));
    }

    #[test]
    fn spreadsheet_letters() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }
}
