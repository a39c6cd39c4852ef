//! Reports for team admins. The uptake report: per team and channel, how
//! many records were invited, how many opened their invitation (code and
//! date of birth matched), how many registered with it, and how long that
//! took.
//!
//! Everything is counted in SQL, grouped by team and channel, so the work
//! and the memory do not grow with the number of invitations; the median is
//! taken in Rust from a histogram of whole hours that SQL also groups.
//!
//! The drop-off funnel (`funnel`) reads the same invitations step by step:
//! where their patients stopped, and why attempts on their codes failed.

pub mod funnel;
pub mod routes;

pub use funnel::funnel;

use std::collections::BTreeMap;

use portico_types::api::UptakeRow;
use time::{Date, Time};

use crate::clock::stored;
use crate::db::{Db, Engine, Statement};

/// Which invitations a report counts: those of the teams the account is an
/// admin of (of one of them, with `team_id`), issued in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub admin_account_id: String,
    pub team_id: Option<String>,
    pub period: Period,
}

/// Days of issue, both ends included, in UTC (as times are stored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    /// The stored time the period starts at, and the one it ends before.
    fn bounds(self) -> (Option<String>, Option<String>) {
        let midnight = |date: Date| stored(date.with_time(Time::MIDNIGHT).assume_utc());
        // The last day there is has no day after it: then nothing is after the period.
        (self.from.map(midnight), self.to.and_then(Date::next_day).map(midnight))
    }
}

/// Channels in the order the report lists them.
const CHANNEL_ORDER: [&str; 6] = ["letter", "sms", "email", "kiosk", "face_to_face", "professional"];

fn channel_rank(channel: &str) -> usize {
    CHANNEL_ORDER.iter().position(|c| *c == channel).unwrap_or(CHANNEL_ORDER.len())
}

/// The invitations of `scope`, as SQL after `FROM`: `i` the invitations, `t` their team.
fn scoped(sql: &str, scope: &Scope) -> Statement {
    let mut statement = Statement::new(sql);
    statement.push(
        " FROM invitations i JOIN teams t ON t.id = i.team_id \
         JOIN team_roles r ON r.team_id = i.team_id AND r.role = 'admin' AND r.account_id = ",
    );
    statement.bind(scope.admin_account_id.as_str());
    if let Some(team_id) = &scope.team_id {
        statement.push(" AND i.team_id = ").bind(team_id.as_str());
    }
    let (from, before) = scope.period.bounds();
    if let Some(from) = from {
        statement.push(" AND i.issued_at >= ").bind(from);
    }
    if let Some(before) = before {
        statement.push(" AND i.issued_at < ").bind(before);
    }
    statement
}

/// Whole hours from an invitation's issue to its last change, which for a
/// used invitation is when it was used.
fn hours_to_use(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "(CAST(strftime('%s', i.updated_at) AS INTEGER) - CAST(strftime('%s', i.issued_at) AS INTEGER)) / 3600"
        }
        Engine::Postgres => {
            "CAST(FLOOR(EXTRACT(EPOCH FROM (CAST(i.updated_at AS TIMESTAMPTZ) \
             - CAST(i.issued_at AS TIMESTAMPTZ)))) AS BIGINT) / 3600"
        }
    }
}

type CountRow = (String, String, String, i64, i64, i64);

/// The uptake rows of `scope`: one per team and channel that has
/// invitations, teams by name, channels in [`CHANNEL_ORDER`].
pub async fn uptake(db: &Db, scope: &Scope) -> anyhow::Result<Vec<UptakeRow>> {
    // Opened: the code and date of birth matched, which starts a
    // registration; the state alone forgets it once a code is locked by
    // later wrong tries, or revoked by a newer invitation.
    let mut counts = scoped(
        "SELECT i.team_id, t.name, i.channel, COUNT(DISTINCT i.record_id), \
         COUNT(DISTINCT CASE WHEN i.state IN ('opened', 'used') \
           OR EXISTS (SELECT 1 FROM registrations g WHERE g.invitation_id = i.id) THEN i.record_id END), \
         COUNT(DISTINCT CASE WHEN i.state = 'used' THEN i.record_id END)",
        scope,
    );
    counts.push(" GROUP BY i.team_id, t.name, i.channel");
    let counts: Vec<CountRow> = counts.query_as()?.fetch_all(&db.pool).await?;

    let mut histogram = scoped(&format!("SELECT i.team_id, i.channel, {}, COUNT(*)", hours_to_use(db.engine)), scope);
    histogram.push(" AND i.state = 'used' GROUP BY 1, 2, 3");
    let histogram: Vec<(String, String, i64, i64)> = histogram.query_as()?.fetch_all(&db.pool).await?;
    let mut hours: BTreeMap<(String, String), Vec<(u64, u64)>> = BTreeMap::new();
    for (team_id, channel, whole_hours, count) in histogram {
        // A clock set back between issue and use would make it negative: counted as 0.
        let bucket = (u64::try_from(whole_hours).unwrap_or(0), u64::try_from(count).unwrap_or(0));
        hours.entry((team_id, channel)).or_default().push(bucket);
    }

    let mut rows: Vec<UptakeRow> = counts
        .into_iter()
        .map(|(team_id, team_name, channel, invited, opened, registered)| {
            let [invited, opened, registered] = [invited, opened, registered].map(|n| u64::try_from(n).unwrap_or(0));
            let median_hours_to_register =
                hours.get_mut(&(team_id.clone(), channel.clone())).and_then(|buckets| median(buckets));
            UptakeRow {
                team_id,
                team_name,
                channel,
                invited,
                opened,
                registered,
                conversion_permille: permille(registered, invited),
                median_hours_to_register,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.team_name.as_str(), a.team_id.as_str(), channel_rank(&a.channel)).cmp(&(
            b.team_name.as_str(),
            b.team_id.as_str(),
            channel_rank(&b.channel),
        ))
    });
    Ok(rows)
}

/// `part` of `whole` in tenths of a per cent, rounded to the nearest.
pub fn permille(part: u64, whole: u64) -> u64 {
    (part.saturating_mul(1000) + whole / 2).checked_div(whole).unwrap_or(0)
}

/// The median of a histogram of (value, how many), halfway between the two
/// middle values (rounded up) when the count is even; `None` when empty.
pub fn median(buckets: &mut [(u64, u64)]) -> Option<u64> {
    buckets.sort_unstable();
    let total: u64 = buckets.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The values at 0-based positions `low` and `high` of the sorted list.
    let (low, high) = ((total - 1) / 2, total / 2);
    let at = |position: u64| {
        let mut seen = 0;
        buckets.iter().find(|(_, n)| {
            seen += n;
            seen > position
        })
    };
    let (a, b) = (at(low)?.0, at(high)?.0);
    Some(a + (b - a).div_ceil(2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_median_is_read_from_the_histogram() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [(5, 0)]), None);
        assert_eq!(median(&mut [(7, 1)]), Some(7));
        assert_eq!(median(&mut [(10, 1), (2, 1), (4, 1)]), Some(4));
        // Even: halfway between the middle two, rounded up.
        assert_eq!(median(&mut [(1, 1), (4, 1)]), Some(3));
        assert_eq!(median(&mut [(2, 2), (3, 2)]), Some(3));
        assert_eq!(median(&mut [(0, 3), (48, 1)]), Some(0));
        assert_eq!(median(&mut [(1, 1), (100, 1000)]), Some(100));
    }

    #[test]
    fn conversion_is_in_tenths_of_a_per_cent() {
        assert_eq!(permille(0, 0), 0);
        assert_eq!(permille(1, 3), 333);
        assert_eq!(permille(2, 3), 667);
        assert_eq!(permille(5, 5), 1000);
    }

    #[test]
    fn a_period_runs_from_the_first_midnight_to_the_midnight_after_its_last_day() {
        let period = Period { from: Some(date!(2026 - 11 - 01)), to: Some(date!(2026 - 11 - 30)) };
        assert_eq!(
            period.bounds(),
            (Some("2026-11-01T00:00:00.000000Z".to_owned()), Some("2026-12-01T00:00:00.000000Z".to_owned()))
        );
        assert_eq!(Period::default().bounds(), (None, None));
    }
}
