//! Email notification settings, and the unsubscribe link's calls.

use gloo_net::http::Request;
use portico_types::api::{NotificationPreferencesResponse, UnsubscribeView, UpdateNotificationPreferencesRequest};

use super::{ApiError, JsonBody, read, url, write};

/// `GET /api/v1/me/notification-preferences`: the signed-in person's choices.
pub async fn notification_preferences() -> Result<NotificationPreferencesResponse, ApiError> {
    read(Request::get(&url("/me/notification-preferences")).send().await).await
}

/// `PUT /api/v1/me/notification-preferences`: changes the kinds given.
pub async fn update_notification_preferences(
    body: &UpdateNotificationPreferencesRequest,
) -> Result<NotificationPreferencesResponse, ApiError> {
    let request = write(Request::put(&url("/me/notification-preferences"))).json_body(body)?;
    read(request.send().await).await
}

/// `GET /api/v1/notifications/unsubscribe?token=…`: what the link would turn off (changes nothing).
pub async fn unsubscribe_view(token: &str) -> Result<UnsubscribeView, ApiError> {
    read(Request::get(&url("/notifications/unsubscribe")).query([("token", token)]).send().await).await
}

/// `POST /api/v1/notifications/unsubscribe?token=…`: turns it off; no sign-in needed.
pub async fn unsubscribe(token: &str) -> Result<UnsubscribeView, ApiError> {
    read(write(Request::post(&url("/notifications/unsubscribe"))).query([("token", token)]).send().await).await
}
