//! Why attempts on an invitation's code were refused, counted per invitation
//! (`invitation_refusals`) for the uptake report's drop-off funnel
//! (`crate::reports::funnel`). Each count is written in the transaction of
//! the attempt it counts, and changes nothing the patient is told.
//!
//! A code that does not exist belongs to no invitation and is counted
//! nowhere here. A locked code is refused before anything is looked up, so
//! its count finds the invitation by the code's keyed hash in the same one
//! statement whether or not the code exists: the answer, and the work done
//! for it, are the same as before for a code that does not exist.

use crate::db::Tx;

/// The answer an attempt on a real invitation's code was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Mismatch,
    Locked,
    Expired,
    Used,
    NoLongerValid,
    AlreadyRegistered,
}

impl Refusal {
    /// Its column in `invitation_refusals`.
    fn column(self) -> &'static str {
        match self {
            Self::Mismatch => "mismatch",
            Self::Locked => "locked",
            Self::Expired => "expired",
            Self::Used => "used",
            Self::NoLongerValid => "no_longer_valid",
            Self::AlreadyRegistered => "already_registered",
        }
    }

    /// Counts one such answer on invitation `invitation_id`.
    pub async fn count(self, tx: &mut Tx, invitation_id: &str) -> Result<(), sqlx::Error> {
        let column = self.column();
        let sql = format!(
            "INSERT INTO invitation_refusals (invitation_id, {column}) VALUES ($1, 1) \
             ON CONFLICT (invitation_id) DO UPDATE SET {column} = invitation_refusals.{column} + 1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(invitation_id).execute(&mut **tx).await?;
        Ok(())
    }

    /// Counts one such answer on the invitation whose code has keyed hash
    /// `code_hash`, if there is one: one statement, found or not.
    pub async fn count_by_code(self, tx: &mut Tx, code_hash: &str) -> Result<(), sqlx::Error> {
        let column = self.column();
        let sql = format!(
            "INSERT INTO invitation_refusals (invitation_id, {column}) \
             SELECT id, 1 FROM invitations WHERE code_hash = $1 \
             ON CONFLICT (invitation_id) DO UPDATE SET {column} = invitation_refusals.{column} + 1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code_hash).execute(&mut **tx).await?;
        Ok(())
    }
}
