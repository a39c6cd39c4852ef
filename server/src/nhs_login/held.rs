//! A sign-up held for review: NHS login proved a person whose record carries
//! a safeguarding exclusion. The record is not claimed; the person has an
//! account that holds nothing, and the staff who can review it are told.

use time::OffsetDateTime;

use crate::db::Tx;
use crate::mail::{self, Email};
use crate::state::AppState;

/// Holds the sign-up of `account_id` for `record_id` and emails the
/// safeguarding leads and admins of the record's teams, within `tx`.
pub async fn hold(
    tx: &mut Tx,
    state: &AppState,
    account_id: &str,
    record_id: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let reviewers: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT a.email, t.name FROM team_records tr \
         JOIN teams t ON t.id = tr.team_id \
         JOIN team_roles ro ON ro.team_id = tr.team_id AND ro.role IN ('safeguarding_lead', 'admin') \
         JOIN accounts a ON a.id = ro.account_id \
         WHERE tr.record_id = $1 AND a.disabled_at IS NULL ORDER BY a.email, t.name",
    )
    .bind(record_id)
    .fetch_all(&mut **tx)
    .await?;
    for (email, team) in reviewers {
        let Ok(to) = portico_types::EmailAddress::parse(&email) else { continue };
        let told = staff_told(&state.settings.public_base_url, to, &team, record_id);
        mail::enqueue(tx, &format!("nhs-login-held:{account_id}:{email}:{team}"), &told, None, now).await?;
    }
    Ok(())
}

/// No name, no NHS number, no reason: only that a sign-up waits, and where.
fn staff_told(base: &url::Url, to: portico_types::EmailAddress, team: &str, record_id: &str) -> Email {
    let link = base.join(&format!("staff/records/{record_id}")).map(|u| u.to_string()).unwrap_or_default();
    Email {
        to,
        subject: format!("A sign-up is waiting for review in {team}"),
        body: format!(
            "Someone who proved their identity with NHS login has signed up for a record in {team} \
             that has an exclusion.\n\nTheir sign-up is held: they cannot see the record until it is reviewed.\n\n\
             Review the record:\n{link}\n\nPortico\n\nThis is an automated email: replies are not read."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_are_told_where_to_look_and_nothing_about_the_person() {
        let base = url::Url::parse("https://portico.example.nhs.uk/").unwrap();
        let to = portico_types::EmailAddress::parse("lead@trust.example").unwrap();
        let told = staff_told(&base, to, "Cardiology Clinic", "r-1");
        assert_eq!(told.subject, "A sign-up is waiting for review in Cardiology Clinic");
        assert!(told.body.contains("https://portico.example.nhs.uk/staff/records/r-1"), "{}", told.body);
    }
}
