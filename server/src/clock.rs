//! Time as a parameter: domain code asks the clock it is given, so tests can
//! set the time (expiry, idle timeouts, lockouts, birthdays).

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

/// Where "now" comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place the system clock is read
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The system's clock, a fixed time ahead: a rehearsal of what dates do
/// (a child's birthday, an expiry) on a copy of the data, and the browser
/// journeys' way to let days pass. Set by `clock_offset_days`; never in
/// production.
#[derive(Debug, Clone, Copy)]
pub struct AheadClock(pub time::Duration);

impl Clock for AheadClock {
    fn now(&self) -> OffsetDateTime {
        SystemClock.now() + self.0
    }
}

/// A clock that tests move by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn advance(&self, by: time::Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0.lock().map(|now| *now).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// The fixed-width UTC text form every time is stored in, so that times
/// compare correctly as strings on both engines.
pub fn stored(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

/// Reads a time written by [`stored`].
pub fn parse_stored(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_times_are_fixed_width_and_sort_as_text() {
        let a = stored(datetime!(2026-01-02 03:04:05.000007 UTC));
        let b = stored(datetime!(2026-01-02 03:04:05.1 UTC));
        assert_eq!(a, "2026-01-02T03:04:05.000007Z");
        assert_eq!(a.len(), b.len());
        assert!(a < b);
        assert_eq!(parse_stored(&a), Some(datetime!(2026-01-02 03:04:05.000007 UTC)));
    }
}
