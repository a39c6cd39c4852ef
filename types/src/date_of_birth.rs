//! A date of birth: a real calendar date, not in the future, not before 1900.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month, format_description::BorrowedFormatItem, macros::format_description};

const ISO: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");
const EARLIEST_YEAR: i32 = 1900;

/// A valid date of birth. The check against "today" needs a clock, so parsing
/// takes `today` as a parameter rather than reading one: tests set the date.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct DateOfBirth(Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateOfBirthError {
    #[error("Enter a date of birth")]
    Empty,
    #[error("Date of birth must include a day, month and year")]
    Incomplete,
    #[error("Date of birth must be a real date")]
    NotARealDate,
    #[error("Date of birth must be in the past")]
    InTheFuture,
    #[error("Date of birth must be after 1 January 1900")]
    TooEarly,
}

impl DateOfBirth {
    /// Parses `YYYY-MM-DD`, as the API exchanges dates.
    pub fn parse(input: &str, today: Date) -> Result<Self, DateOfBirthError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(DateOfBirthError::Empty);
        }
        let date = Date::parse(trimmed, ISO).map_err(|_| DateOfBirthError::NotARealDate)?;
        Self::checked(date, today)
    }

    /// Builds a date of birth from the three boxes of the NHS.UK date input.
    pub fn from_parts(day: &str, month: &str, year: &str, today: Date) -> Result<Self, DateOfBirthError> {
        let (day, month, year) = (day.trim(), month.trim(), year.trim());
        if day.is_empty() && month.is_empty() && year.is_empty() {
            return Err(DateOfBirthError::Empty);
        }
        if day.is_empty() || month.is_empty() || year.is_empty() {
            return Err(DateOfBirthError::Incomplete);
        }
        let day: u8 = day.parse().map_err(|_| DateOfBirthError::NotARealDate)?;
        let month: u8 = month.parse().map_err(|_| DateOfBirthError::NotARealDate)?;
        if year.len() != 4 {
            return Err(DateOfBirthError::NotARealDate);
        }
        let year: i32 = year.parse().map_err(|_| DateOfBirthError::NotARealDate)?;
        let month = Month::try_from(month).map_err(|_| DateOfBirthError::NotARealDate)?;
        let date = Date::from_calendar_date(year, month, day).map_err(|_| DateOfBirthError::NotARealDate)?;
        Self::checked(date, today)
    }

    /// Reads a date already stored by Portico (so already checked once).
    pub fn from_stored(input: &str) -> Result<Self, DateOfBirthError> {
        Date::parse(input.trim(), ISO).map(Self).map_err(|_| DateOfBirthError::NotARealDate)
    }

    fn checked(date: Date, today: Date) -> Result<Self, DateOfBirthError> {
        if date.year() < EARLIEST_YEAR {
            return Err(DateOfBirthError::TooEarly);
        }
        if date > today {
            return Err(DateOfBirthError::InTheFuture);
        }
        Ok(Self(date))
    }

    pub fn date(&self) -> Date {
        self.0
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        self.0.format(ISO).unwrap_or_default()
    }

    /// The way NHS.UK writes dates: `7 March 1985`.
    pub fn long(&self) -> String {
        format!("{} {} {}", self.0.day(), self.0.month(), self.0.year())
    }

    /// Whole years of age on `today`.
    pub fn age_on(&self, today: Date) -> i32 {
        let mut age = today.year() - self.0.year();
        if (today.month() as u8, today.day()) < (self.0.month() as u8, self.0.day()) {
            age -= 1;
        }
        age
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.long())
    }
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DateOfBirth(***)")
    }
}

impl From<DateOfBirth> for String {
    fn from(value: DateOfBirth) -> Self {
        value.iso()
    }
}

impl TryFrom<String> for DateOfBirth {
    type Error = DateOfBirthError;

    /// Deserialising checks the calendar only: the "not in the future" check
    /// needs today's date and happens where the input is parsed with a clock.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let date = Self::from_stored(&value)?;
        if date.0.year() < EARLIEST_YEAR {
            return Err(DateOfBirthError::TooEarly);
        }
        Ok(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 25);

    #[test]
    fn parses_real_dates() {
        let d = DateOfBirth::parse("1985-03-07", TODAY).unwrap();
        assert_eq!(d.iso(), "1985-03-07");
        assert_eq!(d.long(), "7 March 1985");
        assert_eq!(DateOfBirth::from_parts("7", "3", "1985", TODAY), Ok(d));
        assert_eq!(DateOfBirth::parse("2026-11-25", TODAY).unwrap().age_on(TODAY), 0);
    }

    #[test]
    fn refuses_impossible_future_and_ancient_dates() {
        assert_eq!(DateOfBirth::parse("", TODAY), Err(DateOfBirthError::Empty));
        assert_eq!(DateOfBirth::parse("2023-02-29", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(DateOfBirth::parse("1985-13-01", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(DateOfBirth::parse("07/03/1985", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(DateOfBirth::parse("2026-11-26", TODAY), Err(DateOfBirthError::InTheFuture));
        assert_eq!(DateOfBirth::parse("1899-12-31", TODAY), Err(DateOfBirthError::TooEarly));
        assert_eq!(DateOfBirth::from_parts("7", "", "1985", TODAY), Err(DateOfBirthError::Incomplete));
        assert_eq!(DateOfBirth::from_parts("31", "4", "1985", TODAY), Err(DateOfBirthError::NotARealDate));
        assert_eq!(DateOfBirth::from_parts("7", "3", "85", TODAY), Err(DateOfBirthError::NotARealDate));
    }

    #[test]
    fn age_turns_on_the_birthday() {
        let d = DateOfBirth::parse("2010-11-26", TODAY).unwrap();
        assert_eq!(d.age_on(TODAY), 15);
        assert_eq!(d.age_on(date!(2026 - 11 - 26)), 16);
    }

    #[test]
    fn serde_round_trip_uses_iso() {
        let d = DateOfBirth::parse("1985-03-07", TODAY).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"1985-03-07\"");
        assert_eq!(serde_json::from_str::<DateOfBirth>(&json).unwrap(), d);
        assert!(serde_json::from_str::<DateOfBirth>("\"1985-02-30\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*", d in "\\PC{0,4}", m in "\\PC{0,4}", y in "\\PC{0,6}") {
            let _ = DateOfBirth::parse(&s, TODAY);
            let _ = DateOfBirth::from_parts(&d, &m, &y, TODAY);
        }
    }
}
