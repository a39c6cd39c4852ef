//! The uptake report's drop-off funnel: per team and channel, how many of
//! the invited records reached each step of registration, where the rest
//! stopped, and why attempts on their codes were refused.
//!
//! Each invitation's furthest step is read from what the steps already
//! write (the registration row: begun, email given, email confirmed; the
//! invitation used) and from `invitation_refusals` (a code entered but
//! refused). Like the uptake counts, it is all grouped in SQL by team and
//! channel, so memory does not grow with the number of invitations; a
//! record with several invitations of one channel counts once, at the
//! furthest step any of them reached.

use portico_types::api::{FUNNEL_STEPS, FunnelRow, FunnelStep, REFUSAL_REASONS, RefusalCount};

use super::{Scope, channel_rank, permille, scoped};
use crate::db::Db;

/// An invitation's furthest step, as an index into [`FUNNEL_STEPS`]: used
/// is registered; then the furthest registration begun with it (email
/// confirmed, given, or neither); an invitation marked opened without one
/// (as the uptake report counts it) matched the date of birth; a refused
/// attempt means its code was entered.
const FURTHEST_STEP: &str = "CASE WHEN i.state = 'used' THEN 5 ELSE COALESCE(\
     (SELECT MAX(CASE WHEN g.email_verified_at IS NOT NULL THEN 4 WHEN g.email IS NOT NULL THEN 3 ELSE 2 END) \
      FROM registrations g WHERE g.invitation_id = i.id), \
     CASE WHEN i.state = 'opened' THEN 2 WHEN a.invitation_id IS NOT NULL THEN 1 ELSE 0 END) END";

type CountRow = (String, String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The funnel rows of `scope`: one per team and channel that has
/// invitations, in the uptake report's order.
pub async fn funnel(db: &Db, scope: &Scope) -> anyhow::Result<Vec<FunnelRow>> {
    // Each record's furthest step first (one grouping), then plain sums: six
    // COUNT(DISTINCT …) over every invitation took 3 to 4 times the uptake
    // report's own time over a million invitations.
    let reached = (0..FUNNEL_STEPS.len())
        .map(|step| format!("CAST(SUM(CASE WHEN step >= {step} THEN 1 ELSE 0 END) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ");
    let refused = REFUSAL_REASONS.map(|reason| format!("CAST(SUM({reason}) AS BIGINT)")).join(", ");
    let per_record = REFUSAL_REASONS.map(|reason| format!("SUM({reason}) AS {reason}")).join(", ");
    let per_invitation = REFUSAL_REASONS.map(|reason| format!("COALESCE(a.{reason}, 0) AS {reason}")).join(", ");
    let mut counts = scoped(
        &format!(
            "SELECT team_id, team_name, channel, {reached}, {refused} FROM (\
             SELECT team_id, team_name, channel, MAX(step) AS step, {per_record} FROM (\
             SELECT i.team_id, t.name AS team_name, i.channel, i.record_id, {FURTHEST_STEP} AS step, {per_invitation}"
        ),
        scope,
    );
    counts.push(
        " LEFT JOIN invitation_refusals a ON a.invitation_id = i.id) s \
         GROUP BY team_id, team_name, channel, record_id) per_record GROUP BY team_id, team_name, channel",
    );
    let counts: Vec<CountRow> = counts.query_as()?.fetch_all(&db.pool).await?;

    let mut rows: Vec<FunnelRow> = counts
        .into_iter()
        .map(|(team_id, team_name, channel, s0, s1, s2, s3, s4, s5, r0, r1, r2, r3, r4, r5)| {
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            FunnelRow {
                team_id,
                team_name,
                channel,
                steps: steps([s0, s1, s2, s3, s4, s5].map(count)),
                refusals: REFUSAL_REASONS
                    .iter()
                    .zip([r0, r1, r2, r3, r4, r5])
                    .map(|(reason, attempts)| RefusalCount { reason: (*reason).to_owned(), attempts: count(attempts) })
                    .collect(),
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

/// The steps from the records that reached each: the share of those
/// invited, and how many (and what part) of the step before stopped there.
fn steps(reached: [u64; 6]) -> Vec<FunnelStep> {
    let invited = reached[0];
    FUNNEL_STEPS
        .iter()
        .enumerate()
        .map(|(n, step)| {
            let before = if n == 0 { reached[0] } else { reached[n - 1] };
            let dropped = before.saturating_sub(reached[n]);
            FunnelStep {
                step: (*step).to_owned(),
                records: reached[n],
                share_permille: permille(reached[n], invited),
                dropped,
                dropped_permille: permille(dropped, before),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::steps;

    #[test]
    fn each_step_has_its_share_of_the_invited_and_its_drop_from_the_step_before() {
        let steps = steps([10, 8, 6, 6, 3, 1]);
        let figures: Vec<(&str, u64, u64, u64, u64)> = steps
            .iter()
            .map(|s| (s.step.as_str(), s.records, s.share_permille, s.dropped, s.dropped_permille))
            .collect();
        assert_eq!(
            figures,
            [
                ("invited", 10, 1000, 0, 0),
                ("code_entered", 8, 800, 2, 200),
                ("date_of_birth_matched", 6, 600, 2, 250),
                ("email_given", 6, 600, 0, 0),
                ("email_confirmed", 3, 300, 3, 500),
                ("registered", 1, 100, 2, 667),
            ]
        );
        let none = super::steps([0; 6]);
        assert!(none.iter().all(|s| s.share_permille == 0 && s.dropped_permille == 0));
    }
}
