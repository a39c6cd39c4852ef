//! One CSV row into `PatientDetails`, with every bad cell named.

use csv::StringRecord;
use portico_types::{DateOfBirth, DateOfBirthError, EmailAddress, MobileNumber, NhsNumber, OdsCode, Postcode};
use time::Date;

use super::columns::{Column, Header};
use crate::records::details::{self, PatientDetails};

const ADDRESS: [Column; 4] = [Column::AddressLine1, Column::AddressLine2, Column::AddressLine3, Column::AddressLine4];

/// A date of birth as spreadsheets write it: `1984-03-15`, or the UK's
/// `15/03/1984` (day first; one-digit days and months allowed, the year in full).
pub fn date_of_birth(raw: &str, today: Date) -> Result<DateOfBirth, DateOfBirthError> {
    let raw = raw.trim();
    match raw.split('/').collect::<Vec<_>>().as_slice() {
        [day, month, year] => DateOfBirth::from_parts(day, month, year, today),
        _ => DateOfBirth::parse(raw, today),
    }
}

/// Keeps `Ok` values and records each `Err` against its column.
struct Cells<'h> {
    header: &'h Header,
    problems: Vec<(Column, String)>,
}

impl Cells<'_> {
    fn take<T, E: ToString>(&mut self, column: Column, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.problems.push((column, e.to_string()))).ok()
    }

    /// A column that may be blank: `None` when it is.
    fn optional<T, E: ToString>(
        &mut self,
        record: &StringRecord,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.header.get(record, column);
        if raw.trim().is_empty() { None } else { self.take(column, parse(raw)) }
    }
}

/// The patient a row describes, or each of its problems as (column, why).
pub fn patient(header: &Header, record: &StringRecord, today: Date) -> Result<PatientDetails, Vec<(Column, String)>> {
    let mut cells = Cells { header, problems: Vec::new() };
    let nhs_number = cells.optional(record, Column::NhsNumber, NhsNumber::parse);
    let given_name = cells.take(
        Column::GivenName,
        details::name("", "given name", header.get(record, Column::GivenName)).map_err(|e| e.message),
    );
    let family_name = cells.take(
        Column::FamilyName,
        details::name("", "family name", header.get(record, Column::FamilyName)).map_err(|e| e.message),
    );
    let date_of_birth = cells.take(Column::DateOfBirth, date_of_birth(header.get(record, Column::DateOfBirth), today));
    let email = cells.optional(record, Column::Email, EmailAddress::parse);
    let mobile = cells.optional(record, Column::Mobile, MobileNumber::parse);
    let mut address_lines = Vec::new();
    for column in ADDRESS {
        let line = details::address_lines("", [header.get(record, column)]).map_err(|e| e.message);
        address_lines.extend(cells.take(column, line).into_iter().flatten());
    }
    let postcode = cells.optional(record, Column::Postcode, Postcode::parse);
    let gp_ods_code = cells.optional(record, Column::GpOdsCode, OdsCode::parse);
    match (given_name, family_name, date_of_birth) {
        (Some(given_name), Some(family_name), Some(date_of_birth)) if cells.problems.is_empty() => Ok(PatientDetails {
            nhs_number,
            given_name,
            family_name,
            date_of_birth,
            email,
            mobile,
            address_lines,
            postcode,
            gp_ods_code,
        }),
        _ => Err(cells.problems),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 25);

    fn read(cells: &[&str]) -> Result<PatientDetails, Vec<(Column, String)>> {
        let header = Header::read(&StringRecord::from(Column::ALL.map(Column::name).to_vec())).unwrap();
        patient(&header, &StringRecord::from(cells.to_vec()), TODAY)
    }

    #[test]
    fn a_full_row_becomes_domain_values() {
        let p = read(&[
            "943 476 5919",
            " Mary  Ann ",
            "O'Brien",
            "15/3/1984",
            "Mary@Example.com",
            "07700 900123",
            "1 High Street",
            "",
            "Leeds",
            "",
            "ls1 4ap",
            "b86001",
        ])
        .unwrap();
        assert_eq!(p.nhs_number.unwrap().as_digits(), "9434765919");
        assert_eq!(p.given_name, "Mary Ann");
        assert_eq!(p.date_of_birth.iso(), "1984-03-15");
        assert_eq!(p.email.unwrap().as_str(), "mary@example.com");
        assert_eq!(p.mobile.unwrap().e164(), "+447700900123");
        assert_eq!(p.address_lines, ["1 High Street", "Leeds"]);
        assert_eq!(p.postcode.unwrap().as_str(), "LS1 4AP");
        assert_eq!(p.gp_ods_code.unwrap().as_str(), "B86001");
    }

    #[test]
    fn blank_optional_cells_are_none_and_the_nhs_number_may_be_blank() {
        let p = read(&["", "Ann", "Lee", "1984-03-15", "", "", "", "", "", "", "", ""]).unwrap();
        assert_eq!(p.nhs_number, None);
        assert_eq!(p.email, None);
        assert!(p.address_lines.is_empty());
    }

    #[test]
    fn every_bad_cell_is_named() {
        let problems =
            read(&["1234567890", "", "Lee", "31/02/1984", "not-an-email", "01132 123456", "", "", "", "", "XX", "?"])
                .unwrap_err();
        let columns: Vec<Column> = problems.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            columns,
            [
                Column::NhsNumber,
                Column::GivenName,
                Column::DateOfBirth,
                Column::Email,
                Column::Mobile,
                Column::Postcode,
                Column::GpOdsCode
            ]
        );
        assert_eq!(problems[0].1, "Enter a valid NHS number: check the digits");
        assert_eq!(problems[1].1, "Enter the given name");
        assert_eq!(problems[2].1, "Date of birth must be a real date");
    }

    #[test]
    fn dates_in_both_spreadsheet_forms() {
        assert_eq!(date_of_birth("1984-03-15", TODAY).unwrap().iso(), "1984-03-15");
        assert_eq!(date_of_birth("15/03/1984", TODAY).unwrap().iso(), "1984-03-15");
        assert_eq!(date_of_birth("29/02/2023", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(date_of_birth("15/03/84", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(date_of_birth("03/15/1984", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(date_of_birth("2027-01-01", TODAY), Err(DateOfBirthError::InTheFuture));
        assert_eq!(date_of_birth("", TODAY), Err(DateOfBirthError::Empty));
    }
}
