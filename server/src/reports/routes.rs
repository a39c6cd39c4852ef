//! `GET /api/v1/staff/reports/uptake` (JSON) and `…/uptake.csv` (the same
//! rows as a file to open in a spreadsheet), and the same pair for its
//! drop-off funnel (`…/funnel`, `…/funnel.csv`), each with the optional
//! filters `team_id`, `from` and `to` (dates, `YYYY-MM-DD`, both days included).
//!
//! Only team admins read it, as only they run campaigns: a professional is
//! shown the teams they are an admin of, and asking for another team is
//! refused as every team route refuses it (404 for a team they have no role
//! in, 403 for one where they are not the admin).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portico_types::api::{FunnelReport, FunnelRow, UptakeReport, UptakeRow};
use portico_types::problem::FieldError;
use serde::Deserialize;
use time::Date;

use super::{Period, Scope};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiQuery;
use crate::staff::{self, Professional};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/reports/uptake", get(uptake_json))
        .route("/staff/reports/uptake.csv", get(uptake_csv))
        .route("/staff/reports/funnel", get(funnel_json))
        .route("/staff/reports/funnel.csv", get(funnel_csv))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(uptake_json, uptake_csv, funnel_json, funnel_csv))]
pub struct Docs;

/// The query string, as sent.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UptakeParams {
    team_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl UptakeParams {
    /// The filters as values, or every bad one as a field error. An empty
    /// value is no filter, as a form left blank sends it.
    fn parse(self) -> Result<(Option<String>, Period), ApiError> {
        let present = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut errors = Vec::new();
        let mut date = |field: &str, value: Option<String>| match present(value).map(|v| parse_date(&v)) {
            Some(Ok(date)) => Some(date),
            Some(Err(message)) => {
                errors.push(FieldError::new(field, message));
                None
            }
            None => None,
        };
        let period = Period { from: date("from", self.from), to: date("to", self.to) };
        if let Period { from: Some(from), to: Some(to) } = period
            && from > to
        {
            errors.push(FieldError::new("to", "The end date must be the same as or after the start date"));
        }
        if errors.is_empty() { Ok((present(self.team_id), period)) } else { Err(ApiError::Invalid(errors)) }
    }
}

fn parse_date(value: &str) -> Result<Date, &'static str> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, format).map_err(|_| "Enter a real date in the form YYYY-MM-DD, like 2026-11-30")
}

/// Parses the filters and checks the team.
async fn scope_of(state: &AppState, professional: &Professional, params: UptakeParams) -> ApiResult<Scope> {
    let (team_id, period) = params.parse()?;
    if let Some(team_id) = &team_id {
        staff::admin_of(state, professional, team_id).await?;
    }
    Ok(Scope { admin_account_id: professional.account_id.clone(), team_id, period })
}

/// Parses the filters, checks the team, and reads the rows.
async fn report(state: &AppState, professional: &Professional, params: UptakeParams) -> ApiResult<Vec<UptakeRow>> {
    let scope = scope_of(state, professional, params).await?;
    Ok(super::uptake(&state.db, &scope).await?)
}

/// The funnel's rows, as [`report`] reads the uptake's.
async fn funnel_report(
    state: &AppState,
    professional: &Professional,
    params: UptakeParams,
) -> ApiResult<Vec<FunnelRow>> {
    let scope = scope_of(state, professional, params).await?;
    Ok(super::funnel(&state.db, &scope).await?)
}

/// A CSV body to download as `filename`.
fn csv_download(body: String, filename: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(filename));
    response
}

#[utoipa::path(
    get,
    path = "/staff/reports/uptake",
    operation_id = "uptake_json",
    tag = "reports",
    params(UptakeParams),
    responses((status = 200, description = "OK", body = UptakeReport), (status = 404, description = "A team this professional has no role in")),
    security(("session" = []))
)]
async fn uptake_json(
    State(state): State<AppState>,
    professional: Professional,
    ApiQuery(params): ApiQuery<UptakeParams>,
) -> ApiResult<Json<UptakeReport>> {
    Ok(Json(UptakeReport { rows: report(&state, &professional, params).await? }))
}

#[utoipa::path(
    get,
    path = "/staff/reports/uptake.csv",
    operation_id = "uptake_csv",
    tag = "reports",
    params(UptakeParams),
    responses((status = 200, description = "The report's rows, to open in a spreadsheet", content_type = "text/csv", body = String), (status = 404, description = "A team this professional has no role in")),
    security(("session" = []))
)]
async fn uptake_csv(
    State(state): State<AppState>,
    professional: Professional,
    ApiQuery(params): ApiQuery<UptakeParams>,
) -> ApiResult<Response> {
    let rows = report(&state, &professional, params).await?;
    let body = csv_of(&rows).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(csv_download(body, "attachment; filename=\"uptake.csv\""))
}

#[utoipa::path(
    get,
    path = "/staff/reports/funnel",
    operation_id = "funnel_json",
    tag = "reports",
    params(UptakeParams),
    responses((status = 200, description = "OK", body = FunnelReport), (status = 404, description = "A team this professional has no role in")),
    security(("session" = []))
)]
async fn funnel_json(
    State(state): State<AppState>,
    professional: Professional,
    ApiQuery(params): ApiQuery<UptakeParams>,
) -> ApiResult<Json<FunnelReport>> {
    Ok(Json(FunnelReport { rows: funnel_report(&state, &professional, params).await? }))
}

#[utoipa::path(
    get,
    path = "/staff/reports/funnel.csv",
    operation_id = "funnel_csv",
    tag = "reports",
    params(UptakeParams),
    responses((status = 200, description = "The funnel's steps and refusals, to open in a spreadsheet", content_type = "text/csv", body = String), (status = 404, description = "A team this professional has no role in")),
    security(("session" = []))
)]
async fn funnel_csv(
    State(state): State<AppState>,
    professional: Professional,
    ApiQuery(params): ApiQuery<UptakeParams>,
) -> ApiResult<Response> {
    let rows = funnel_report(&state, &professional, params).await?;
    let body = funnel_csv_of(&rows).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(csv_download(body, "attachment; filename=\"drop-off.csv\""))
}

const CSV_HEADER: [&str; 8] = [
    "team_id",
    "team_name",
    "channel",
    "invited",
    "opened",
    "registered",
    "conversion_percent",
    "median_hours_to_register",
];

/// The rows as CSV: a header, then one line per row; the conversion as a
/// percentage with one decimal, the median empty when nobody registered.
fn csv_of(rows: &[UptakeRow]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for row in rows {
        writer.write_record([
            row.team_id.clone(),
            spreadsheet_safe(&row.team_name),
            row.channel.clone(),
            row.invited.to_string(),
            row.opened.to_string(),
            row.registered.to_string(),
            percent(row.conversion_permille),
            row.median_hours_to_register.map(|h| h.to_string()).unwrap_or_default(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

const FUNNEL_CSV_HEADER: [&str; 9] =
    ["team_id", "team_name", "channel", "kind", "name", "count", "percent_of_invited", "dropped", "dropped_percent"];

/// A figure in tenths of a per cent as a percentage with one decimal.
fn percent(permille: u64) -> String {
    format!("{}.{}", permille / 10, permille % 10)
}

/// The funnel as CSV, one line per figure so a spreadsheet can pivot it: a
/// `step` line for each step (records reaching it, their share of those
/// invited, how many of the step before stopped short of it and what part),
/// then a `refusal` line for each reason (attempts given it; no shares).
fn funnel_csv_of(rows: &[FunnelRow]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(FUNNEL_CSV_HEADER)?;
    for row in rows {
        let team_name = spreadsheet_safe(&row.team_name);
        let line = |kind: &str, name: &str, figures: [String; 4]| {
            let [count, share, dropped, dropped_percent] = figures;
            [
                row.team_id.clone(),
                team_name.clone(),
                row.channel.clone(),
                kind.to_owned(),
                name.to_owned(),
                count,
                share,
                dropped,
                dropped_percent,
            ]
        };
        for step in &row.steps {
            let figures = [
                step.records.to_string(),
                percent(step.share_permille),
                step.dropped.to_string(),
                percent(step.dropped_permille),
            ];
            writer.write_record(line("step", &step.step, figures))?;
        }
        for refusal in &row.refusals {
            let figures = [refusal.attempts.to_string(), String::new(), String::new(), String::new()];
            writer.write_record(line("refusal", &refusal.reason, figures))?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A text cell a spreadsheet will not run as a formula (OWASP's CSV
/// injection advice): one starting with `=`, `+`, `-`, `@`, tab or CR gets a `'`.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(team_id: Option<&str>, from: Option<&str>, to: Option<&str>) -> UptakeParams {
        UptakeParams { team_id: team_id.map(str::to_owned), from: from.map(str::to_owned), to: to.map(str::to_owned) }
    }

    fn fields(result: Result<(Option<String>, Period), ApiError>) -> Vec<String> {
        match result {
            Err(ApiError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn filters_are_parsed_and_every_bad_one_named() {
        let (team, period) = params(Some("t1"), Some("2026-11-01"), Some(" 2026-11-30 ")).parse().unwrap();
        assert_eq!(team.as_deref(), Some("t1"));
        assert_eq!(period.from.map(|d| d.to_string()).as_deref(), Some("2026-11-01"));
        assert_eq!(period.to.map(|d| d.to_string()).as_deref(), Some("2026-11-30"));
        assert_eq!(params(Some(""), Some(""), None).parse().unwrap(), (None, Period::default()));
        assert_eq!(fields(params(None, Some("2026-02-30"), Some("30/11/2026")).parse()), ["from", "to"]);
        assert_eq!(fields(params(None, Some("2026-12-01"), Some("2026-11-30")).parse()), ["to"]);
    }

    #[test]
    fn the_csv_has_a_header_and_cells_no_spreadsheet_runs() {
        let row = UptakeRow {
            team_id: "t1".into(),
            team_name: "=HYPERLINK(\"x\"), \"Diabetes\"".into(),
            channel: "letter".into(),
            invited: 3,
            opened: 2,
            registered: 1,
            conversion_permille: 333,
            median_hours_to_register: None,
        };
        let text = csv_of(&[row]).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("team_id,team_name,channel,invited,opened,registered,conversion_percent,median_hours_to_register")
        );
        assert_eq!(lines.next(), Some("t1,\"'=HYPERLINK(\"\"x\"\"), \"\"Diabetes\"\"\",letter,3,2,1,33.3,"));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn the_funnel_csv_has_a_line_per_step_and_reason_and_cells_no_spreadsheet_runs() {
        use portico_types::api::{FunnelStep, RefusalCount};
        let step = |step: &str, records, share_permille, dropped, dropped_permille| FunnelStep {
            step: step.into(),
            records,
            share_permille,
            dropped,
            dropped_permille,
        };
        let row = FunnelRow {
            team_id: "t1".into(),
            team_name: "-1+1".into(),
            channel: "sms".into(),
            steps: vec![step("invited", 4, 1000, 0, 0), step("code_entered", 3, 750, 1, 250)],
            refusals: vec![RefusalCount { reason: "expired".into(), attempts: 2 }],
        };
        let text = funnel_csv_of(&[row]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "team_id,team_name,channel,kind,name,count,percent_of_invited,dropped,dropped_percent",
                "t1,'-1+1,sms,step,invited,4,100.0,0,0.0",
                "t1,'-1+1,sms,step,code_entered,3,75.0,1,25.0",
                "t1,'-1+1,sms,refusal,expired,2,,,",
            ]
        );
    }
}
