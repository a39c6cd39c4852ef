//! A sign-up held for review: NHS login proved a person whose record carries
//! a safeguarding exclusion. The record is not claimed; the person has an
//! account that holds nothing, waits in the queue of each of the record's
//! teams, and the staff who can review it are told.

use portico_types::DateOfBirth;
use time::OffsetDateTime;

use super::identity::ProvenIdentity;
use crate::db::Tx;
use crate::mail::{self, Email};
use crate::self_registration::{self, HeldBecause, HeldSignUp, HoldError, Source};
use crate::state::AppState;

/// Holds the sign-up of `account_id` for `record_id` in the queue of each of
/// the record's teams and emails their safeguarding leads and admins, within `tx`.
pub async fn hold(
    tx: &mut Tx,
    state: &AppState,
    person: &ProvenIdentity,
    account_id: &str,
    record_id: &str,
    now: OffsetDateTime,
) -> Result<(), anyhow::Error> {
    let date_of_birth =
        person.date_of_birth.ok_or_else(|| anyhow::anyhow!("a held identity matched on its birth date"))?;
    let teams: Vec<String> =
        sqlx::query_scalar("SELECT team_id FROM team_records WHERE record_id = $1 ORDER BY team_id")
            .bind(record_id)
            .fetch_all(&mut **tx)
            .await?;
    for team_id in teams {
        let sign_up = sign_up(person, account_id, team_id, date_of_birth, HeldBecause::ExcludedRecord);
        match self_registration::hold(tx, &sign_up, now).await {
            // Signing in again while still held: the queue has them already.
            Ok(_) | Err(HoldError::AlreadyWaiting) => {}
            Err(HoldError::Internal(err)) => return Err(err),
        }
    }
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
/// The sign-up NHS login's details make, for team `team_id`'s queue.
pub(super) fn sign_up(
    person: &ProvenIdentity,
    account_id: &str,
    team_id: String,
    date_of_birth: DateOfBirth,
    held_because: HeldBecause,
) -> HeldSignUp {
    HeldSignUp {
        team_id,
        account_id: account_id.to_owned(),
        source: Source::NhsLogin(person.level),
        given_name: person.given_name.clone(),
        family_name: person.family_name.clone(),
        date_of_birth,
        nhs_number: person.nhs_number,
        email: person.email.clone(),
        mobile: person.mobile.clone(),
        held_because,
    }
}

fn staff_told(base: &url::Url, to: portico_types::EmailAddress, team: &str, record_id: &str) -> Email {
    crate::mail::templates::sign_up_held_for_review(base, &to, team, record_id)
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
