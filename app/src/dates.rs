//! Dates and times as NHS.UK writes them ("20 November 2026", "9:30am"),
//! from the fixed-width UTC text the API sends (`2026-11-20T09:30:00.000000Z`).
//!
//! Times are shown in the browser's own time zone, so a time a professional
//! reads in summer is the clock time they lived, not UTC. The bundle carries
//! no date library: the browser's `Date` does the zone arithmetic.

use wasm_bindgen::JsValue;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A moment split into what a page shows of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl Parts {
    /// "20 November 2026".
    pub fn long_date(self) -> String {
        let month = MONTHS.get(self.month.wrapping_sub(1) as usize).copied().unwrap_or("");
        format!("{} {month} {}", self.day, self.year)
    }

    /// "9:30am", "11am", "midday", "midnight", as NHS.UK writes times.
    pub fn clock_time(self) -> String {
        match (self.hour, self.minute) {
            (0, 0) => "midnight".to_owned(),
            (12, 0) => "midday".to_owned(),
            (hour, minute) => {
                let suffix = if hour < 12 { "am" } else { "pm" };
                let hour = match hour % 12 {
                    0 => 12,
                    h => h,
                };
                if minute == 0 { format!("{hour}{suffix}") } else { format!("{hour}:{minute:02}{suffix}") }
            }
        }
    }

    /// "20 November 2026 at 9:30am".
    pub fn long_date_time(self) -> String {
        format!("{} at {}", self.long_date(), self.clock_time())
    }
}

/// The UTC parts written in the stored text itself.
pub fn utc_parts(stored: &str) -> Option<Parts> {
    let part = |from: usize, to: usize| stored.get(from..to).and_then(|s| s.parse::<u32>().ok());
    let year = i32::try_from(part(0, 4)?).ok()?;
    let (month, day) = (part(5, 7)?, part(8, 10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(Parts { year, month, day, hour: part(11, 13).unwrap_or(0), minute: part(14, 16).unwrap_or(0) })
}

/// The parts of a stored time in the browser's time zone.
pub fn local_parts(stored: &str) -> Option<Parts> {
    utc_parts(stored)?;
    // JavaScript reads ISO 8601 with milliseconds; the stored form has microseconds.
    let millis = format!("{}Z", stored.get(..23)?);
    let date = js_sys::Date::new(&JsValue::from_str(&millis));
    if date.get_time().is_nan() {
        return None;
    }
    Some(Parts {
        year: i32::try_from(date.get_full_year()).ok()?,
        month: date.get_month() + 1,
        day: date.get_date(),
        hour: date.get_hours(),
        minute: date.get_minutes(),
    })
}

/// A stored time's date as written in the text (UTC), or the text itself if it is not one.
pub fn long_date(stored: &str) -> String {
    utc_parts(stored).map_or_else(|| stored.to_owned(), Parts::long_date)
}

/// A stored time's date in the browser's time zone.
pub fn local_long_date(stored: &str) -> String {
    local_parts(stored).map_or_else(|| long_date(stored), Parts::long_date)
}

/// A stored time's date and clock time in the browser's time zone.
pub fn local_long_date_time(stored: &str) -> String {
    local_parts(stored).map_or_else(|| long_date(stored), Parts::long_date_time)
}

/// Today's date in the browser's time zone.
pub fn today() -> Option<time::Date> {
    let now = js_sys::Date::new_0();
    let month = time::Month::try_from(u8::try_from(now.get_month() + 1).ok()?).ok()?;
    let day = u8::try_from(now.get_date()).ok()?;
    time::Date::from_calendar_date(i32::try_from(now.get_full_year()).ok()?, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_as_long_dates() {
        assert_eq!(long_date("2026-11-20T09:30:00.000000Z"), "20 November 2026");
        assert_eq!(long_date("2026-01-02T00:00:00Z"), "2 January 2026");
        assert_eq!(long_date("garbage"), "garbage");
        assert_eq!(long_date("2026-13-02T00:00:00Z"), "2026-13-02T00:00:00Z");
    }

    #[test]
    fn clock_times_are_written_the_nhs_way() {
        let at = |hour, minute| Parts { year: 2026, month: 11, day: 20, hour, minute }.clock_time();
        assert_eq!(
            [at(9, 30), at(11, 0), at(12, 0), at(0, 0), at(13, 5), at(0, 15)],
            ["9:30am", "11am", "midday", "midnight", "1:05pm", "12:15am"]
        );
        let parts = utc_parts("2026-11-20T21:07:00.000000Z").unwrap();
        assert_eq!(parts.long_date_time(), "20 November 2026 at 9:07pm");
    }
}
