//! Reading sign-ups: a team's queue with the records each could be, and a
//! patient's own requests with where each has got to.

use anyhow::Context as _;
use portico_types::api::{MySignUp, QueuedSignUp, SignUpMatch, SignUpState};
use portico_types::{DateOfBirth, EmailAddress, NhsNumber};

use super::State;
use crate::db::Db;
use crate::records::search;

/// The most sign-ups one page of the queue lists, oldest first.
pub const PAGE: i64 = 100;

pub fn wire_state(state: State) -> SignUpState {
    match state {
        State::Waiting => SignUpState::Waiting,
        State::Linked => SignUpState::Linked,
        State::Created => SignUpState::Created,
        State::Declined => SignUpState::Declined,
    }
}

type QueueRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
);

/// Team `team_id`'s waiting sign-ups, oldest first, each with its candidate records.
pub async fn waiting(db: &Db, team_id: &str) -> anyhow::Result<Vec<QueuedSignUp>> {
    let rows: Vec<QueueRow> = sqlx::query_as(
        "SELECT id, account_id, given_name, family_name, date_of_birth, nhs_number, email, mobile, source, \
         identity_level, \
         held_because, created_at FROM sign_ups WHERE team_id = $1 AND state = 'waiting' \
         ORDER BY created_at, id LIMIT $2",
    )
    .bind(team_id)
    .bind(PAGE)
    .fetch_all(&db.pool)
    .await?;
    let mut conn = db.pool.acquire().await?;
    let mut queue = Vec::with_capacity(rows.len());
    for (
        id,
        account_id,
        given_name,
        family_name,
        dob,
        nhs,
        email,
        mobile,
        source,
        identity_level,
        held_because,
        created_at,
    ) in rows
    {
        let date_of_birth = DateOfBirth::from_stored(&dob).context("stored date of birth")?;
        let nhs_number = nhs.as_deref().map(NhsNumber::parse).transpose().context("stored NHS number")?;
        let search_name = format!("{given_name} {family_name}").to_lowercase();
        // Their own record first (an invitation or NHS login proved it theirs).
        let theirs = search::owned_by(&mut conn, &account_id).await?;
        let own_id = theirs.as_ref().map(|own| own.record.id.clone());
        let candidates = search::candidates(&mut conn, team_id, nhs_number.as_ref(), &search_name, &date_of_birth)
            .await?
            .into_iter()
            .filter(|c| own_id.as_ref() != Some(&c.record.id));
        let matches = theirs
            .map(|own| (own, true))
            .into_iter()
            .chain(candidates.map(|c| (c, false)))
            .map(|(c, theirs)| SignUpMatch {
                record: c.record,
                by_nhs_number: c.by_nhs_number,
                excluded: c.excluded,
                registered: c.owned,
                theirs,
            })
            .collect();
        queue.push(QueuedSignUp {
            id,
            given_name,
            family_name,
            date_of_birth,
            nhs_number,
            email: EmailAddress::parse(&email).context("stored email")?,
            mobile,
            source,
            identity_level,
            held_because,
            requested_on: day(&created_at),
            matches,
        });
    }
    Ok(queue)
}

/// `YYYY-MM-DD` of a stored time.
fn day(stored: &str) -> String {
    stored.chars().take(10).collect()
}

/// Account `account_id`'s requests to join teams, newest first.
pub async fn of_account(db: &Db, account_id: &str) -> anyhow::Result<Vec<MySignUp>> {
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT t.name, s.state, s.decline_reason, s.created_at FROM sign_ups s JOIN teams t ON t.id = s.team_id \
         WHERE s.account_id = $1 ORDER BY s.created_at DESC, s.id DESC",
    )
    .bind(account_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|(team_name, state, decline_reason, created_at)| {
            let state = State::parse(&state).context("stored sign-up state")?;
            Ok(MySignUp { team_name, state: wire_state(state), decline_reason, requested_on: day(&created_at) })
        })
        .collect()
}

/// The team sign-up `id` asks to join, to authorise a decision on it.
pub async fn team_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT team_id FROM sign_ups WHERE id = $1").bind(id).fetch_optional(&db.pool).await
}
