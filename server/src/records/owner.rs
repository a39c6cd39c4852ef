//! A record's owner: the one account that registered for it and sees it as
//! "my record". Invited registration and NHS login both make an owner here,
//! under the same rules.

use time::OffsetDateTime;

use crate::db::Tx;

/// Why a record could not be given to an account.
#[derive(Debug, thiserror::Error)]
pub enum ClaimRefused {
    /// A safeguarding exclusion stands: nobody claims the record unreviewed.
    #[error("the record is excluded")]
    Excluded,
    /// The record has its owner already, or the account owns another record.
    #[error("the record or the account already has its one owner or record")]
    AlreadyOwned,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Makes `record_id` the account's own, within `tx`: unless an exclusion is
/// set on it, or the record (or the account) already has its one owner (or
/// record). Revokes the record's live invitations, which nobody needs now, as
/// `by` (staff who decided it) or else as the account.
pub async fn claim(
    tx: &mut Tx,
    record_id: &str,
    account_id: &str,
    by: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), ClaimRefused> {
    let excluded: Option<String> = sqlx::query_scalar("SELECT record_id FROM exclusions WHERE record_id = $1")
        .bind(record_id)
        .fetch_optional(&mut **tx)
        .await?;
    if excluded.is_some() {
        return Err(ClaimRefused::Excluded);
    }
    // An account holds one record; a record one account.
    let owned = sqlx::query(
        "UPDATE records SET owner_account_id = $2 WHERE id = $1 AND owner_account_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM records mine WHERE mine.owner_account_id = $2)",
    )
    .bind(record_id)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    if owned.rows_affected() != 1 {
        return Err(ClaimRefused::AlreadyOwned);
    }
    crate::invitations::revoke_live(tx, record_id, None, Some(by.unwrap_or(account_id)), now).await?;
    Ok(())
}
