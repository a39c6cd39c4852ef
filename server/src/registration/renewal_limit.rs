//! How often one record may be sent a new code in place of an expired one:
//! a patient who lost the first email can ask again tomorrow, but nobody
//! can make Portico send a stream of codes to a patient's inbox or phone.
//! Fixed, not configured per organisation: the numbers protect the patient.

use time::{Duration, OffsetDateTime};

/// At most `count` renewals within any `within`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: usize,
    pub within: Duration,
}

/// One a day, three in thirty days.
pub const WINDOWS: [Window; 2] =
    [Window { count: 1, within: Duration::hours(24) }, Window { count: 3, within: Duration::days(30) }];

/// The longest window: renewals older than this never count.
pub const LOOK_BACK: Duration = Duration::days(30);

/// Whether another renewal may be sent at `now`, given when the record's
/// earlier renewals were sent (in any order; ones in the future, from a
/// clock set back, count as recent).
pub fn allows(sent_at: &[OffsetDateTime], now: OffsetDateTime) -> bool {
    WINDOWS.iter().all(|window| sent_at.iter().filter(|at| now - **at < window.within).count() < window.count)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    #[test]
    fn the_first_renewal_is_allowed() {
        assert!(allows(&[], NOW));
    }

    #[test]
    fn one_a_day() {
        assert!(!allows(&[NOW - Duration::hours(23)], NOW));
        assert!(!allows(&[NOW - Duration::seconds(1)], NOW));
        assert!(allows(&[NOW - Duration::hours(24)], NOW));
    }

    #[test]
    fn three_in_thirty_days() {
        let two = [NOW - Duration::days(2), NOW - Duration::days(10)];
        assert!(allows(&two, NOW));
        let three = [NOW - Duration::days(2), NOW - Duration::days(10), NOW - Duration::days(29)];
        assert!(!allows(&three, NOW));
        // The oldest drops out of the window on the 30th day.
        let aged = [NOW - Duration::days(2), NOW - Duration::days(10), NOW - Duration::days(30)];
        assert!(allows(&aged, NOW));
    }

    #[test]
    fn a_renewal_stamped_in_the_future_counts_as_recent() {
        assert!(!allows(&[NOW + Duration::hours(3)], NOW));
    }

    #[test]
    fn the_look_back_covers_every_window() {
        assert!(WINDOWS.iter().all(|w| w.within <= LOOK_BACK));
    }
}
