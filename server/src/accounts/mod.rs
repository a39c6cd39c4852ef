//! Accounts: the people who can sign in, and what they can do to their own
//! account: reset a forgotten password, change the email address, sign out
//! everywhere.

pub mod email_change;
pub mod password_reset;
pub mod routes;
pub mod tokens;

use portico_types::EmailAddress;
use portico_types::api::AccountSummary;

use crate::db::Db;

/// The account's public face, or `None` if there is no such account.
pub async fn summary(db: &Db, account_id: &str) -> anyhow::Result<Option<AccountSummary>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, email, display_name FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&db.pool)
            .await?;
    row.map(|(id, email, display_name)| {
        let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("stored email unreadable: {e}"))?;
        Ok(AccountSummary { id, email, display_name })
    })
    .transpose()
}

/// Links sent to an account's address last this long.
pub const LINK_LIFETIME: time::Duration = time::Duration::hours(1);
