//! HL7 dates and times (`DTM`: `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`).
//!
//! A time sent without an offset is the sender's local time; Portico's
//! senders are in the UK, so such times are read as UK time (GMT, or BST from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
//! October). An hour that happens twice in October is taken the first time.

use time::macros::offset;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("is not an HL7 date and time (YYYYMMDDHHMMSS, optionally with +ZZZZ)")]
    Format,
    #[error("is not a real date and time")]
    NotReal,
}

/// The digits of `s`, if it is all digits.
fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Splits `s` into its first `n` characters and the rest, when they are ASCII.
fn take(s: &str, n: usize) -> Option<(&str, &str)> {
    if s.len() >= n && s.is_char_boundary(n) { Some(s.split_at(n)) } else { None }
}

/// Reads an HL7 `DTM`. Missing parts of the time are zero; the year is required.
pub fn parse(raw: &str) -> Result<OffsetDateTime, TimestampError> {
    let raw = raw.trim();
    if !raw.is_ascii() {
        return Err(TimestampError::Format);
    }
    let (local, zone) = match raw.find(['+', '-']) {
        Some(at) => (raw.get(..at).unwrap_or_default(), Some(raw.get(at..).unwrap_or_default())),
        None => (raw, None),
    };
    let (whole, fraction) = match local.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (local, None),
    };
    if !matches!(whole.len(), 4 | 6 | 8 | 10 | 12 | 14) || (fraction.is_some() && whole.len() != 14) {
        return Err(TimestampError::Format);
    }
    let mut parts = [0u32; 6];
    let mut rest = whole;
    for (i, slot) in parts.iter_mut().enumerate() {
        let width = if i == 0 { 4 } else { 2 };
        match take(rest, width) {
            Some((digits, tail)) => {
                *slot = number(digits).ok_or(TimestampError::Format)?;
                rest = tail;
            }
            None if rest.is_empty() => *slot = if i == 1 || i == 2 { 1 } else { 0 },
            None => return Err(TimestampError::Format),
        }
    }
    let [year, month, day, hour, minute, second] = parts;
    let micro = match fraction {
        None => 0,
        Some(f) if (1..=4).contains(&f.len()) => {
            number(f).ok_or(TimestampError::Format)? * 10u32.pow(6 - u32::try_from(f.len()).unwrap_or(6))
        }
        Some(_) => return Err(TimestampError::Format),
    };
    let year = i32::try_from(year).map_err(|_| TimestampError::Format)?;
    let month = u8::try_from(month).ok().and_then(|m| Month::try_from(m).ok()).ok_or(TimestampError::NotReal)?;
    let byte = |n: u32| u8::try_from(n).map_err(|_| TimestampError::NotReal);
    let date = Date::from_calendar_date(year, month, byte(day)?).map_err(|_| TimestampError::NotReal)?;
    let time =
        Time::from_hms_micro(byte(hour)?, byte(minute)?, byte(second)?, micro).map_err(|_| TimestampError::NotReal)?;
    let local = PrimitiveDateTime::new(date, time);
    match zone {
        None => Ok(uk_time(local)),
        Some(zone) => Ok(local.assume_offset(zone_offset(zone)?)),
    }
}

/// `+HHMM` or `-HHMM`.
fn zone_offset(zone: &str) -> Result<UtcOffset, TimestampError> {
    let (sign, digits) = take(zone, 1).ok_or(TimestampError::Format)?;
    let (hours, minutes) = take(digits, 2).ok_or(TimestampError::Format)?;
    if minutes.len() != 2 {
        return Err(TimestampError::Format);
    }
    let hours = i8::try_from(number(hours).ok_or(TimestampError::Format)?).map_err(|_| TimestampError::NotReal)?;
    let minutes = i8::try_from(number(minutes).ok_or(TimestampError::Format)?).map_err(|_| TimestampError::NotReal)?;
    let (hours, minutes) = if sign == "-" { (-hours, -minutes) } else { (hours, minutes) };
    if !(-14..=14).contains(&hours) || !(-59..=59).contains(&minutes) {
        return Err(TimestampError::NotReal);
    }
    UtcOffset::from_hms(hours, minutes, 0).map_err(|_| TimestampError::NotReal)
}

/// The last Sunday of `month` (March or October: 31 days) at 01:00 UTC.
fn last_sunday_one_am(year: i32, month: Month) -> Option<OffsetDateTime> {
    let last = Date::from_calendar_date(year, month, 31).ok()?;
    let sunday = last - Duration::days(i64::from(last.weekday().number_days_from_sunday()));
    Some(sunday.with_hms(1, 0, 0).ok()?.assume_utc())
}

/// A UK wall-clock time as an instant.
fn uk_time(local: PrimitiveDateTime) -> OffsetDateTime {
    let as_bst = local.assume_offset(offset!(+1));
    let year = local.year();
    match (last_sunday_one_am(year, Month::March), last_sunday_one_am(year, Month::October)) {
        (Some(start), Some(end)) if as_bst >= start && as_bst < end => as_bst,
        _ => local.assume_utc(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn full_and_partial_times() {
        assert_eq!(parse("20261120103000+0000").unwrap(), datetime!(2026-11-20 10:30:00 UTC));
        assert_eq!(parse("20261120103000.25-0130").unwrap(), datetime!(2026-11-20 10:30:00.25 -01:30));
        assert_eq!(parse("202611201030+0100").unwrap(), datetime!(2026-11-20 09:30 UTC));
        assert_eq!(parse("20261120").unwrap(), datetime!(2026-11-20 00:00 UTC));
        assert_eq!(parse("2026").unwrap(), datetime!(2026-01-01 00:00 UTC));
    }

    #[test]
    fn times_without_an_offset_are_uk_time() {
        assert_eq!(parse("20260701120000").unwrap(), datetime!(2026-07-01 11:00 UTC), "BST");
        assert_eq!(parse("20261201120000").unwrap(), datetime!(2026-12-01 12:00 UTC), "GMT");
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(parse("20260329003000").unwrap(), datetime!(2026-03-29 00:30 UTC));
        assert_eq!(parse("20260329023000").unwrap(), datetime!(2026-03-29 01:30 UTC));
        assert_eq!(parse("20261025013000").unwrap(), datetime!(2026-10-25 00:30 UTC), "first of the two");
        assert_eq!(parse("20261025023000").unwrap(), datetime!(2026-10-25 02:30 UTC));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "2026112",
            "20261120T1030",
            "2026-11-20",
            "20261120103000.",
            "20261120103000.12345",
            "2026112010+01",
            "20261120+01000",
            "２０２６",
            "20261120103000+ab00",
        ] {
            assert_eq!(parse(bad), Err(TimestampError::Format), "{bad}");
        }
        for bad in ["20260230", "20261320", "20261120250000", "20261120106000", "20261120103000+1500"] {
            assert_eq!(parse(bad), Err(TimestampError::NotReal), "{bad}");
        }
    }
}
