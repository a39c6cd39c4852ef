//! `/api/v1/nhs-login`: whether NHS login is on, the start of a sign-in (a
//! link the browser follows to NHS login) and the callback NHS login sends
//! the browser back to. Both legs are browser navigations, so both answer
//! with a redirect to a page, never with JSON: the patient's record, or a
//! page that says plainly what happened and what they can do.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::Redirect;
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use portico_types::api::NhsLoginStatus;

use super::decide::Refusal;
use super::flow::{self, Callback, FinishError};
use super::join::Joined;
use super::outcome::{Arrival, Placed, SettleError};
use super::pending::{self, CameFrom};
use super::provider::Failure;
use crate::auth::extract::{ClientIp, session_cookie};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/nhs-login", get(status))
        .route("/nhs-login/start", get(start))
        .route("/nhs-login/callback", get(callback))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(status, start, callback))]
pub struct Docs;

#[utoipa::path(
    get,
    path = "/nhs-login",
    operation_id = "nhs_login_status",
    tag = "nhs-login",
    responses((status = 200, description = "OK", body = NhsLoginStatus))
)]
async fn status(State(state): State<AppState>) -> Json<NhsLoginStatus> {
    Json(NhsLoginStatus { enabled: state.nhs_login.is_some() })
}

/// `?from=sign-in|register|join&team=<slug>`
#[utoipa::path(
    get,
    path = "/nhs-login/start",
    operation_id = "nhs_login_start",
    tag = "nhs-login",
    params(
        ("from" = Option<String>, Query, description = "Where the person started: `sign-in` (the default), `register` or `join`"),
        ("team" = Option<String>, Query, description = "The join page's team slug, with `from=join`")
    ),
    responses((status = 303, description = "To NHS login's authorisation endpoint, or to `/nhs-login?outcome=unavailable`"))
)]
async fn start(State(state): State<AppState>, jar: CookieJar, RawQuery(query): RawQuery) -> (CookieJar, Redirect) {
    let Some(provider) = state.nhs_login.clone() else { return (jar, outcome_page("unavailable")) };
    let (mut came_from, mut team) = (CameFrom::SignIn, None);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "from" => came_from = CameFrom::parse(&value).unwrap_or(CameFrom::SignIn),
            "team" => team = Some(value.chars().take(100).collect::<String>()),
            _ => {}
        }
    }
    match flow::start(&state, &provider, came_from, team.as_deref()).await {
        Ok(started) => (jar.add(browser_cookie(&state, &started.browser)), Redirect::to(started.url.as_str())),
        Err(Failure::Unavailable(cause)) => {
            tracing::warn!(%cause, "NHS login unavailable");
            (jar, outcome_page("unavailable"))
        }
        Err(failure) => {
            tracing::warn!(error = %failure, "NHS login could not start");
            (jar, outcome_page("unavailable"))
        }
    }
}

#[utoipa::path(
    get,
    path = "/nhs-login/callback",
    operation_id = "nhs_login_callback",
    tag = "nhs-login",
    params(
        ("code" = Option<String>, Query, description = "The authorisation code NHS login sends back"),
        ("state" = Option<String>, Query, description = "The state Portico sent"),
        ("error" = Option<String>, Query, description = "NHS login's error, when the person did not sign in")
    ),
    responses((status = 303, description = "Signed in, to the page that follows; or to `/nhs-login?outcome=…` saying why not"))
)]
async fn callback(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> (CookieJar, Redirect) {
    let Some(provider) = state.nhs_login.clone() else { return (jar, outcome_page("unavailable")) };
    let callback = Callback::parse(query.as_deref().unwrap_or_default());
    let browser = jar.get(browser_cookie_name(&state)).and_then(|c| OneTimeToken::parse(c.value()));
    let arrival = Arrival {
        ip: &ip,
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
        device: crate::notifications::devices::presented(&state, &jar),
    };
    let finished = flow::finish(&state, &provider, &callback, browser.as_ref(), arrival).await;
    // Once its sign-in is taken the cookie has done its one job; a forged
    // callback must not cancel the patient's sign-in in progress.
    let jar = match &finished {
        Err(FinishError::UnknownState) => jar,
        _ => jar.add(browser_removal_cookie(&state)),
    };
    match finished {
        Ok(settled) => {
            let page = match (settled.placed, settled.joined) {
                (Placed::Held, _) => outcome_page("held"),
                // Their record is theirs; the team has still to say yes.
                (_, Some(Joined::Waiting { has_record: true })) => outcome_page("team-waiting"),
                // The record page says where their request to the team stands.
                (_, Some(Joined::Waiting { has_record: false })) => Redirect::to("/record"),
                (Placed::Returning | Placed::Claimed | Placed::Created, _) => Redirect::to("/record"),
                (Placed::NotProven, _) => outcome_page("not-proven"),
            };
            let mut jar = jar.add(session_cookie(&state, &settled.session));
            if let Some(device) = &settled.device {
                jar = jar.add(crate::notifications::devices::cookie(&state, device));
            }
            (jar, page)
        }
        Err(err) => (jar, outcome_page(page_for(&err))),
    }
}

/// The outcome page's word for a sign-in that went no further.
fn page_for(err: &FinishError) -> &'static str {
    match err {
        FinishError::Provider(Failure::Unavailable(_)) | FinishError::Settle(SettleError::Internal(_)) => "unavailable",
        FinishError::Declined(_) => "declined",
        FinishError::Settle(SettleError::Refused(Refusal::EmailInUse)) => "email-in-use",
        FinishError::Settle(SettleError::Refused(Refusal::RecordRegistered)) => "record-registered",
        FinishError::Settle(SettleError::Refused(Refusal::DetailsDiffer)) => "details-differ",
        FinishError::Settle(SettleError::Refused(Refusal::AccountDisabled)) => "failed",
        FinishError::UnknownState | FinishError::Provider(Failure::Refused { .. }) => "failed",
        FinishError::Settle(SettleError::Raced) => "failed",
    }
}

fn outcome_page(outcome: &str) -> Redirect {
    Redirect::to(&format!("/nhs-login?outcome={outcome}"))
}

/// Binds a sign-in to the browser that started it. SameSite=Lax: it must
/// travel on NHS login's redirect back, a top-level navigation from another site.
fn browser_cookie(state: &AppState, token: &OneTimeToken) -> Cookie<'static> {
    Cookie::build((browser_cookie_name(state), token.as_str().to_owned()))
        .http_only(true)
        .secure(state.settings.served_over_tls())
        .same_site(SameSite::Lax)
        .path("/api/v1/nhs-login")
        .max_age(pending::LIFETIME)
        .build()
}

fn browser_removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = browser_cookie(state, &OneTimeToken::generate());
    cookie.make_removal();
    cookie
}

fn browser_cookie_name(state: &AppState) -> &'static str {
    // `__Host-` cookies must have Path=/, so over TLS this one takes `__Secure-`.
    if state.settings.served_over_tls() { "__Secure-portico-nhs-login" } else { "portico-nhs-login" }
}
