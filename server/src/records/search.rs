//! Finding a team's records by name, NHS number or date of birth, from one
//! search box: the query says by its shape which one it is.

use portico_types::api::RecordSummary;
use portico_types::problem::FieldError;
use portico_types::{DateOfBirth, NhsNumber};
use time::Date;

use crate::db::{Db, Statement};

pub const PAGE_SIZE: u32 = 25;
const MAX_QUERY_CHARS: usize = 100;
const MAX_PAGE: u32 = 100_000;

/// What a search box query means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    All,
    NhsNumber(NhsNumber),
    DateOfBirth(DateOfBirth),
    /// Lower-case words, each of which must appear in the name.
    Name(Vec<String>),
}

impl Query {
    /// Reads a search box. Ten digits are an NHS number (and must be a valid
    /// one); `YYYY-MM-DD` or `DD/MM/YYYY` a date of birth; anything else a name.
    pub fn parse(raw: &str, today: Date) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self::All);
        }
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(FieldError::new("q", "Search must be 100 characters or fewer"));
        }
        if raw.chars().any(char::is_control) {
            return Err(FieldError::new("q", "Search must only include letters, numbers, spaces and punctuation"));
        }
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if compact.len() == 10 && compact.chars().all(|c| c.is_ascii_digit()) {
            return NhsNumber::parse(raw).map(Self::NhsNumber).map_err(|e| FieldError::new("q", e));
        }
        if let Some(dob) = parse_date(raw, today) {
            return dob.map(Self::DateOfBirth).map_err(|e| FieldError::new("q", e));
        }
        let words: Vec<String> = raw
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        Ok(Self::Name(words))
    }

    /// How the query was understood, for the page to say.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::All => "all",
            Self::NhsNumber(_) => "nhs_number",
            Self::DateOfBirth(_) => "date_of_birth",
            Self::Name(_) => "name",
        }
    }
}

/// `Some` when the text is shaped like a date, with whether it is a valid one.
fn parse_date(raw: &str, today: Date) -> Option<Result<DateOfBirth, portico_types::DateOfBirthError>> {
    let digits_or = |sep: char| raw.chars().all(|c| c.is_ascii_digit() || c == sep);
    if digits_or('-') && raw.len() == 10 && raw.as_bytes().get(4) == Some(&b'-') {
        return Some(DateOfBirth::parse(raw, today));
    }
    if digits_or('/') {
        let parts: Vec<&str> = raw.split('/').collect();
        if let [day, month, year] = parts.as_slice() {
            return Some(DateOfBirth::from_parts(day, month, year, today));
        }
    }
    None
}

/// The page number, checked.
pub fn page(requested: Option<u32>) -> Result<u32, FieldError> {
    match requested.unwrap_or(1) {
        0 => Err(FieldError::new("page", "Page must be 1 or more")),
        p if p > MAX_PAGE => Err(FieldError::new("page", "Page is too large")),
        p => Ok(p),
    }
}

/// Escapes `%`, `_` and `\` so a name is matched literally inside LIKE.
fn like_pattern(word: &str) -> String {
    let mut escaped = String::with_capacity(word.len() + 2);
    escaped.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

fn push_filter(sql: &mut Statement, team_id: &str, query: &Query) {
    sql.push(" FROM records r JOIN team_records tr ON tr.record_id = r.id WHERE tr.team_id = ");
    sql.bind(team_id);
    match query {
        Query::All => {}
        Query::NhsNumber(n) => {
            sql.push(" AND r.nhs_number = ").bind(n.as_digits());
        }
        Query::DateOfBirth(d) => {
            sql.push(" AND r.date_of_birth = ").bind(d.iso());
        }
        Query::Name(words) => {
            for word in words {
                sql.push(" AND r.search_name LIKE ").bind(like_pattern(word)).push(" ESCAPE '\\'");
            }
        }
    }
}

/// One page of the team's records matching `query`, and how many match in all.
pub async fn in_team(db: &Db, team_id: &str, query: &Query, page: u32) -> anyhow::Result<(Vec<RecordSummary>, u64)> {
    let mut count = Statement::new("SELECT COUNT(*)");
    push_filter(&mut count, team_id, query);
    let total: i64 = count.query_scalar()?.fetch_one(&db.pool).await?;

    let mut select = Statement::new("SELECT r.id, r.nhs_number, r.given_name, r.family_name, r.date_of_birth");
    push_filter(&mut select, team_id, query);
    select
        .push(" ORDER BY r.family_name, r.given_name, r.id LIMIT ")
        .bind(i64::from(PAGE_SIZE))
        .push(" OFFSET ")
        .bind(i64::from((page - 1) * PAGE_SIZE));
    let rows: Vec<SummaryRow> = select.query_as()?.fetch_all(&db.pool).await?;
    let records = rows.into_iter().map(summary).collect::<anyhow::Result<Vec<_>>>()?;
    Ok((records, u64::try_from(total).unwrap_or(0)))
}

type SummaryRow = (String, Option<String>, String, String, String);

fn summary((id, nhs_number, given_name, family_name, dob): SummaryRow) -> anyhow::Result<RecordSummary> {
    Ok(RecordSummary {
        id,
        nhs_number: nhs_number.as_deref().map(NhsNumber::parse).transpose()?,
        given_name,
        family_name,
        date_of_birth: DateOfBirth::from_stored(&dob)?,
    })
}

/// A team's record that could be the person someone says they are.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub record: RecordSummary,
    /// Matched on NHS number (and date of birth), not only on the name.
    pub by_nhs_number: bool,
    /// Under a safeguarding exclusion.
    pub excluded: bool,
    /// Already some account's own record.
    pub owned: bool,
}

/// A candidate as read: the summary's columns, then the exclusion and the owner, if any.
type CandidateRow = (String, Option<String>, String, String, String, Option<String>, Option<String>);

/// The most candidates shown for one person: more means the details are too common to tell.
const MAX_CANDIDATES: i64 = 10;

/// The records of team `team_id` with this date of birth and either this
/// NHS number or this name (`search_name`, lower case), NHS number matches
/// first. Takes a connection so it runs inside a caller's transaction too.
pub async fn candidates(
    conn: &mut sqlx::AnyConnection,
    team_id: &str,
    nhs_number: Option<&NhsNumber>,
    search_name: &str,
    date_of_birth: &DateOfBirth,
) -> anyhow::Result<Vec<Candidate>> {
    let nhs = nhs_number.map(NhsNumber::as_digits);
    let rows: Vec<CandidateRow> = sqlx::query_as(
        "SELECT r.id, r.nhs_number, r.given_name, r.family_name, r.date_of_birth, x.record_id, r.owner_account_id \
         FROM records r JOIN team_records tr ON tr.record_id = r.id \
         LEFT JOIN exclusions x ON x.record_id = r.id \
         WHERE tr.team_id = $1 AND r.date_of_birth = $2 AND (r.nhs_number = $3 OR r.search_name = $4) \
         ORDER BY CASE WHEN r.nhs_number = $3 THEN 0 ELSE 1 END, r.family_name, r.given_name, r.id LIMIT $5",
    )
    .bind(team_id)
    .bind(date_of_birth.iso())
    .bind(nhs.clone())
    .bind(search_name)
    .bind(MAX_CANDIDATES)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, nhs_number, given, family, dob, excluded, owner)| {
            let by_nhs_number = nhs.is_some() && nhs_number == nhs;
            let record = summary((id, nhs_number, given, family, dob))?;
            Ok(Candidate { record, by_nhs_number, excluded: excluded.is_some(), owned: owner.is_some() })
        })
        .collect()
}

/// The record account `account_id` owns, whatever its teams, with whether
/// it is excluded: a sign-up's own record, which staff may add to their team.
pub async fn owned_by(conn: &mut sqlx::AnyConnection, account_id: &str) -> anyhow::Result<Option<Candidate>> {
    let row: Option<CandidateRow> = sqlx::query_as(
        "SELECT r.id, r.nhs_number, r.given_name, r.family_name, r.date_of_birth, x.record_id, r.owner_account_id \
         FROM records r LEFT JOIN exclusions x ON x.record_id = r.id WHERE r.owner_account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, nhs_number, given, family, dob, excluded, _)| {
        let record = summary((id, nhs_number, given, family, dob))?;
        Ok(Candidate { record, by_nhs_number: true, excluded: excluded.is_some(), owned: true })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 25);

    #[test]
    fn reads_the_shape_of_the_query() {
        assert_eq!(Query::parse("  ", TODAY), Ok(Query::All));
        assert_eq!(Query::parse("943 476 5919", TODAY).unwrap().kind(), "nhs_number");
        assert_eq!(Query::parse("1985-03-07", TODAY).unwrap().kind(), "date_of_birth");
        assert_eq!(Query::parse("7/3/1985", TODAY).unwrap().kind(), "date_of_birth");
        assert_eq!(Query::parse("Smith, Jo", TODAY), Ok(Query::Name(vec!["smith".into(), "jo".into()])));
    }

    #[test]
    fn refuses_invalid_numbers_and_dates_with_a_reason() {
        assert!(Query::parse("9434765918", TODAY).is_err());
        assert!(Query::parse("31/02/1985", TODAY).is_err());
        assert!(Query::parse(&"a".repeat(101), TODAY).is_err());
        assert!(page(Some(0)).is_err());
        assert!(Query::parse("smith\u{0}", TODAY).is_err());
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
