use time::macros::date;

use super::*;

const TODAY: Date = date!(2026 - 11 - 25);
const HEADER: &str = "nhs_number,given_name,family_name,date_of_birth,postcode\n";
const SMALL: Limits = Limits { max_rows: 5, max_bad_rows: 2 };

/// Reads `bytes` and returns the summary with every item handed on.
fn read_with(bytes: &[u8], limits: Limits) -> (Result<Summary, ReadError<()>>, Vec<Item>) {
    let mut items = Vec::new();
    let result = read_patients(bytes, TODAY, limits, |item| {
        items.push(item);
        Ok(())
    });
    (result, items)
}

fn read(bytes: &[u8]) -> (Summary, Vec<Item>) {
    let (result, items) = read_with(bytes, Limits::STANDARD);
    (result.unwrap(), items)
}

fn refusal(bytes: &[u8]) -> FileProblem {
    match read_with(bytes, Limits::STANDARD).0 {
        Err(ReadError::File(problem)) => problem,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn good_rows(items: &[Item]) -> Vec<u32> {
    items.iter().filter_map(|i| if let Item::Good { row, .. } = i { Some(*row) } else { None }).collect()
}

fn problems(items: &[Item]) -> Vec<RowProblem> {
    items.iter().flat_map(|i| if let Item::Problems(p) = i { p.clone() } else { Vec::new() }).collect()
}

#[test]
fn good_rows_are_handed_on_with_spreadsheet_row_numbers() {
    let file = format!("{HEADER}9434765919,Ann,Lee,1984-03-15,LS1 4AP\n\n4010232137,Bob,Ray,15/03/1984,\n");
    let (summary, items) = read(file.as_bytes());
    assert_eq!(summary, Summary { rows: 2, bad_rows: 0 });
    // The blank line is row 3 in a spreadsheet, so Bob is on row 4.
    assert_eq!(good_rows(&items), [2, 4]);
}

#[test]
fn a_cell_with_line_breaks_is_one_row() {
    let file = format!("{HEADER}9434765919,\"Ann\nMarie\",Lee,1984-03-15,\n4010232137,Bob,Ray,1984-03-15,\n");
    let (_, items) = read(file.as_bytes());
    assert_eq!(good_rows(&items), [2, 3]);
}

#[test]
fn bad_cells_are_named_by_row_and_the_files_own_column_name() {
    let file = "NHS Number,Given Name,Family Name,Date of Birth\n1234567890,Ann,Lee,31/02/1984\n";
    let (summary, items) = read(file.as_bytes());
    assert_eq!(summary, Summary { rows: 1, bad_rows: 1 });
    let found = problems(&items);
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].row, found[0].column.as_deref()), (2, Some("NHS Number")));
    assert_eq!((found[1].row, found[1].column.as_deref()), (2, Some("Date of Birth")));
    assert_eq!(found[1].message, "Date of birth must be a real date");
}

#[test]
fn a_row_of_the_wrong_width_is_a_problem_of_the_whole_row() {
    let file = format!("{HEADER}9434765919,Ann,Lee,1984-03-15\n4010232137,Bob,Ray,1984-03-15,LS1 4AP,extra\n");
    let (summary, items) = read(file.as_bytes());
    assert_eq!(summary.bad_rows, 2);
    let found = problems(&items);
    assert_eq!(found[0].column, None);
    assert!(found[0].message.starts_with("The row has 4 values but the header row has 5 columns"));
    assert!(found[1].message.starts_with("The row has 6 values"));
}

#[test]
fn duplicate_nhs_numbers_name_each_other() {
    let file = format!(
        "{HEADER}9434765919,Ann,Lee,1984-03-15,\n4010232137,Bob,Ray,1984-03-15,\n943 476 5919,Ann,Lee,1984-03-15,\n\
         943-476-5919,Ann,Lee,1984-03-15,\n"
    );
    let (summary, items) = read(file.as_bytes());
    assert_eq!(summary, Summary { rows: 4, bad_rows: 3 });
    let found = problems(&items);
    let rows: Vec<u32> = found.iter().map(|p| p.row).collect();
    assert_eq!(rows, [2, 4, 5]);
    assert_eq!(found[0].message, "The same NHS number is also on rows 4 and 5. Keep one row for each patient.");
    assert_eq!(found[1].message, "The same NHS number is also on rows 2 and 5. Keep one row for each patient.");
    assert_eq!(found[0].column.as_deref(), Some("nhs_number"));
}

#[test]
fn blank_rows_and_a_utf8_byte_order_mark_are_fine() {
    let file = format!("\u{feff}{HEADER},,,,\n9434765919,Zoë,Lee,1984-03-15,\n   ,  ,,,\n");
    let (summary, items) = read(file.as_bytes());
    assert_eq!(summary.rows, 1);
    assert_eq!(good_rows(&items), [3]);
}

#[test]
fn wrong_encodings_are_refused_with_the_line_and_what_to_do() {
    let mut latin1 = format!("{HEADER}9434765919,Ann,Lee,1984-03-15,\n").into_bytes();
    latin1.extend_from_slice(b"4010232137,Zo\xeb,Lee,1984-03-15,\n");
    let FileProblem::Encoding(message) = refusal(&latin1) else { panic!("not an encoding problem") };
    assert!(message.starts_with("Line 3 has a character that is not UTF-8"), "{message}");
    assert!(message.contains("CSV UTF-8 (Comma delimited)"));

    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(HEADER.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let FileProblem::Encoding(message) = refusal(&utf16) else { panic!("not an encoding problem") };
    assert!(message.contains("UTF-16"), "{message}");

    let utf16_without_bom: Vec<u8> = HEADER.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(matches!(refusal(&utf16_without_bom), FileProblem::Encoding(m) if m.contains("NUL")));
    assert!(matches!(refusal(b"PK\x03\x04rest"), FileProblem::Encoding(m) if m.contains("Excel workbook")));
}

#[test]
fn a_bad_byte_inside_a_multi_line_cell_is_placed_on_its_own_line() {
    let mut file = HEADER.as_bytes().to_vec();
    file.extend_from_slice(b"9434765919,\"Ann\nMa\xffrie\",Lee,1984-03-15,\n");
    let FileProblem::Encoding(message) = refusal(&file) else { panic!("not an encoding problem") };
    assert!(message.starts_with("Line 3 "), "{message}");
}

#[test]
fn empty_files_and_files_without_rows_are_refused() {
    assert_eq!(refusal(b""), FileProblem::Empty);
    assert_eq!(refusal(b"\xef\xbb\xbf"), FileProblem::Empty);
    assert_eq!(refusal(HEADER.as_bytes()), FileProblem::NoRows);
    assert_eq!(refusal(format!("{HEADER},,,,\n").as_bytes()), FileProblem::NoRows);
}

#[test]
fn header_problems_stop_the_reading_before_any_row() {
    let (result, items) = read_with(b"nhs_number,given_name,notes\n9434765919,Ann,x\n", Limits::STANDARD);
    let Err(ReadError::File(FileProblem::Header(problems))) = result else { panic!("{result:?}") };
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(items.is_empty());
}

#[test]
fn limits_on_rows_and_on_bad_rows() {
    let row = "9434765919,Ann,Lee,1984-03-15,\n";
    let six = format!("{HEADER}{}", row.repeat(6));
    assert!(matches!(read_with(six.as_bytes(), SMALL).0, Err(ReadError::File(FileProblem::TooManyRows(5)))));
    let bad = format!("{HEADER}{}", "x,Ann,Lee,1984-03-15,\n".repeat(3));
    assert!(matches!(read_with(bad.as_bytes(), SMALL).0, Err(ReadError::File(FileProblem::TooManyBadRows(2)))));
    // Duplicates count towards the limit too.
    let three_same = format!("{HEADER}{}", row.repeat(3));
    assert!(matches!(read_with(three_same.as_bytes(), SMALL).0, Err(ReadError::File(FileProblem::TooManyBadRows(2)))));
}

#[test]
fn a_sink_that_refuses_stops_the_reading() {
    let file = format!("{HEADER}9434765919,Ann,Lee,1984-03-15,\n4010232137,Bob,Ray,1984-03-15,\n");
    let mut seen = 0;
    let result = read_patients(file.as_bytes(), TODAY, Limits::STANDARD, |_| {
        seen += 1;
        Err("full")
    });
    assert!(matches!(result, Err(ReadError::Sink("full"))));
    assert_eq!(seen, 1);
}

#[test]
fn big_numbers_read_with_commas() {
    assert_eq!(thousands(7), "7");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1_000_000), "1,000,000");
}

#[test]
fn row_numbers_hold_for_every_kind_of_line_end() {
    let rows = |file: &str| good_rows(&read(file.as_bytes()).1);
    let lf = format!("{HEADER},Ann,Lee,1984-03-15,\n\n,Bob,Ray,1984-03-15,\n");
    assert_eq!(rows(&lf), [2, 4]);
    assert_eq!(rows(&lf.replace('\n', "\r\n")), [2, 4]);
    assert_eq!(rows(&lf.replace('\n', "\r")), [2, 4]);
    assert_eq!(rows(lf.trim_end()), [2, 4]);
    let quoted = lf.replace("Ann", "\"Ann\r\nMarie\"").replace('\n', "\r\n");
    assert_eq!(rows(&quoted), [2, 4]);
}

#[test]
fn line_feeds_are_made_one_kind() {
    let mut out = String::new();
    LineFeeds::new("a\r\nb\rc\n\r\nd".as_bytes()).read_to_string(&mut out).unwrap();
    assert_eq!(out, "a\nb\nc\n\nd\n");
    // A CRLF split across two reads is still one line end.
    let split = io::Cursor::new(b"a\r".to_vec()).chain(io::Cursor::new(b"\nb\n".to_vec()));
    let mut out = String::new();
    LineFeeds::new(split).read_to_string(&mut out).unwrap();
    assert_eq!(out, "a\nb\n");
    let mut out = String::new();
    LineFeeds::new("".as_bytes()).read_to_string(&mut out).unwrap();
    assert_eq!(out, "");
}
