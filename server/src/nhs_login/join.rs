//! A sign-in with NHS login that started on a team's join page
//! (`/join/<slug>`): once the record is claimed, made or kept as for any
//! sign-in, the person joins the team as its page says.
//!
//! - With a record and P9 proof, a team that admits proven sign-ups takes
//!   the record at once; a team that reviews every sign-up gets it in its
//!   queue, where staff link it to the person's own record (or decline).
//! - Without a record (NHS login proved less than P9), the details NHS
//!   login gave wait in the queue, as a password sign-up's do.
//! - A held sign-up (an excluded record) already waits with the record's
//!   own teams, whose safeguarding leads decide; nothing more is done here.

use serde_json::json;
use time::OffsetDateTime;

use super::held;
use super::identity::{IdentityLevel, ProvenIdentity};
use crate::audit::{self, Action, Event};
use crate::db::Tx;
use crate::records::store;
use crate::self_registration::page::{self, Admission};
use crate::self_registration::{self, HeldBecause, HoldError};

/// Where the person stands with the team after the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// The record is the team's (now, or already).
    Member,
    /// A sign-up waits in the team's queue; the person may have their own
    /// record meanwhile (NHS login proved it theirs).
    Waiting { has_record: bool },
    /// Nothing to join with: the record is held, the sign-in was refused a
    /// record, or NHS login gave no birth date.
    NotPlaced,
}

/// Joins account `account_id` (whose sign-in is settled in `tx`) to team
/// `team_id` as its join page says. A page closed since the sign-in began
/// joins nothing.
pub async fn join(
    tx: &mut Tx,
    person: &ProvenIdentity,
    account_id: &str,
    team_id: &str,
    now: OffsetDateTime,
) -> anyhow::Result<Joined> {
    let Some(page) = page::of_team(tx, team_id).await?.filter(|page| page.enabled) else {
        return Ok(Joined::NotPlaced);
    };
    let owned: Option<String> = sqlx::query_scalar("SELECT id FROM records WHERE owner_account_id = $1")
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
    let held_because = match &owned {
        Some(record_id) => {
            if store::in_team(tx, team_id, record_id).await? {
                return Ok(Joined::Member);
            }
            if page.admission == Admission::AdmitProven && person.level == IdentityLevel::P9 {
                admit(tx, team_id, record_id, account_id, now).await?;
                return Ok(Joined::Member);
            }
            HeldBecause::TeamReviewsAll
        }
        // P9 with no record: its sign-in was refused a record (details that
        // differ, a record registered to another); there is nothing to join with.
        None if person.level == IdentityLevel::P9 => return Ok(Joined::NotPlaced),
        None => HeldBecause::IdentityNotProven,
    };
    let Some(date_of_birth) = person.date_of_birth else { return Ok(Joined::NotPlaced) };
    let sign_up = held::sign_up(person, account_id, team_id.to_owned(), date_of_birth, held_because);
    match self_registration::hold(tx, &sign_up, now).await {
        // Signing in again from the page while still waiting: waiting once is enough.
        Ok(_) | Err(HoldError::AlreadyWaiting) => Ok(Joined::Waiting { has_record: owned.is_some() }),
        Err(HoldError::Internal(err)) => Err(err),
    }
}

/// The team takes the record: NHS login proved (P9) whose it is.
async fn admit(
    tx: &mut Tx,
    team_id: &str,
    record_id: &str,
    account_id: &str,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    store::add_to_team(tx, team_id, record_id, now).await?;
    let event = Event::new(Action::SignUpAdmitted, now).actor(account_id).team(team_id).record(record_id);
    audit::record(tx, event.detail(json!({ "via": "nhs_login", "identity_level": "P9" }))).await?;
    Ok(())
}
