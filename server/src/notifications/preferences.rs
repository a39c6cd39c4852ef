//! Each person's choice of delivery per kind. No row means immediately.

use portico_types::api::{
    NotificationPreference, NotificationPreferencesResponse, SECURITY_NOTICES, UpdateNotificationPreferencesRequest,
};
use portico_types::problem::FieldError;
use serde_json::json;
use time::OffsetDateTime;

use super::{Delivery, Kind, NotificationSettings, SecurityNotice};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Tx};

/// How `account_id` wants `kind`, read within `tx`.
pub async fn delivery_of(tx: &mut Tx, account_id: &str, kind: Kind) -> Result<Delivery, sqlx::Error> {
    let chosen: Option<String> =
        sqlx::query_scalar("SELECT delivery FROM notification_preferences WHERE account_id = $1 AND kind = $2")
            .bind(account_id)
            .bind(kind.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    Ok(chosen.as_deref().and_then(Delivery::parse).unwrap_or(Delivery::Immediately))
}

/// Every kind with its delivery, security notices last (always immediately).
pub async fn of_account(
    db: &Db,
    account_id: &str,
    settings: &NotificationSettings,
) -> Result<NotificationPreferencesResponse, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, delivery FROM notification_preferences WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&db.pool)
            .await?;
    let mut preferences: Vec<NotificationPreference> = Kind::ALL
        .iter()
        .map(|kind| NotificationPreference {
            kind: kind.as_str().to_owned(),
            delivery: rows
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .and_then(|(_, d)| Delivery::parse(d))
                .unwrap_or(Delivery::Immediately)
                .as_str()
                .to_owned(),
            can_turn_off: true,
        })
        .collect();
    preferences.extend(SecurityNotice::ALL.iter().map(|notice| NotificationPreference {
        kind: notice.as_str().to_owned(),
        delivery: Delivery::Immediately.as_str().to_owned(),
        can_turn_off: false,
    }));
    Ok(NotificationPreferencesResponse { preferences, digest_hour_utc: settings.digest_hour() })
}

/// The changes a `PUT` asks for, every bad one reported. A security notice
/// may be "changed" to immediately (a page sends back what it was given), never to anything else.
pub fn parse_changes(request: &UpdateNotificationPreferencesRequest) -> Result<Vec<(Kind, Delivery)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for (i, change) in request.preferences.iter().enumerate() {
        let delivery = Delivery::parse(&change.delivery);
        if delivery.is_none() {
            errors.push(FieldError::new(
                format!("preferences[{i}].delivery"),
                "Choose immediately, a daily digest or off",
            ));
        }
        match (Kind::parse(&change.kind), delivery) {
            (Some(kind), Some(delivery)) => changes.push((kind, delivery)),
            (Some(_), None) => {}
            (None, d) if SECURITY_NOTICES.contains(&change.kind.as_str()) => {
                if d.is_some_and(|d| d != Delivery::Immediately) {
                    errors.push(FieldError::new(
                        format!("preferences[{i}].kind"),
                        "Emails about your account's security cannot be turned off or delayed",
                    ));
                }
            }
            (None, _) => errors.push(FieldError::new(format!("preferences[{i}].kind"), "Unknown kind of notification")),
        }
    }
    if errors.is_empty() { Ok(changes) } else { Err(errors) }
}

/// Sets `kind` to `delivery` for `account_id` within `tx`.
pub async fn set(
    tx: &mut Tx,
    account_id: &str,
    kind: Kind,
    delivery: Delivery,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notification_preferences (account_id, kind, delivery, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, kind) DO UPDATE SET delivery = excluded.delivery, updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(kind.as_str())
    .bind(delivery.as_str())
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Applies `changes` for `account_id`, audited, in one transaction.
pub async fn change(
    db: &Db,
    account_id: &str,
    changes: &[(Kind, Delivery)],
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for (kind, delivery) in changes {
        set(&mut tx, account_id, *kind, *delivery, now).await?;
    }
    let detail: serde_json::Map<String, serde_json::Value> =
        changes.iter().map(|(k, d)| (k.as_str().to_owned(), json!(d.as_str()))).collect();
    let event = Event::new(Action::NotificationPreferencesChanged, now).actor(account_id).ip(Some(ip));
    audit::record(&mut tx, event.detail(serde_json::Value::Object(detail))).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_types::api::NotificationPreferenceChange;

    fn request(pairs: &[(&str, &str)]) -> UpdateNotificationPreferencesRequest {
        UpdateNotificationPreferencesRequest {
            preferences: pairs
                .iter()
                .map(|(k, d)| NotificationPreferenceChange { kind: (*k).into(), delivery: (*d).into() })
                .collect(),
        }
    }

    #[test]
    fn notification_preferences_parse_and_security_notices_stay_on() {
        let ok = parse_changes(&request(&[("new_entries", "daily_digest"), ("password_changed", "immediately")]));
        assert_eq!(ok.unwrap(), vec![(Kind::NewEntries, Delivery::DailyDigest)]);
        let errors =
            parse_changes(&request(&[("password_changed", "off"), ("nonsense", "off"), ("new_entries", "weekly")]))
                .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["preferences[0].kind", "preferences[1].kind", "preferences[2].delivery"]);
    }
}
