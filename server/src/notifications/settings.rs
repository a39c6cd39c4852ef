//! When notifications go: the coalescing window and the digest's hour.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Seconds after the first of a burst of events (new entries) before its
    /// one email goes; events in between fold into it.
    pub notification_coalesce_secs: u64,
    /// The hour of the day (UTC, 0-23) the daily digest goes.
    pub notification_digest_hour: u8,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { notification_coalesce_secs: 600, notification_digest_hour: 8 }
    }
}

impl NotificationSettings {
    pub fn window(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.notification_coalesce_secs.min(86_400)).unwrap_or(600))
    }

    pub fn digest_hour(&self) -> u8 {
        self.notification_digest_hour.min(23)
    }

    /// The latest digest time at or before `now`: pending digest events that
    /// came before it are due.
    pub fn last_digest_at(&self, now: time::OffsetDateTime) -> time::OffsetDateTime {
        let now = now.to_offset(time::UtcOffset::UTC);
        let today = now.replace_time(time::Time::MIDNIGHT) + time::Duration::hours(i64::from(self.digest_hour()));
        if today <= now { today } else { today - time::Duration::days(1) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn notification_digest_time_is_the_last_digest_hour_passed() {
        let s = NotificationSettings { notification_coalesce_secs: 600, notification_digest_hour: 8 };
        assert_eq!(s.last_digest_at(datetime!(2026-11-25 09:00 UTC)), datetime!(2026-11-25 08:00 UTC));
        assert_eq!(s.last_digest_at(datetime!(2026-11-25 08:00 UTC)), datetime!(2026-11-25 08:00 UTC));
        assert_eq!(s.last_digest_at(datetime!(2026-11-25 07:59 UTC)), datetime!(2026-11-24 08:00 UTC));
    }
}
