//! An organisation's carer settings: its age bands ([`Bands`]: the ages at
//! which a parent's or guardian's access to a child's record narrows, is
//! reviewed or ends; by default it ends at 16) and the age at which the
//! young person is invited to their own record (16 unless changed). A change
//! moves each open link's next band, so the job always watches the bands now
//! set.

use portico_types::DateOfBirth;
use portico_types::api::CarerSettings;
use portico_types::problem::FieldError;
use serde_json::json;
use time::OffsetDateTime;

use super::bands::{AGES, Bands};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Tx};
use crate::state::AppState;

/// The settings as the handler parsed them: only valid ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub bands: Bands,
    pub invite_age: u8,
}

impl Settings {
    /// The settings as sent, or every problem with them as field errors.
    pub fn parse(raw: &CarerSettings) -> Result<Self, Vec<FieldError>> {
        let bands = Bands::parse(&raw.bands);
        let mut errors = bands.as_ref().err().cloned().unwrap_or_default();
        if !AGES.contains(&raw.invite_age) {
            errors.push(FieldError::new("invite_age", "Enter an age from 12 to 18"));
        }
        match bands {
            Ok(bands) if errors.is_empty() => Ok(Self { bands, invite_age: raw.invite_age }),
            _ => Err(errors),
        }
    }

    pub fn to_api(&self) -> CarerSettings {
        CarerSettings { bands: self.bands.to_api(), invite_age: self.invite_age }
    }
}

/// The bands of `organisation_id` (the default if it set none).
pub async fn bands_in(tx: &mut Tx, organisation_id: &str) -> Result<Bands, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT age, access_becomes FROM carer_age_bands WHERE organisation_id = $1 ORDER BY age")
            .bind(organisation_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(Bands::from_stored(&rows))
}

/// The bands of `organisation_id`, outside a transaction.
pub async fn bands_of(db: &Db, organisation_id: &str) -> Result<Bands, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT age, access_becomes FROM carer_age_bands WHERE organisation_id = $1 ORDER BY age")
            .bind(organisation_id)
            .fetch_all(&db.pool)
            .await?;
    Ok(Bands::from_stored(&rows))
}

pub async fn of_organisation(db: &Db, organisation_id: &str) -> Result<Option<Settings>, sqlx::Error> {
    let invite_age: Option<i64> = sqlx::query_scalar("SELECT carer_invite_age FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_optional(&db.pool)
        .await?;
    let Some(invite_age) = invite_age else { return Ok(None) };
    let bands = bands_of(db, organisation_id).await?;
    Ok(Some(Settings { bands, invite_age: u8::try_from(invite_age).unwrap_or(16) }))
}

/// Stores `settings` and moves each open parent/guardian link of the
/// organisation to its next band under them (a band already past applies at
/// the job's next run, as a band reached does), audited, in one transaction.
pub async fn change(
    state: &AppState,
    organisation_id: &str,
    settings: &Settings,
    by: &str,
    ip: &str,
) -> anyhow::Result<()> {
    let now: OffsetDateTime = state.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE organisations SET carer_invite_age = $2 WHERE id = $1")
        .bind(organisation_id)
        .bind(i64::from(settings.invite_age))
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM carer_age_bands WHERE organisation_id = $1")
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
    for band in settings.bands.as_slice() {
        sqlx::query("INSERT INTO carer_age_bands (organisation_id, age, access_becomes) VALUES ($1, $2, $3)")
            .bind(organisation_id)
            .bind(i64::from(band.age))
            .bind(band.becomes.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let open: Vec<(String, String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT l.id, r.date_of_birth, l.band_age, l.extended_until FROM carer_links l \
         JOIN records r ON r.id = l.record_id \
         WHERE l.organisation_id = $1 AND l.kind = 'parent_guardian' AND l.ended_at IS NULL",
    )
    .bind(organisation_id)
    .fetch_all(&mut *tx)
    .await?;
    for (link_id, born, applied, extended_until) in open {
        let born = DateOfBirth::from_stored(&born).map_err(|e| anyhow::anyhow!("stored date of birth: {e}"))?;
        let next = settings.bands.after(applied.and_then(|a| u8::try_from(a).ok()));
        let Some(day) = next.day(born.date()) else { continue };
        // A professional's extension still holds, if it is later.
        let at = extended_until.filter(|until| *until > stored(day)).unwrap_or_else(|| stored(day));
        sqlx::query("UPDATE carer_links SET next_band_age = $2, review_at = $3 WHERE id = $1")
            .bind(&link_id)
            .bind(i64::from(next.age))
            .bind(at)
            .execute(&mut *tx)
            .await?;
    }
    let event = Event::new(Action::CarerSettingsChanged, now).actor(by).ip(Some(ip));
    let api = settings.to_api();
    let detail = json!({ "organisation_id": organisation_id, "bands": api.bands, "invite_age": api.invite_age });
    audit::record(&mut tx, event.detail(detail)).await?;
    tx.commit().await?;
    Ok(())
}
