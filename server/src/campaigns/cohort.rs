//! A cohort: which of a team's records a campaign invites, parsed once from
//! what staff asked for, and turned into SQL that both engines read.
//!
//! The filters select the cohort's records; whether each can be invited
//! (not excluded, not registered, has the contact detail the channel needs)
//! is decided record by record, so the preview can say why some cannot and a
//! campaign can count, for every record, what became of it.

use std::collections::BTreeSet;

use portico_types::NhsNumber;
use portico_types::api::{CohortPreview, CohortRequest, ListedNotInTeam, SharedContacts};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::clock::stored;
use crate::db::{Db, Statement};
use portico_types::problem::FieldError;

use crate::error::ApiError;
use crate::invitations::{Channel, LIVE_STATES};

/// At most this many NHS numbers in one uploaded list.
pub const MAX_LISTED: usize = 200_000;
/// The oldest age a filter may name.
const MAX_AGE: u32 = 130;

/// Who, among the team's records, by their invitations so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// Never invited on any channel.
    NotInvited,
    /// No invitation that can still be used.
    NotRegistered,
    /// Invited at least `invited_days_ago` days ago, not since, not
    /// registered, and reminded fewer than `max_reminders` times.
    Reminder { invited_days_ago: u32, max_reminders: u32 },
}

/// A cohort's filters, as stored with its campaign (as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    pub channel: CampaignChannel,
    pub registration: Registration,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
    /// Ages are reckoned on this day (the day the campaign started), so a
    /// long campaign does not change its mind.
    pub as_of: Date,
    /// Whether the cohort is limited to a list of NHS numbers (kept apart:
    /// in `campaign_listed`, or in `Listed` for a preview).
    pub listed: bool,
    /// Records with no entry yet (campaigns stored before this was asked invite them).
    #[serde(default)]
    pub without_entries: WithoutEntries,
}

/// What a cohort does with records that have no entry yet: patients expect
/// to see their information when they sign up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithoutEntries {
    /// Invited like any other record.
    #[default]
    Invite,
    /// Not in the cohort.
    LeaveOut,
    /// Held, and invited by the release job once the record has an entry.
    Hold,
}

impl WithoutEntries {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invite" => Some(Self::Invite),
            "leave_out" => Some(Self::LeaveOut),
            "hold" => Some(Self::Hold),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::LeaveOut => "leave_out",
            Self::Hold => "hold",
        }
    }

    /// The team's setting, for a cohort that did not say.
    pub fn team_default(hold_until_entries: bool) -> Self {
        if hold_until_entries { Self::Hold } else { Self::Invite }
    }
}

/// SQL that is true when record `r` has at least one entry.
pub const HAS_ENTRY_SQL: &str = "EXISTS (SELECT 1 FROM entries e WHERE e.record_id = r.id)";

/// The channels a campaign can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignChannel {
    Letter,
    Sms,
    Email,
}

impl CampaignChannel {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "letter" => Some(Self::Letter),
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.invitation_channel().as_str()
    }

    pub fn invitation_channel(self) -> Channel {
        match self {
            Self::Letter => Channel::Letter,
            Self::Sms => Channel::Sms,
            Self::Email => Channel::Email,
        }
    }

    /// SQL for the contact detail a message on this channel goes to, in a
    /// form that compares equal when two records share it; `None` for
    /// letters (a household's letters are each addressed by name).
    fn contact_key_sql(self) -> Option<&'static str> {
        match self {
            Self::Letter => None,
            Self::Sms => Some("r.mobile"),
            // Addresses are stored as given; their case says nothing.
            Self::Email => Some("lower(r.email)"),
        }
    }

    /// SQL that is true when record `r` has what this channel needs.
    pub fn has_contact_sql(self) -> &'static str {
        match self {
            Self::Letter => {
                "(r.postcode IS NOT NULL AND r.postcode <> '' AND r.address_lines IS NOT NULL AND r.address_lines <> '')"
            }
            // Feeds keep only numbers that parse as UK mobiles, in E.164.
            Self::Sms => "(r.mobile IS NOT NULL AND r.mobile <> '')",
            Self::Email => "(r.email IS NOT NULL AND r.email <> '')",
        }
    }
}

/// The NHS numbers of an uploaded list, each with the first row that named it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub numbers: Vec<(NhsNumber, u64)>,
}

/// A cohort and its list, parsed from a request.
#[derive(Debug, Clone)]
pub struct CohortAsked {
    pub cohort: Cohort,
    pub listed: Option<Listed>,
    /// Whether the request said what to do with records without entries
    /// (if not, `cohort.without_entries` is to be the team's setting).
    pub without_entries_asked: bool,
}

impl CohortAsked {
    /// Takes the team's setting for records without entries, unless asked.
    pub fn with_team_default(mut self, hold_until_entries: bool) -> Self {
        if !self.without_entries_asked {
            self.cohort.without_entries = WithoutEntries::team_default(hold_until_entries);
        }
        self
    }
}

/// Parses what staff asked for; every problem is a field error.
pub fn parse(request: &CohortRequest, today: Date) -> Result<CohortAsked, ApiError> {
    let mut problems = Vec::new();
    let channel = CampaignChannel::parse(&request.channel);
    if channel.is_none() {
        problems.push(FieldError::new("channel", "Select how to invite: letters, text messages or emails"));
    }
    let registration = match request.registration.as_str() {
        "not_invited" => Some(Registration::NotInvited),
        "not_registered" => Some(Registration::NotRegistered),
        "reminder" => {
            let days = request.invited_days_ago.unwrap_or(0);
            let cap = request.max_reminders.unwrap_or(0);
            if !(1..=365).contains(&days) {
                problems.push(FieldError::new(
                    "invited_days_ago",
                    "Enter how many days ago they were invited, from 1 to 365",
                ));
            }
            if !(1..=10).contains(&cap) {
                problems
                    .push(FieldError::new("max_reminders", "Enter the most reminders a patient gets, from 1 to 10"));
            }
            Some(Registration::Reminder { invited_days_ago: days, max_reminders: cap })
        }
        _ => {
            problems.push(FieldError::new(
                "registration",
                "Select who to invite: never invited, not registered, or a reminder",
            ));
            None
        }
    };
    for (field, age) in [("min_age", request.min_age), ("max_age", request.max_age)] {
        if age.is_some_and(|a| a > MAX_AGE) {
            problems.push(FieldError::new(field, format!("Enter an age from 0 to {MAX_AGE}")));
        }
    }
    if let (Some(min), Some(max)) = (request.min_age, request.max_age)
        && min > max
    {
        problems.push(FieldError::new("max_age", "The oldest age must be the same as or more than the youngest"));
    }
    let without_entries = match request.records_without_entries.as_deref() {
        None => Some(WithoutEntries::Invite),
        Some(asked) => WithoutEntries::parse(asked),
    };
    if without_entries.is_none() {
        problems.push(FieldError::new(
            "records_without_entries",
            "Select what happens to patients whose record has nothing in it yet",
        ));
    }
    let listed = match request.nhs_numbers_csv.as_deref() {
        Some(text) => match parse_listed(text) {
            Ok(listed) => Some(listed),
            Err(problem) => {
                problems.push(FieldError::new("nhs_numbers_csv", problem));
                None
            }
        },
        None => None,
    };
    match (channel, registration, without_entries) {
        (Some(channel), Some(registration), Some(without_entries)) if problems.is_empty() => Ok(CohortAsked {
            cohort: Cohort {
                channel,
                registration,
                min_age: request.min_age,
                max_age: request.max_age,
                as_of: today,
                listed: listed.is_some(),
                without_entries,
            },
            listed,
            without_entries_asked: request.records_without_entries.is_some(),
        }),
        _ => Err(ApiError::Invalid(problems)),
    }
}

/// Reads a list of NHS numbers: the column headed `nhs_number` (or `NHS
/// number`), else the first column; a first row that is not a number is a
/// header. Every bad row is named (the first 20), and nothing is accepted
/// until the file is right.
pub fn parse_listed(text: &str) -> Result<Listed, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut column = 0;
    let mut numbers = Vec::new();
    let mut seen = BTreeSet::new();
    let mut bad = Vec::new();
    let mut bad_count = 0_usize;
    for (index, row) in reader.records().enumerate() {
        let row_number = index as u64 + 1;
        let row = row.map_err(|e| format!("The file is not a CSV file Portico can read (row {row_number}): {e}"))?;
        if index == 0 {
            let header = row.iter().position(|cell| {
                let cell = cell.trim().to_ascii_lowercase().replace([' ', '-'], "_");
                cell == "nhs_number" || cell == "nhsnumber"
            });
            if let Some(position) = header {
                column = position;
                continue;
            }
            if row.get(0).is_some_and(|cell| NhsNumber::parse(cell).is_err() && !looks_numeric(cell)) {
                continue; // some other header
            }
        }
        let cell = row.get(column).unwrap_or("").trim();
        if cell.is_empty() && row.iter().all(|c| c.trim().is_empty()) {
            continue; // a blank line
        }
        match NhsNumber::parse(cell) {
            Ok(number) => {
                if seen.insert(number.as_digits()) {
                    numbers.push((number, row_number));
                }
            }
            Err(_) => {
                bad_count += 1;
                if bad.len() < 20 {
                    bad.push(row_number.to_string());
                }
            }
        }
        if numbers.len() > MAX_LISTED {
            return Err(format!("The file lists more than {MAX_LISTED} NHS numbers: split it into smaller files"));
        }
    }
    if bad_count > 0 {
        let more = if bad_count > bad.len() { format!(" and {} more", bad_count - bad.len()) } else { String::new() };
        return Err(format!(
            "{bad_count} row{} of the file {} not a valid NHS number (row{} {}{more}): correct the file and choose it again",
            if bad_count == 1 { "" } else { "s" },
            if bad_count == 1 { "is" } else { "are" },
            if bad.len() == 1 { "" } else { "s" },
            bad.join(", "),
        ));
    }
    if numbers.is_empty() {
        return Err("The file lists no NHS numbers".into());
    }
    Ok(Listed { numbers })
}

fn looks_numeric(cell: &str) -> bool {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    digits >= 6 && cell.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
}

/// Where the cohort's list of NHS numbers is, for the SQL.
pub enum ListSource<'a> {
    None,
    /// A campaign's `campaign_listed` rows.
    Campaign(&'a str),
    /// A preview's numbers, bound into the statement.
    Numbers(&'a [String]),
}

impl Cohort {
    /// Appends the cohort's filters on record `r` of team `team_id` to `sql`
    /// (which has just said `WHERE …`), starting with ` AND`.
    pub fn push_filters(&self, sql: &mut Statement, team_id: &str, list: &ListSource<'_>) {
        sql.push(" AND tr.team_id = ").bind(team_id);
        match self.registration {
            Registration::NotInvited => {
                sql.push(" AND r.owner_account_id IS NULL AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.record_id = r.id)");
            }
            Registration::NotRegistered => {
                sql.push(" AND r.owner_account_id IS NULL AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.record_id = r.id AND i.state IN ");
                sql.push(LIVE_STATES).push(")");
            }
            Registration::Reminder { invited_days_ago, .. } => {
                let cutoff = stored(
                    self.as_of.midnight().assume_utc() - time::Duration::days(i64::from(invited_days_ago))
                        + time::Duration::days(1),
                );
                // Invited by this team before the cut-off, and not since.
                sql.push(" AND r.owner_account_id IS NULL AND EXISTS (SELECT 1 FROM invitations i WHERE i.record_id = r.id AND i.team_id = tr.team_id AND i.issued_at < ")
                    .bind(cutoff.clone())
                    .push(") AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.record_id = r.id AND i.issued_at >= ")
                    .bind(cutoff)
                    .push(")");
            }
        }
        // Born on or before this day to be at least `min_age` on `as_of`…
        if let Some(min_age) = self.min_age {
            sql.push(" AND r.date_of_birth <= ").bind(years_before(self.as_of, min_age).to_string());
        }
        // …and after this one to be at most `max_age`.
        if let Some(max_age) = self.max_age {
            sql.push(" AND r.date_of_birth > ").bind(years_before(self.as_of, max_age + 1).to_string());
        }
        match list {
            ListSource::None => {}
            ListSource::Campaign(campaign_id) => {
                sql.push(" AND r.nhs_number IN (SELECT nhs_number FROM campaign_listed WHERE campaign_id = ")
                    .bind(*campaign_id)
                    .push(")");
            }
            ListSource::Numbers(numbers) => {
                sql.push(" AND r.nhs_number IN ").bind_list(numbers.iter().map(String::as_str));
            }
        }
        if self.without_entries == WithoutEntries::LeaveOut {
            sql.push(" AND ").push(HAS_ENTRY_SQL);
        }
    }

    /// SQL that is true when record `r` has had the most reminders allowed.
    pub fn reminder_cap_sql(&self) -> Option<String> {
        match self.registration {
            Registration::Reminder { max_reminders, .. } => Some(format!(
                "(SELECT count(*) FROM invitations ri JOIN campaigns rc ON rc.id = ri.campaign_id \
                 WHERE ri.record_id = r.id AND rc.kind = 'reminder') >= {max_reminders}"
            )),
            _ => None,
        }
    }

    /// In words, for the campaign page.
    pub fn describe(&self) -> Vec<String> {
        let mut words = vec![match self.registration {
            Registration::NotInvited => "Never invited".to_owned(),
            Registration::NotRegistered => "Not registered and no invitation they can still use".to_owned(),
            Registration::Reminder { invited_days_ago, max_reminders } => format!(
                "Invited at least {invited_days_ago} days ago and not registered; at most {max_reminders} reminder{}",
                if max_reminders == 1 { "" } else { "s" }
            ),
        }];
        match (self.min_age, self.max_age) {
            (Some(min), Some(max)) => words.push(format!("Aged {min} to {max}")),
            (Some(min), None) => words.push(format!("Aged {min} or over")),
            (None, Some(max)) => words.push(format!("Aged {max} or under")),
            (None, None) => {}
        }
        if self.listed {
            words.push("Only the NHS numbers in the uploaded list".to_owned());
        }
        match self.without_entries {
            WithoutEntries::Invite => {}
            WithoutEntries::LeaveOut => words.push("Only records with at least one entry".to_owned()),
            WithoutEntries::Hold => {
                words.push("Records with no entry yet: invitation held until their first entry arrives".to_owned())
            }
        }
        words.push(
            match self.channel {
                CampaignChannel::Letter => "With a postal address",
                CampaignChannel::Sms => "With a mobile phone number",
                CampaignChannel::Email => "With an email address",
            }
            .to_owned(),
        );
        words
    }
}

/// The same day `years` years earlier (29 February becomes 28 February).
fn years_before(day: Date, years: u32) -> Date {
    let year = day.year() - i32::try_from(years).unwrap_or(i32::MAX / 2);
    Date::from_calendar_date(year, day.month(), day.day())
        .or_else(|_| Date::from_calendar_date(year, day.month(), day.day() - 1))
        .unwrap_or(day)
}

/// Counts a cohort now: what it holds and why some of it cannot be invited.
pub async fn preview(db: &Db, team_id: &str, asked: &CohortAsked) -> Result<CohortPreview, sqlx::Error> {
    let numbers: Vec<String> =
        asked.listed.as_ref().map(|l| l.numbers.iter().map(|(n, _)| n.as_digits()).collect()).unwrap_or_default();
    let mut totals = PreviewCounts::default();
    // Left out: counted as if invited, to say how many are left out.
    let unfiltered = Cohort { without_entries: WithoutEntries::Invite, ..asked.cohort.clone() };
    // A long list is counted in slices, so no statement binds too many values.
    let slices: Vec<&[String]> = if asked.listed.is_some() { numbers.chunks(500).collect() } else { vec![&[]] };
    for slice in slices {
        let list = if asked.listed.is_some() { ListSource::Numbers(slice) } else { ListSource::None };
        totals.add(count(db, team_id, &asked.cohort, &list).await?);
        if asked.cohort.without_entries == WithoutEntries::LeaveOut {
            totals.without_entries += count(db, team_id, &unfiltered, &list).await?.without_entries;
        }
    }
    let held = if asked.cohort.without_entries == WithoutEntries::Hold { totals.without_entries } else { 0 };
    let not_in_team = match &asked.listed {
        Some(listed) => Some(listed_not_in_team(db, team_id, listed).await?),
        None => None,
    };
    let shared_contacts =
        shared_contacts(db, team_id, &asked.cohort, asked.listed.is_some().then_some(&numbers)).await?;
    Ok(CohortPreview {
        matching: totals.matching,
        excluded: totals.excluded,
        lacking_contact: totals.lacking_contact,
        reminder_cap_reached: totals.capped,
        to_invite: totals.matching - totals.excluded - totals.lacking_contact - totals.capped - held,
        listed: asked.listed.as_ref().map(|l| l.numbers.len() as u64),
        not_in_team,
        shared_contacts,
        records_without_entries: asked.cohort.without_entries.as_str().to_owned(),
        without_entries: totals.without_entries,
    })
}

/// Of the records a campaign would message, those whose number or address
/// is another's in the same cohort, and how many such contacts there are.
async fn shared_contacts(
    db: &Db,
    team_id: &str,
    cohort: &Cohort,
    listed: Option<&Vec<String>>,
) -> Result<Option<SharedContacts>, sqlx::Error> {
    let Some(key) = cohort.channel.contact_key_sql() else { return Ok(None) };
    // The records a campaign would message, after `select`.
    let invitable = |list: &ListSource<'_>, select: &str| {
        let contact = cohort.channel.has_contact_sql();
        let capped = cohort.reminder_cap_sql().unwrap_or_else(|| "1 = 0".into());
        let mut sql = Statement::for_engine(db.engine, "");
        sql.push(&format!(
            "{select} FROM team_records tr JOIN records r ON r.id = tr.record_id \
             LEFT JOIN exclusions x ON x.record_id = r.id \
             WHERE x.record_id IS NULL AND r.owner_account_id IS NULL AND {contact} AND NOT {capped}"
        ));
        cohort.push_filters(&mut sql, team_id, list);
        sql
    };
    let Some(numbers) = listed else {
        // The whole cohort at once: counted in SQL, however large.
        let select = format!(
            "SELECT count(*), CAST(coalesce(sum(s.n), 0) AS BIGINT) FROM (SELECT {key} AS contact, count(*) AS n"
        );
        let mut sql = invitable(&ListSource::None, &select);
        sql.push(&format!(" GROUP BY {key} HAVING count(*) > 1) s"));
        let (contacts, records): (i64, i64) = sql.query_as()?.fetch_one(&db.pool).await?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        return Ok(Some(SharedContacts { records: n(records), contacts: n(contacts) }));
    };
    // A list (at most MAX_LISTED numbers) is read in slices, so a family
    // split across two slices is counted here rather than in SQL.
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for slice in numbers.chunks(500) {
        let sql = invitable(&ListSource::Numbers(slice), &format!("SELECT {key}"));
        let contacts: Vec<String> = sql.query_scalar()?.fetch_all(&db.pool).await?;
        for contact in contacts {
            *seen.entry(contact).or_default() += 1;
        }
    }
    let shared = seen.values().filter(|n| **n > 1);
    Ok(Some(SharedContacts { records: shared.clone().sum(), contacts: shared.count() as u64 }))
}

#[derive(Debug, Default, Clone, Copy)]
struct PreviewCounts {
    matching: u64,
    excluded: u64,
    lacking_contact: u64,
    capped: u64,
    /// Would be invited (not excluded, with contact, not capped), but have no entry.
    without_entries: u64,
}

impl PreviewCounts {
    fn add(&mut self, other: Self) {
        self.matching += other.matching;
        self.excluded += other.excluded;
        self.lacking_contact += other.lacking_contact;
        self.capped += other.capped;
        self.without_entries += other.without_entries;
    }
}

/// The cohort's records, and how many of them are excluded, lack the
/// contact detail, or (not excluded, with contact) have had their reminders.
async fn count(db: &Db, team_id: &str, cohort: &Cohort, list: &ListSource<'_>) -> Result<PreviewCounts, sqlx::Error> {
    let contact = cohort.channel.has_contact_sql();
    let capped = cohort.reminder_cap_sql().unwrap_or_else(|| "1 = 0".into());
    let mut sql = Statement::for_engine(db.engine, "");
    sql.push(&format!(
        "SELECT count(*), \
         coalesce(sum(CASE WHEN x.record_id IS NOT NULL THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN x.record_id IS NULL AND NOT {contact} THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN x.record_id IS NULL AND {contact} AND {capped} THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN x.record_id IS NULL AND {contact} AND NOT {capped} AND NOT {HAS_ENTRY_SQL} THEN 1 ELSE 0 END), 0) \
         FROM team_records tr JOIN records r ON r.id = tr.record_id LEFT JOIN exclusions x ON x.record_id = r.id \
         WHERE 1 = 1"
    ));
    cohort.push_filters(&mut sql, team_id, list);
    let (matching, excluded, lacking, capped, without): (i64, i64, i64, i64, i64) =
        sql.query_as()?.fetch_one(&db.pool).await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(PreviewCounts {
        matching: n(matching),
        excluded: n(excluded),
        lacking_contact: n(lacking),
        capped: n(capped),
        without_entries: n(without),
    })
}

/// The listed NHS numbers that are not records of the team.
async fn listed_not_in_team(db: &Db, team_id: &str, listed: &Listed) -> Result<ListedNotInTeam, sqlx::Error> {
    let mut in_team = BTreeSet::new();
    for slice in listed.numbers.chunks(500) {
        let mut sql = Statement::for_engine(
            db.engine,
            "SELECT r.nhs_number FROM team_records tr JOIN records r ON r.id = tr.record_id WHERE tr.team_id = ",
        );
        sql.bind(team_id).push(" AND r.nhs_number IN ");
        sql.bind_list(slice.iter().map(|(number, _)| number.as_digits()));
        let found: Vec<String> = sql.query_scalar()?.fetch_all(&db.pool).await?;
        in_team.extend(found);
    }
    let missing: Vec<u64> =
        listed.numbers.iter().filter(|(n, _)| !in_team.contains(&n.as_digits())).map(|(_, row)| *row).collect();
    Ok(ListedNotInTeam { count: missing.len() as u64, rows: missing.into_iter().take(20).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn request(channel: &str, registration: &str) -> CohortRequest {
        CohortRequest {
            channel: channel.into(),
            registration: registration.into(),
            min_age: None,
            max_age: None,
            nhs_numbers_csv: None,
            invited_days_ago: None,
            max_reminders: None,
            records_without_entries: None,
        }
    }

    #[test]
    fn a_list_reads_a_headed_column_or_the_first_and_names_bad_rows() {
        let listed = parse_listed("name,NHS number\nAda,943 476 5919\nBen,9434765870\n").unwrap();
        assert_eq!(listed.numbers.len(), 2);
        assert_eq!(listed.numbers[1].1, 3);
        let listed = parse_listed("9434765919\n9434765919\n\n9434765870").unwrap();
        assert_eq!(listed.numbers.len(), 2, "duplicates and blank lines are dropped");
        let err = parse_listed("nhs_number\n9434765919\n1234567890\nnot a number\n").unwrap_err();
        assert!(err.contains("2 rows") && err.contains("rows 3, 4"), "{err}");
        assert!(parse_listed("nhs_number\n").unwrap_err().contains("no NHS numbers"));
        assert!(parse_listed("\"unterminated").is_err() || parse_listed("\"unterminated").is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = request("fax", "everyone");
        bad.min_age = Some(200);
        let Err(ApiError::Invalid(problems)) = parse(&bad, date!(2026 - 11 - 27)) else { panic!("accepted") };
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["channel", "registration", "min_age"]);
        let mut reminder = request("sms", "reminder");
        reminder.invited_days_ago = Some(0);
        let Err(ApiError::Invalid(problems)) = parse(&reminder, date!(2026 - 11 - 27)) else { panic!("accepted") };
        assert_eq!(problems.len(), 2);
        let mut ages = request("letter", "not_invited");
        (ages.min_age, ages.max_age) = (Some(70), Some(65));
        assert!(parse(&ages, date!(2026 - 11 - 27)).is_err());
    }

    #[test]
    fn records_without_entries_are_invited_left_out_or_held_and_unasked_takes_the_team_s_setting() {
        let today = date!(2026 - 11 - 27);
        let unasked = parse(&request("sms", "not_invited"), today).unwrap();
        assert_eq!(unasked.cohort.without_entries, WithoutEntries::Invite);
        assert_eq!(unasked.clone().with_team_default(true).cohort.without_entries, WithoutEntries::Hold);
        assert_eq!(unasked.with_team_default(false).cohort.without_entries, WithoutEntries::Invite);
        for (asked, meant) in [
            ("invite", WithoutEntries::Invite),
            ("leave_out", WithoutEntries::LeaveOut),
            ("hold", WithoutEntries::Hold),
        ] {
            let cohort =
                CohortRequest { records_without_entries: Some(asked.into()), ..request("email", "not_invited") };
            let parsed = parse(&cohort, today).unwrap().with_team_default(asked != "hold");
            assert_eq!(parsed.cohort.without_entries, meant, "asked wins over the team's setting");
            assert_eq!(meant.as_str(), asked);
        }
        let bad = CohortRequest { records_without_entries: Some("later".into()), ..request("sms", "not_invited") };
        let Err(ApiError::Invalid(problems)) = parse(&bad, today) else { panic!("accepted") };
        assert_eq!(problems[0].field, "records_without_entries");
    }

    #[test]
    fn a_cohort_stored_before_holds_existed_still_reads_and_invites_everyone() {
        let held = parse(
            &CohortRequest { records_without_entries: Some("hold".into()), ..request("sms", "not_invited") },
            date!(2026 - 11 - 27),
        )
        .unwrap()
        .cohort;
        let mut before = serde_json::to_value(&held).unwrap();
        before.as_object_mut().unwrap().remove("without_entries");
        let cohort: Cohort = serde_json::from_value(before).unwrap();
        assert_eq!(cohort.without_entries, WithoutEntries::Invite);
        let again: Cohort = serde_json::from_str(&serde_json::to_string(&held).unwrap()).unwrap();
        assert_eq!(again, held);
    }

    #[test]
    fn ages_become_birth_dates() {
        assert_eq!(years_before(date!(2026 - 11 - 27), 65), date!(1961 - 11 - 27));
        assert_eq!(years_before(date!(2028 - 02 - 29), 1), date!(2027 - 02 - 28));
    }

    #[test]
    fn a_cohort_says_what_it_is() {
        let asked =
            parse(&CohortRequest { min_age: Some(65), ..request("letter", "not_registered") }, date!(2026 - 11 - 27))
                .unwrap();
        let words = asked.cohort.describe();
        assert_eq!(words[1], "Aged 65 or over");
        assert_eq!(words.last().unwrap(), "With a postal address");
    }
}
