//! Setting a device up as a team's kiosk, listing a team's kiosks, and
//! switching one off. Team admins and receptionists manage them.

use portico_types::api::{KioskSummary, Role};
use serde_json::json;

use crate::audit::{self, Action, Event};
use crate::auth::sessions;
use crate::clock::stored;
use crate::db::Db;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// The longest name a kiosk may have.
pub const NAME_MAX_CHARS: usize = 60;

/// What staff call a kiosk: 1 to 60 characters, trimmed, one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskName(String);

impl KioskName {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("Enter a name for this kiosk, such as where it stands");
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err("The kiosk's name must be 60 characters or fewer");
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The roles that may set up and switch off a team's kiosks.
pub fn may_manage(roles: &[Role]) -> bool {
    roles.iter().any(|role| matches!(role, Role::Admin | Role::Receptionist))
}

/// A kiosk just set up; its token exists in plain only here (and in the
/// device's cookie).
#[derive(Debug)]
pub struct Registered {
    pub id: String,
    pub token: OneTimeToken,
}

/// Who sets a kiosk up, from which session on the device that becomes it.
#[derive(Debug, Clone, Copy)]
pub struct SetUpBy<'a> {
    pub account_id: &'a str,
    /// The staff session on the device: it ends as the kiosk starts, so a
    /// patient at the kiosk never finds a professional signed in on it.
    pub session_token_hash: &'a str,
    pub ip: &'a str,
}

/// Sets up a kiosk for `team_id` and ends the staff session on its device,
/// in one transaction.
pub async fn register(
    state: &AppState,
    team_id: &str,
    name: &KioskName,
    by: SetUpBy<'_>,
) -> Result<Registered, sqlx::Error> {
    let now = state.now();
    let id = uuid::Uuid::now_v7().to_string();
    let token = OneTimeToken::generate();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO kiosks (id, team_id, name, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(team_id)
    .bind(name.as_str())
    .bind(token.hash())
    .bind(by.account_id)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    let event = Event::new(Action::KioskRegistered, now)
        .actor(by.account_id)
        .team(team_id)
        .ip(Some(by.ip))
        .detail(json!({ "kiosk_id": id, "name": name.as_str() }));
    audit::record(&mut tx, event).await?;
    if sessions::delete(&mut tx, by.session_token_hash).await?.is_some() {
        let event = Event::new(Action::SignOut, now)
            .actor(by.account_id)
            .ip(Some(by.ip))
            .detail(json!({ "why": "device set up as a kiosk", "kiosk_id": id }));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(Registered { id, token })
}

type KioskRow = (String, String, String, String, Option<String>, Option<String>);

/// The team's kiosks, newest first, switched-off ones too.
pub async fn of_team(db: &Db, team_id: &str) -> Result<Vec<KioskSummary>, sqlx::Error> {
    let rows: Vec<KioskRow> = sqlx::query_as(
        "SELECT k.id, k.name, a.display_name, k.created_at, k.last_seen_at, k.revoked_at FROM kiosks k \
         JOIN accounts a ON a.id = k.created_by WHERE k.team_id = $1 ORDER BY k.created_at DESC, k.id DESC LIMIT 100",
    )
    .bind(team_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_by, created_at, last_seen_at, revoked_at)| KioskSummary {
            id,
            name,
            created_by,
            created_at,
            last_seen_at,
            revoked_at,
        })
        .collect())
}

/// What switching a kiosk off did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Now,
    Already,
    NoSuchKiosk,
}

/// Switches kiosk `kiosk_id` of `team_id` off: its next request is refused.
pub async fn revoke(
    state: &AppState,
    team_id: &str,
    kiosk_id: &str,
    by: &str,
    ip: &str,
) -> Result<Revoked, sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let revoked: Option<String> = sqlx::query_scalar(
        "UPDATE kiosks SET revoked_at = $3, revoked_by = $4 WHERE id = $1 AND team_id = $2 AND revoked_at IS NULL \
         RETURNING id",
    )
    .bind(kiosk_id)
    .bind(team_id)
    .bind(stored(now))
    .bind(by)
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = if revoked.is_some() {
        let event = Event::new(Action::KioskRevoked, now)
            .actor(by)
            .team(team_id)
            .ip(Some(ip))
            .detail(json!({ "kiosk_id": kiosk_id }));
        audit::record(&mut tx, event).await?;
        Revoked::Now
    } else {
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM kiosks WHERE id = $1 AND team_id = $2")
            .bind(kiosk_id)
            .bind(team_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() { Revoked::Already } else { Revoked::NoSuchKiosk }
    };
    tx.commit().await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_one_line_and_bounded() {
        assert_eq!(KioskName::parse("  Reception,\n level 2 ").unwrap().as_str(), "Reception, level 2");
        assert!(KioskName::parse("   ").is_err());
        assert!(KioskName::parse(&"x".repeat(61)).is_err());
        assert!(KioskName::parse(&"é".repeat(60)).is_ok());
    }

    #[test]
    fn admins_and_receptionists_manage_kiosks() {
        assert!(may_manage(&[Role::Receptionist]));
        assert!(may_manage(&[Role::Clinician, Role::Admin]));
        assert!(!may_manage(&[Role::Clinician, Role::SafeguardingLead]));
    }
}
