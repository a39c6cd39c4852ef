//! `GET /api/v1/staff/records/{record_id}/notifications`: what was sent to
//! the record's owner (and the invitations sent for the record), when, and
//! how delivery went. Kinds and subjects only: a sent email's words are not
//! kept. For staff with a role on the record; to anyone else the record
//! does not exist.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::{RecordNotificationsResponse, SentNotification};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::staff::{self, Professional};
use crate::state::AppState;

/// The newest this many.
const SHOWN: i64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/records/{record_id}/notifications", get(list))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Docs;

#[utoipa::path(
    get,
    path = "/staff/records/{record_id}/notifications",
    operation_id = "notifications_list",
    tag = "notifications",
    params(("record_id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "OK", body = RecordNotificationsResponse)),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    professional: Professional,
    Path(record_id): Path<String>,
) -> ApiResult<Json<RecordNotificationsResponse>> {
    if staff::roles_on_record(&state.db, &professional, &record_id).await?.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(sent_for_record(&state.db, &record_id).await?))
}

type SentRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// Emails and texts to the record's owner, and the record's invitations, newest first.
pub async fn sent_for_record(db: &Db, record_id: &str) -> Result<RecordNotificationsResponse, sqlx::Error> {
    let owner: Option<Option<String>> = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE id = $1")
        .bind(record_id)
        .fetch_optional(&db.pool)
        .await?;
    let owner = owner.flatten();
    let rows: Vec<SentRow> = sqlx::query_as(
        "SELECT o.id, o.channel, o.to_address, o.kind, o.idempotency_key, o.subject, o.created_at, o.sent_at, \
         o.gave_up_at, o.delivery_status, o.delivery_status_at, o.bounced, o.attempts FROM outbox o \
         WHERE o.record_id = $1 OR ($2 <> '' AND o.account_id = $2) \
           OR o.invitation_id IN (SELECT i.id FROM invitations i WHERE i.record_id = $1) \
         ORDER BY o.created_at DESC, o.id DESC LIMIT $3",
    )
    .bind(record_id)
    .bind(owner.clone().unwrap_or_default())
    .bind(SHOWN)
    .fetch_all(&db.pool)
    .await?;
    let notifications = rows
        .into_iter()
        .map(
            |(
                id,
                channel,
                to,
                kind,
                key,
                subject,
                queued_at,
                sent_at,
                gave_up_at,
                receipt,
                receipt_at,
                bounced,
                attempts,
            )| {
                let (status, status_at) =
                    status(sent_at.as_deref(), gave_up_at.as_deref(), receipt.as_deref(), bounced);
                SentNotification {
                    id,
                    kind: kind.unwrap_or_else(|| kind_of_key(&key).to_owned()),
                    to,
                    subject: if channel == "sms" { "Text message".to_owned() } else { subject },
                    channel,
                    status_at: receipt_at.or(status_at.map(str::to_owned)).or_else(|| sent_at.clone()),
                    queued_at,
                    sent_at,
                    status: status.to_owned(),
                    attempts,
                }
            },
        )
        .collect();
    Ok(RecordNotificationsResponse { registered: owner.is_some(), notifications })
}

/// Where delivery got to: a provider's receipt wins over what Portico knows.
fn status<'a>(
    sent_at: Option<&'a str>,
    gave_up_at: Option<&'a str>,
    receipt: Option<&str>,
    bounced: i64,
) -> (&'static str, Option<&'a str>) {
    match (receipt, gave_up_at, sent_at) {
        (Some("delivered"), _, _) => ("delivered", None),
        (Some("permanent-failure"), _, _) => ("bounced", None),
        (Some(_), _, _) => ("failed", None),
        (None, Some(at), _) if bounced == 1 => ("bounced", Some(at)),
        (None, Some(at), _) => ("failed", Some(at)),
        (None, None, Some(at)) => ("sent", Some(at)),
        (None, None, None) => ("queued", None),
    }
}

/// Emails from before rows carried a kind are named by their key's first part.
fn kind_of_key(key: &str) -> &str {
    let head = key.split(':').next().unwrap_or("email");
    match head {
        "invitation" => "invitation",
        "registered" => "registered",
        "password-changed" => "password_changed",
        "email-changed" => "email_changed",
        "sign-up" => "sign_up_decided",
        "password-reset" => "password_reset",
        "email-change" => "email_change_requested",
        _ => "email",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_statuses_read_receipts_first() {
        assert_eq!(status(None, None, None, 0).0, "queued");
        assert_eq!(status(Some("t"), None, None, 0), ("sent", Some("t")));
        assert_eq!(status(Some("t"), None, Some("delivered"), 0).0, "delivered");
        assert_eq!(status(Some("t"), None, Some("permanent-failure"), 0).0, "bounced");
        assert_eq!(status(Some("t"), None, Some("temporary-failure"), 0).0, "failed");
        assert_eq!(status(None, Some("g"), None, 1), ("bounced", Some("g")));
        assert_eq!(status(None, Some("g"), None, 0), ("failed", Some("g")));
        assert_eq!(kind_of_key("password-changed:abc"), "password_changed");
    }
}
