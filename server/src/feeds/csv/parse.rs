//! Reading a patients CSV as a stream: the encoding and the header first,
//! then one row at a time, so a file of any length is read in the same small
//! memory. Each good row and each row's problems go to a sink as they are
//! read; a problem with the file as a whole stops the reading.

use std::collections::BTreeSet;
use std::io::{self, Read};

use csv::{ByteRecord, StringRecord};
use portico_types::NhsNumber;
use time::Date;

use super::columns::{Column, Header};
use super::row;
use crate::records::details::PatientDetails;

/// How much a file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: u32,
    /// Past this many bad rows the file is refused as a whole: it is most
    /// likely the wrong file, and a list that long helps nobody.
    pub max_bad_rows: u32,
}

impl Limits {
    pub const STANDARD: Limits = Limits { max_rows: 1_000_000, max_bad_rows: 10_000 };
}

/// One problem of one row. `row` is the row number a spreadsheet shows
/// (the header is row 1); `column` is the header's own text, or `None` for
/// a problem of the whole row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u32,
    pub column: Option<String>,
    pub message: String,
}

/// What the reader hands on, in file order (duplicates come at the end, once known).
#[derive(Debug)]
pub enum Item {
    Good {
        row: u32,
        details: PatientDetails,
    },
    /// The problems of one row. A row reported good earlier can be reported
    /// here at the end, when its NHS number turns out to be on another row too.
    Problems(Vec<RowProblem>),
}

/// Why a file is refused as a whole. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    NoRows,
    /// The bytes are not UTF-8 text; the message says where and what to do.
    Encoding(String),
    Header(Vec<String>),
    TooManyRows(u32),
    TooManyBadRows(u32),
}

const SAVE_AS: &str = "Save it as \u{201c}CSV UTF-8 (Comma delimited)\u{201d} and upload it again.";

impl FileProblem {
    /// What to tell the person, one sentence (or a few) per problem.
    pub fn messages(&self) -> Vec<String> {
        match self {
            FileProblem::Empty => vec!["The file is empty. Choose the CSV file with your patients in it.".into()],
            FileProblem::NoRows => vec!["The file has a header row but no patients below it.".into()],
            FileProblem::Encoding(message) => vec![message.clone()],
            FileProblem::Header(problems) => problems.clone(),
            FileProblem::TooManyRows(max) => vec![format!(
                "The file has more than {} patients. Split it into files of {} or fewer and upload each.",
                thousands(*max),
                thousands(*max)
            )],
            FileProblem::TooManyBadRows(max) => vec![format!(
                "More than {} rows have problems, so this is probably not the right file, or its columns are \
                 mixed up. Check the file and upload it again.",
                thousands(*max)
            )],
        }
    }

    /// A short name for the kind of problem, for the audit log and the API.
    pub fn kind(&self) -> &'static str {
        match self {
            FileProblem::Empty | FileProblem::NoRows => "empty",
            FileProblem::Encoding(_) => "encoding",
            FileProblem::Header(_) => "columns",
            FileProblem::TooManyRows(_) | FileProblem::TooManyBadRows(_) => "too-many-rows",
        }
    }
}

/// 1000000 as "1,000,000".
pub fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError<E> {
    File(FileProblem),
    /// The file could not be read at all (a disk error): not the person's doing.
    Io(io::Error),
    /// The sink refused an item.
    Sink(E),
}

impl<E> From<FileProblem> for ReadError<E> {
    fn from(problem: FileProblem) -> Self {
        ReadError::File(problem)
    }
}

/// What a whole file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Patient rows (blank rows are skipped, not counted).
    pub rows: u32,
    pub bad_rows: u32,
}

impl Summary {
    pub fn good_rows(&self) -> u32 {
        self.rows - self.bad_rows
    }
}

/// Reads `input` as a patients CSV, handing each row to `sink`. `today`
/// decides which dates of birth are in the future.
pub fn read_patients<R: Read, E>(
    input: R,
    today: Date,
    limits: Limits,
    mut sink: impl FnMut(Item) -> Result<(), E>,
) -> Result<Summary, ReadError<E>> {
    let (start, input) = sniff(input)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(LineFeeds::new(io::Cursor::new(start).chain(input)));
    let mut record = ByteRecord::new();
    if !next(&mut reader, &mut record)? {
        return Err(FileProblem::Empty.into());
    }
    if record.iter().any(|field| field.contains(&0)) {
        return Err(FileProblem::Encoding(format!(
            "The header row has NUL characters: the file looks like UTF-16 text, or is not a CSV file. {SAVE_AS}"
        ))
        .into());
    }
    let mut lines = Lines::default();
    lines.start(&record, reader.position().line());
    let text = utf8(record, &lines)?;
    let header = Header::read(&text).map_err(FileProblem::Header)?;
    record = text.into_byte_record();

    let mut rows = 0u32;
    let mut bad = BTreeSet::new();
    // NHS number and row of every row that has a valid one, packed in a u64
    // (8 bytes a row): the one thing that grows with the file.
    let mut numbers: Vec<u64> = Vec::new();
    while next(&mut reader, &mut record)? {
        let row = lines.start(&record, reader.position().line());
        if record.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        rows += 1;
        if rows > limits.max_rows {
            return Err(FileProblem::TooManyRows(limits.max_rows).into());
        }
        let text = utf8(record, &lines)?;
        let problems = if text.len() == header.width() {
            if let Ok(nhs) = NhsNumber::parse(header.get(&text, Column::NhsNumber)) {
                numbers.push(pack(nhs, row));
            }
            match row::patient(&header, &text, today) {
                Ok(details) => {
                    sink(Item::Good { row, details }).map_err(ReadError::Sink)?;
                    Vec::new()
                }
                Err(cells) => cells
                    .into_iter()
                    .map(|(column, message)| RowProblem { row, column: Some(header.label(column).to_owned()), message })
                    .collect(),
            }
        } else {
            vec![RowProblem { row, column: None, message: width_problem(text.len(), header.width()) }]
        };
        record = text.into_byte_record();
        if !problems.is_empty() {
            mark_bad(&mut bad, row, limits)?;
            sink(Item::Problems(problems)).map_err(ReadError::Sink)?;
        }
    }
    if rows == 0 {
        return Err(FileProblem::NoRows.into());
    }
    for problem in duplicates(numbers, header.label(Column::NhsNumber)) {
        mark_bad(&mut bad, problem.row, limits)?;
        sink(Item::Problems(vec![problem])).map_err(ReadError::Sink)?;
    }
    let bad_rows = u32::try_from(bad.len()).unwrap_or(u32::MAX);
    Ok(Summary { rows, bad_rows })
}

fn mark_bad<E>(bad: &mut BTreeSet<u32>, row: u32, limits: Limits) -> Result<(), ReadError<E>> {
    bad.insert(row);
    if bad.len() > limits.max_bad_rows as usize {
        return Err(FileProblem::TooManyBadRows(limits.max_bad_rows).into());
    }
    Ok(())
}

fn width_problem(found: usize, expected: usize) -> String {
    let values = |n: usize| if n == 1 { "1 value".to_owned() } else { format!("{n} values") };
    format!(
        "The row has {} but the header row has {expected} columns. Check for a missing value or an extra comma.",
        values(found)
    )
}

/// Reads the first bytes to refuse what is plainly not UTF-8 text, and
/// drops a UTF-8 byte order mark (Excel's "CSV UTF-8" writes one).
fn sniff<R: Read, E>(mut input: R) -> Result<(Vec<u8>, R), ReadError<E>> {
    let mut start = [0u8; 4];
    let mut got = 0;
    while got < start.len() {
        match input.read(&mut start[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    let start = &start[..got];
    let refuse = |what: &str| Err(ReadError::File(FileProblem::Encoding(format!("{what} {SAVE_AS}"))));
    match start {
        [] => Err(FileProblem::Empty.into()),
        [0, 0, 0xFE, 0xFF] | [0xFF, 0xFE, 0, 0] => refuse("The file is UTF-32 text, which Portico does not read."),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => refuse(
            "The file is UTF-16 text (Excel calls it \u{201c}Unicode Text\u{201d}), which Portico does not read.",
        ),
        [b'P', b'K', 3, 4] | [0xD0, 0xCF, 0x11, 0xE0] => {
            refuse("This is an Excel workbook, not a CSV file. In Excel, choose File, then Save As.")
        }
        [0xEF, 0xBB, 0xBF, rest @ ..] => Ok((rest.to_vec(), input)),
        _ => Ok((start.to_vec(), input)),
    }
}

fn next<R: Read, E>(reader: &mut csv::Reader<R>, record: &mut ByteRecord) -> Result<bool, ReadError<E>> {
    reader.read_byte_record(record).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(e) => ReadError::Io(e),
        // Byte records with flexible lengths fail only on I/O; say so plainly if not.
        other => ReadError::Io(io::Error::other(format!("{other:?}"))),
    })
}

/// The record as text, or where in the file its first non-UTF-8 byte is.
fn utf8<E>(record: ByteRecord, lines: &Lines) -> Result<StringRecord, ReadError<E>> {
    StringRecord::from_byte_record(record).map_err(|e| {
        let at = e.utf8_error().clone();
        let bad = e.into_byte_record();
        let before: usize = bad.iter().take(at.field()).map(newlines).sum::<usize>()
            + bad.get(at.field()).map_or(0, |f| newlines(&f[..at.valid_up_to().min(f.len())]));
        let line = lines.current_line + before as u64;
        ReadError::File(FileProblem::Encoding(format!(
            "Line {line} has a character that is not UTF-8 text: the file was probably saved as \
             \u{201c}CSV (Comma delimited)\u{201d}, which garbles letters like \u{e9} and \u{2019}. {SAVE_AS}"
        )))
    })
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Turns the file's line numbers into spreadsheet row numbers: a spreadsheet
/// counts a blank line as a row, and a cell with line breaks as one row.
#[derive(Default)]
struct Lines {
    /// Line breaks inside quoted cells so far.
    inside_cells: u64,
    last_row: u32,
    /// The line the record just read starts on.
    current_line: u64,
}

impl Lines {
    /// The row number of `record`, just read; `end_line` is the reader's
    /// line after it. Every record ends with a line feed (see
    /// [`LineFeeds`]), and the csv reader takes it with the record, so the
    /// record starts its own line breaks and one line earlier, whatever
    /// blank lines were skipped before it.
    fn start(&mut self, record: &ByteRecord, end_line: u64) -> u32 {
        let inside = record.iter().map(newlines).sum::<usize>() as u64;
        self.current_line = end_line.saturating_sub(inside + 1).max(1);
        let row = u32::try_from(self.current_line.saturating_sub(self.inside_cells)).unwrap_or(u32::MAX);
        let row = row.max(self.last_row.saturating_add(1));
        self.last_row = row;
        self.inside_cells += inside;
        row
    }
}

/// Line ends made one kind: CRLF and a lone CR (old Macs) become LF, and a
/// file whose last line has no line end gets one. The csv reader then
/// counts lines the way a spreadsheet counts rows.
struct LineFeeds<R> {
    inner: R,
    after_cr: bool,
    last: Option<u8>,
    ended: bool,
}

impl<R: Read> LineFeeds<R> {
    fn new(inner: R) -> Self {
        Self { inner, after_cr: false, last: None, ended: false }
    }
}

impl<R: Read> Read for LineFeeds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                if self.ended || self.last.is_none_or(|b| b == b'\n') {
                    return Ok(0);
                }
                self.ended = true;
                buf[0] = b'\n';
                return Ok(1);
            }
            let mut out = 0;
            for i in 0..n {
                let byte = buf[i];
                let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
                if byte == b'\n' && after_cr {
                    continue;
                }
                buf[out] = if byte == b'\r' { b'\n' } else { byte };
                out += 1;
            }
            if out > 0 {
                self.last = Some(buf[out - 1]);
                return Ok(out);
            }
        }
    }
}

/// The nine digits before the check digit (under 2^30) over the row.
fn pack(nhs: NhsNumber, row: u32) -> u64 {
    let stem: u64 = nhs.as_digits()[..9].parse().unwrap_or(0);
    (stem << 32) | u64::from(row)
}

/// Every row whose NHS number is on another row too, each naming the others.
fn duplicates(mut numbers: Vec<u64>, column: &str) -> Vec<RowProblem> {
    numbers.sort_unstable();
    let mut problems = Vec::new();
    for group in numbers.chunk_by(|a, b| a >> 32 == b >> 32).filter(|g| g.len() > 1) {
        let rows: Vec<u32> = group.iter().map(|packed| (packed & 0xFFFF_FFFF) as u32).collect();
        for &row in &rows {
            let others: Vec<String> = rows.iter().filter(|&&r| r != row).map(u32::to_string).collect();
            let listed = match others.as_slice() {
                [one] => format!("row {one}"),
                many if many.len() <= 5 => {
                    format!("rows {} and {}", many[..many.len() - 1].join(", "), many[many.len() - 1])
                }
                many => format!("rows {} and {} others", many[..5].join(", "), many.len() - 5),
            };
            problems.push(RowProblem {
                row,
                column: Some(column.to_owned()),
                message: format!("The same NHS number is also on {listed}. Keep one row for each patient."),
            });
        }
    }
    problems.sort_by_key(|p| p.row);
    problems
}

#[cfg(test)]
mod tests;
