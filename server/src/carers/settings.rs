//! An organisation's carer settings: the age at which a child's
//! parent/guardian links come up (16 unless changed) and whether they then
//! end or wait for review. A change moves the review day of the open links
//! the organisation made, so the job always watches the age now set.

use portico_types::DateOfBirth;
use portico_types::api::CarerSettings;
use serde_json::json;
use time::OffsetDateTime;

use super::terms::day_of_age;
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Db;
use crate::state::AppState;

/// The ages an organisation may choose.
pub const AGES: std::ops::RangeInclusive<u8> = 12..=18;

pub async fn of_organisation(db: &Db, organisation_id: &str) -> Result<Option<CarerSettings>, sqlx::Error> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT carer_review_age, carer_review_action FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(age, at_review)| CarerSettings { review_age: u8::try_from(age).unwrap_or(16), at_review }))
}

/// Stores `settings` (already checked: an age in [`AGES`], `end` or
/// `review`) and moves the open links' review days, audited, in one transaction.
pub async fn change(
    state: &AppState,
    organisation_id: &str,
    settings: &CarerSettings,
    by: &str,
    ip: &str,
) -> anyhow::Result<()> {
    let now: OffsetDateTime = state.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE organisations SET carer_review_age = $2, carer_review_action = $3 WHERE id = $1")
        .bind(organisation_id)
        .bind(i64::from(settings.review_age))
        .bind(&settings.at_review)
        .execute(&mut *tx)
        .await?;
    let open: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.id, r.date_of_birth FROM carer_links l JOIN records r ON r.id = l.record_id \
         WHERE l.organisation_id = $1 AND l.kind = 'parent_guardian' AND l.ended_at IS NULL \
         AND l.review_due_since IS NULL",
    )
    .bind(organisation_id)
    .fetch_all(&mut *tx)
    .await?;
    for (link_id, born) in open {
        let born = DateOfBirth::from_stored(&born).map_err(|e| anyhow::anyhow!("stored date of birth: {e}"))?;
        let Some(review_at) = day_of_age(born.date(), settings.review_age) else { continue };
        sqlx::query("UPDATE carer_links SET review_at = $2 WHERE id = $1")
            .bind(&link_id)
            .bind(stored(review_at))
            .execute(&mut *tx)
            .await?;
    }
    let event = Event::new(Action::CarerSettingsChanged, now).actor(by).ip(Some(ip));
    let detail = json!({ "organisation_id": organisation_id, "review_age": settings.review_age, "at_review": settings.at_review });
    audit::record(&mut tx, event.detail(detail)).await?;
    tx.commit().await?;
    Ok(())
}
