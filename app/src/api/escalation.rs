//! Reminder escalation: a plan's preview, and a record's reminders and
//! opt-out (see `portico_types::api::escalation`).

use gloo_net::http::Request;
use portico_types::api::{PlanPreview, PlanPreviewRequest, RecordReminders, SetReminderOptOutRequest};

use super::{ApiError, JsonBody, read, record_url, team_url, write};

/// `POST /api/v1/staff/teams/{team_id}/campaigns/plan-preview`: counts a cohort and checks a plan, sending nothing.
pub async fn preview_plan(team_id: &str, body: &PlanPreviewRequest) -> Result<PlanPreview, ApiError> {
    let request = write(Request::post(&team_url(team_id, "/campaigns/plan-preview"))).json_body(body)?;
    read(request.send().await).await
}

/// `GET /api/v1/staff/records/{record_id}/reminders`: what each plan's steps did for the record.
pub async fn record_reminders(record_id: &str) -> Result<RecordReminders, ApiError> {
    read(Request::get(&record_url(record_id, "/reminders")).send().await).await
}

/// `PUT /api/v1/staff/records/{record_id}/reminder-opt-out`: records or lifts the patient's opt-out.
pub async fn set_reminder_opt_out(record_id: &str, opted_out: bool) -> Result<RecordReminders, ApiError> {
    let request = write(Request::put(&record_url(record_id, "/reminder-opt-out")))
        .json_body(&SetReminderOptOutRequest { opted_out })?;
    read(request.send().await).await
}
