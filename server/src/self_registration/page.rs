//! A team's join page settings: whether `/join/<slug>` is open, the
//! message it shows, and how sign-ups are admitted. Changed by the team's
//! admin, audited.

use portico_types::api::JoinPageSettings;
use portico_types::problem::FieldError;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Db;

/// The longest message a join page shows.
pub const MAX_MESSAGE_CHARS: usize = 600;

/// How a team admits sign-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Every sign-up waits for staff.
    ReviewAll,
    /// A sign-up whose identity NHS login proved (P9) is admitted at once;
    /// any other waits.
    AdmitProven,
}

impl Admission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReviewAll => "review_all",
            Self::AdmitProven => "admit_proven",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::ReviewAll, Self::AdmitProven].into_iter().find(|a| a.as_str() == text)
    }
}

/// A team's join page as stored; a team that never set one has it closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinPage {
    pub team_id: String,
    pub team_name: String,
    pub enabled: bool,
    pub message: String,
    pub admission: Admission,
}

type PageRow = (String, String, Option<i64>, Option<String>, Option<String>);

fn from_row((team_id, team_name, enabled, message, admission): PageRow) -> JoinPage {
    JoinPage {
        team_id,
        team_name,
        enabled: enabled == Some(1),
        message: message.unwrap_or_default(),
        admission: admission.as_deref().and_then(Admission::parse).unwrap_or(Admission::ReviewAll),
    }
}

const SELECT: &str = "SELECT t.id, t.name, p.enabled, p.message, p.admission FROM teams t \
     LEFT JOIN team_join_pages p ON p.team_id = t.id";

/// The join page at `/join/<slug>`, if that team has one open.
pub async fn open_by_slug(db: &Db, slug: &str) -> Result<Option<JoinPage>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.slug = $1");
    let row: Option<PageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(&db.pool).await?;
    Ok(row.map(from_row).filter(|page| page.enabled))
}

/// Team `team_id`'s join page, open or not; `None` for no such team.
pub async fn of_team(conn: &mut sqlx::AnyConnection, team_id: &str) -> Result<Option<JoinPage>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.id = $1");
    let row: Option<PageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(team_id).fetch_optional(conn).await?;
    Ok(row.map(from_row))
}

/// Settings checked: a known admission rule, and a message of plain text
/// within the limit (line breaks allowed, other control characters not).
pub fn parse(settings: &JoinPageSettings) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let message = settings.message.trim().replace("\r\n", "\n");
    if message.chars().count() > MAX_MESSAGE_CHARS {
        errors.push(FieldError::new("message", format!("Message must be {MAX_MESSAGE_CHARS} characters or fewer")));
    } else if message.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(FieldError::new("message", "Message must only include letters, numbers, spaces and punctuation"));
    }
    let admission = Admission::parse(&settings.admission);
    if admission.is_none() {
        errors.push(FieldError::new("admission", "Choose how sign-ups are admitted"));
    }
    match admission {
        Some(admission) if errors.is_empty() => Ok((settings.enabled, message, admission)),
        _ => Err(errors),
    }
}

/// Settings as [`parse`] checked them.
pub type Checked = (bool, String, Admission);

/// Saves team `team_id`'s join page settings, audited in the same transaction.
pub async fn change(
    db: &Db,
    team_id: &str,
    checked: &Checked,
    by: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let (enabled, message, admission) = checked;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO team_join_pages (team_id, enabled, message, admission, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id) DO UPDATE SET enabled = $2, message = $3, \
         admission = $4, updated_by = $5, updated_at = $6",
    )
    .bind(team_id)
    .bind(i64::from(*enabled))
    .bind(message.as_str())
    .bind(admission.as_str())
    .bind(by)
    .bind(stored(now))
    .execute(&mut *tx)
    .await?;
    let event = Event::new(Action::JoinPageChanged, now).actor(by).team(team_id).ip(Some(ip));
    let detail =
        json!({ "enabled": enabled, "admission": admission.as_str(), "message_chars": message.chars().count() });
    audit::record(&mut tx, event.detail(detail)).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(message: &str, admission: &str) -> JoinPageSettings {
        JoinPageSettings { enabled: true, message: message.into(), admission: admission.into() }
    }

    #[test]
    fn settings_are_checked_whole() {
        assert!(parse(&settings("Welcome.\r\nBring your letter.", "review_all")).is_ok());
        let errors = parse(&settings(&"a".repeat(601), "everyone")).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(parse(&settings("bell\u{7}", "admit_proven")).is_err());
    }
}
