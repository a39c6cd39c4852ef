//! Professionals as patients: the organisation's professionals who also
//! have a record in a team, found by the NHS number on their staff profile,
//! or by their verified email together with their date of birth, and
//! invited in one step by the team's admin.
//!
//! Their invitation goes to the email of the account they already have and
//! can be claimed only by that account (`registration::link`): one account
//! then holds both roles.

use portico_types::EmailAddress;
use portico_types::api::{ProfessionalAsPatient, ProfessionalInvitationsSent};

use super::{Channel, IssueError, IssueRequest, LIVE_STATES, SendTo};
use crate::state::AppState;

/// A professional and their record in the team, as matched.
#[derive(Debug, Clone)]
struct Match {
    account_id: String,
    name: String,
    email: String,
    record_id: String,
    by_nhs_number: bool,
    owner: Option<String>,
    excluded: bool,
    invited: bool,
}

type MatchRow = (String, String, String, String, i32, Option<String>, Option<String>, i64);

/// The professionals of team `team_id`'s organisation who have a record in it.
async fn matches(state: &AppState, team_id: &str) -> Result<Vec<Match>, sqlx::Error> {
    let sql = format!(
        "SELECT p.account_id, a.display_name, a.email, r.id, \
           CASE WHEN p.nhs_number IS NOT NULL AND p.nhs_number = r.nhs_number THEN 1 ELSE 0 END, \
           r.owner_account_id, x.record_id, \
           (SELECT COUNT(*) FROM invitations i WHERE i.record_id = r.id AND i.channel = 'professional' \
              AND i.state IN {LIVE_STATES}) \
         FROM professionals p JOIN accounts a ON a.id = p.account_id \
         JOIN teams t ON t.organisation_id = p.organisation_id \
         JOIN team_records tr ON tr.team_id = t.id JOIN records r ON r.id = tr.record_id \
         LEFT JOIN exclusions x ON x.record_id = r.id \
         WHERE t.id = $1 AND a.disabled_at IS NULL AND ( \
           (p.nhs_number IS NOT NULL AND p.nhs_number = r.nhs_number) \
           OR (a.email_verified_at IS NOT NULL AND p.date_of_birth IS NOT NULL \
               AND LOWER(r.email) = LOWER(a.email) AND r.date_of_birth = p.date_of_birth)) \
         ORDER BY a.display_name, a.id"
    );
    let rows: Vec<MatchRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(team_id).fetch_all(&state.db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(account_id, name, email, record_id, by_nhs_number, owner, excluded, invited)| Match {
            account_id,
            name,
            email,
            record_id,
            by_nhs_number: by_nhs_number == 1,
            owner,
            excluded: excluded.is_some(),
            invited: invited > 0,
        })
        .collect())
}

impl Match {
    fn state(&self) -> &'static str {
        match (&self.owner, self.excluded, self.invited) {
            (Some(owner), ..) if *owner == self.account_id => "registered",
            (Some(_), ..) => "registered_elsewhere",
            (None, true, _) => "cannot_invite",
            (None, false, true) => "invited",
            (None, false, false) => "not_invited",
        }
    }
}

/// The matches, as a team admin sees them.
pub async fn list(state: &AppState, team_id: &str) -> anyhow::Result<Vec<ProfessionalAsPatient>> {
    matches(state, team_id)
        .await?
        .into_iter()
        .map(|m| {
            Ok(ProfessionalAsPatient {
                state: m.state().to_owned(),
                email: EmailAddress::parse(&m.email).map_err(|e| anyhow::anyhow!("stored email: {e}"))?,
                matched_by: if m.by_nhs_number { "nhs_number" } else { "email_and_date_of_birth" }.to_owned(),
                account_id: m.account_id,
                name: m.name,
                record_id: m.record_id,
            })
        })
        .collect()
}

/// Invites every match not yet registered, invited or excluded. Each
/// invitation is its own transaction: one refused (say, an exclusion set a
/// moment ago) does not hold up the others.
pub async fn invite_all(
    state: &AppState,
    team_id: &str,
    issued_by: &str,
    ip: &str,
) -> anyhow::Result<ProfessionalInvitationsSent> {
    let (mut invited, mut skipped) = (0, 0);
    for m in matches(state, team_id).await? {
        if m.state() != "not_invited" {
            skipped += 1;
            continue;
        }
        let to = EmailAddress::parse(&m.email).map_err(|e| anyhow::anyhow!("stored email: {e}"))?;
        let request = IssueRequest {
            record_id: &m.record_id,
            team_id,
            channel: Channel::Professional,
            send_to: Some(SendTo::Email(to)),
            for_account_id: Some(&m.account_id),
            issued_by,
            ip,
        };
        match super::issue(state, request).await {
            Ok(_) => invited += 1,
            Err(IssueError::Internal(err)) => return Err(err),
            Err(_) => skipped += 1,
        }
    }
    Ok(ProfessionalInvitationsSent { invited, skipped })
}

/// How many matches can be invited now.
pub fn invitable(list: &[ProfessionalAsPatient]) -> u64 {
    list.iter().filter(|p| p.state == "not_invited").count() as u64
}
