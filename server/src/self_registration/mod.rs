//! Self-registration: a team's public join page, and the queue of sign-ups
//! that wait there for staff to link them to a record, make a record for
//! them, or decline them.
//!
//! A sign-up is made by [`hold`] when an account exists and has asked to
//! join a team: from the join page once the email is proved and a password
//! set (`complete`), or from NHS login where the identity cannot claim a
//! record at once. Whatever the caller's reason, a sign-up whose details
//! match an excluded record of the team is held as `excluded_record`, so
//! staff see why it must not be admitted.

pub mod complete;
pub mod decide;
pub mod page;
pub mod proof_of_work;
pub mod queue;
pub mod routes;
pub mod start;

use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::records::search;

/// What NHS login proved about a person: its own type, one for both.
pub use crate::nhs_login::identity::IdentityLevel;

/// How the account behind a sign-up was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// On the join page: a proved email and a password.
    Password,
    /// Through NHS login, at the level it proved.
    NhsLogin(IdentityLevel),
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::NhsLogin(_) => "nhs_login",
        }
    }

    fn identity_level(self) -> Option<IdentityLevel> {
        match self {
            Self::Password => None,
            Self::NhsLogin(level) => Some(level),
        }
    }
}

/// Why a sign-up waits for staff rather than being admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldBecause {
    /// The team reviews every sign-up.
    TeamReviewsAll,
    /// Nothing proved who the person is (a password sign-up, or NHS login below P9).
    IdentityNotProven,
    /// The details match a record under a safeguarding exclusion.
    ExcludedRecord,
    /// The matching record already belongs to another account.
    RecordHasOwner,
    /// More than one record matches: staff choose.
    SeveralMatches,
}

impl HeldBecause {
    pub const ALL: [Self; 5] = [
        Self::TeamReviewsAll,
        Self::IdentityNotProven,
        Self::ExcludedRecord,
        Self::RecordHasOwner,
        Self::SeveralMatches,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TeamReviewsAll => "team_reviews_all",
            Self::IdentityNotProven => "identity_not_proven",
            Self::ExcludedRecord => "excluded_record",
            Self::RecordHasOwner => "record_has_owner",
            Self::SeveralMatches => "several_matches",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == text)
    }
}

/// Where a sign-up has got to. Only `Waiting` may move, once, to one of the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Waiting,
    /// Joined to a record that was there.
    Linked,
    /// Given a new record, joined to the team.
    Created,
    Declined,
}

impl State {
    pub const ALL: [Self; 4] = [Self::Waiting, Self::Linked, Self::Created, Self::Declined];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Linked => "linked",
            Self::Created => "created",
            Self::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A request to join team `team_id`, from account `account_id`, to wait in
/// the team's queue. The values are already checked (parsed at the edge).
#[derive(Debug, Clone)]
pub struct HeldSignUp {
    pub team_id: String,
    pub account_id: String,
    pub source: Source,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub nhs_number: Option<NhsNumber>,
    pub email: EmailAddress,
    pub mobile: Option<MobileNumber>,
    /// The caller's reason; an excluded match overrides it.
    pub held_because: HeldBecause,
}

impl HeldSignUp {
    /// The lower-case name records are matched on (as `records.search_name`).
    pub fn search_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name).to_lowercase()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    /// The account already waits in this team's queue.
    #[error("the account already has a sign-up waiting for this team")]
    AlreadyWaiting,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for HoldError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Puts `sign_up` in its team's queue within the caller's transaction, with
/// its audit event; returns the new sign-up's id. Held as `excluded_record`
/// whatever the caller said when the details match an excluded record of
/// the team. An account waits at most once per team.
pub async fn hold(tx: &mut Tx, sign_up: &HeldSignUp, now: OffsetDateTime) -> Result<String, HoldError> {
    let candidates = search::candidates(
        tx,
        &sign_up.team_id,
        sign_up.nhs_number.as_ref(),
        &sign_up.search_name(),
        &sign_up.date_of_birth,
    )
    .await?;
    let held_because =
        if candidates.iter().any(|c| c.excluded) { HeldBecause::ExcludedRecord } else { sign_up.held_because };
    let id = uuid::Uuid::now_v7().to_string();
    // The one-waiting index is the only constraint a fresh id can meet.
    let inserted = sqlx::query(
        "INSERT INTO sign_ups (id, team_id, account_id, source, identity_level, given_name, family_name, \
         date_of_birth, nhs_number, email, mobile, held_because, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'waiting', $13) ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(&sign_up.team_id)
    .bind(&sign_up.account_id)
    .bind(sign_up.source.as_str())
    .bind(sign_up.source.identity_level().map(IdentityLevel::as_str))
    .bind(&sign_up.given_name)
    .bind(&sign_up.family_name)
    .bind(sign_up.date_of_birth.iso())
    .bind(sign_up.nhs_number.map(|n| n.as_digits()))
    .bind(sign_up.email.as_str())
    .bind(sign_up.mobile.as_ref().map(|m| m.e164().to_owned()))
    .bind(held_because.as_str())
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() != 1 {
        return Err(HoldError::AlreadyWaiting);
    }
    let event = Event::new(Action::SignUpHeld, now).actor(&sign_up.account_id).team(&sign_up.team_id).detail(json!({
        "sign_up_id": id,
        "source": sign_up.source.as_str(),
        "identity_level": sign_up.source.identity_level().map(IdentityLevel::as_str),
        "held_because": held_because.as_str(),
    }));
    audit::record(tx, event).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_read_back() {
        for h in HeldBecause::ALL {
            assert_eq!(HeldBecause::parse(h.as_str()), Some(h));
        }
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(IdentityLevel::parse("P9"), Some(IdentityLevel::P9));
        assert_eq!(IdentityLevel::parse("p9"), None);
    }
}
