//! `/api/v1/registration`: the registration steps, each answering with
//! where the registration has got to.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router, middleware};
use axum_extra::extract::CookieJar;
use portico_types::api::{
    CodeRenewalAnswer, CompleteRegistrationRequest, ConfirmEmailRequest, LinkAccountRequest, RegistrationCompleted,
    RegistrationEmailRequest, RegistrationView, StartRegistrationRequest,
};
use portico_types::problem::FieldError;
use portico_types::{DateOfBirth, EmailAddress, InvitationCode};

use super::complete::{self, CompleteError};
use super::confirm::{self, ConfirmError};
use super::email::{self, EmailStepError};
use super::link::{self, LinkError};
use super::renewal::{self, RenewalError};
use super::start::{self, StartError};
use super::{Registration, by_token, cookie, removal_cookie, token, view_of};
use crate::auth::extract::{ClientIp, session_cookie, session_token};
use crate::auth::routes::{password_refusal, session_response, session_response_waiting};
use crate::error::{ApiError, ApiResult};
use crate::http::even_time;
use crate::http::extract::ApiJson;
use crate::invitations::handover;
use crate::notifications::devices::{self, CookieAfterJar};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registration", post(begin).get(show))
        .route("/registration/email", post(give_email))
        .route("/registration/email/confirm", post(confirm_email))
        .route("/registration/complete", post(finish))
        .route("/registration/link", post(link_account))
        .route("/registration/renewal", post(ask_for_renewal))
        // Codes, dates of birth and addresses from anyone: each step answers
        // in even time (see `crate::http::even_time`).
        .route_layer(middleware::from_fn(even_time::no_sooner_than_the_floor))
}

/// This module's operations in the OpenAPI document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(begin, show, give_email, confirm_email, finish, link_account, ask_for_renewal))]
pub struct Docs;

const CONTACT_TEAM: &str = "Contact your clinical team and ask them to send you a new invitation.";
const SIGN_IN_INSTEAD: &str = "Sign in to see your record. If you have forgotten your password, you can reset it.";

fn gone(kind: &'static str, title: &'static str) -> ApiError {
    ApiError::refusal(StatusCode::GONE, kind, title, Some(CONTACT_TEAM.into()))
}

#[utoipa::path(
    post,
    path = "/registration",
    operation_id = "registration_begin",
    tag = "registration",
    request_body = StartRegistrationRequest,
    responses((status = 201, description = "Created", body = RegistrationView), (status = 409), (status = 429)),
    security(("csrf" = []))
)]
async fn begin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(body): ApiJson<StartRegistrationRequest>,
) -> ApiResult<(StatusCode, CookieJar, Json<RegistrationView>)> {
    let mut errors = Vec::new();
    let code = InvitationCode::parse(&body.code).map_err(|e| errors.push(FieldError::new("code", e)));
    let date_of_birth = DateOfBirth::parse(&body.date_of_birth, state.now().date())
        .map_err(|e| errors.push(FieldError::new("date_of_birth", e)));
    let (Ok(code), Ok(date_of_birth)) = (code, date_of_birth) else {
        return Err(ApiError::Invalid(errors));
    };
    let started = start::start(&state, &code, &date_of_birth, &ip).await.map_err(|err| match err {
        StartError::Mismatch { attempts_left } => ApiError::refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "registration-mismatch",
            "The registration code or date of birth is not right",
            Some(format!(
                "Check both and try again. After {attempts_left} more wrong {} the code will be locked.",
                if attempts_left == 1 { "try" } else { "tries" }
            )),
        ),
        StartError::Locked => ApiError::refusal(
            StatusCode::FORBIDDEN,
            "invitation-locked",
            "This registration code is locked",
            Some(format!("It has been tried too many times. {CONTACT_TEAM}")),
        ),
        StartError::TooManyAttempts { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        StartError::Used => ApiError::refusal(
            StatusCode::CONFLICT,
            "invitation-used",
            "This registration code has already been used",
            Some(SIGN_IN_INSTEAD.into()),
        ),
        StartError::Expired => gone("invitation-expired", "This registration code has expired"),
        StartError::NoLongerValid => gone("invitation-not-valid", "This registration code can no longer be used"),
        StartError::AlreadyRegistered => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-registered",
            "You have already registered",
            Some(SIGN_IN_INSTEAD.into()),
        ),
        StartError::Internal(err) => ApiError::Internal(err),
    })?;
    Ok((StatusCode::CREATED, jar.add(cookie(&state, &started.token)), Json(started.view)))
}

/// The one answer to every request for a new code that gets as far as being
/// looked at: sent, or not, for whatever reason.
pub const RENEWAL_ANSWER: &str = "If your details match an expired invitation, we have sent a new code to the \
     contact details your clinical team holds for you.";

#[utoipa::path(
    post,
    path = "/registration/renewal",
    operation_id = "registration_renewal",
    tag = "registration",
    request_body = StartRegistrationRequest,
    responses(
        (status = 202, description = "The same answer whatever happened", body = CodeRenewalAnswer),
        (status = 429)
    ),
    security(("csrf" = []))
)]
async fn ask_for_renewal(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<StartRegistrationRequest>,
) -> ApiResult<(StatusCode, Json<CodeRenewalAnswer>)> {
    let mut errors = Vec::new();
    let code = InvitationCode::parse(&body.code).map_err(|e| errors.push(FieldError::new("code", e)));
    let date_of_birth = DateOfBirth::parse(&body.date_of_birth, state.now().date())
        .map_err(|e| errors.push(FieldError::new("date_of_birth", e)));
    let (Ok(code), Ok(date_of_birth)) = (code, date_of_birth) else {
        return Err(ApiError::Invalid(errors));
    };
    renewal::renew(&state, &code, &date_of_birth, &ip).await.map_err(|err| match err {
        RenewalError::TooManyRequests { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
        RenewalError::Internal(err) => ApiError::Internal(err),
    })?;
    Ok((StatusCode::ACCEPTED, Json(CodeRenewalAnswer { message: RENEWAL_ANSWER.to_owned() })))
}

/// The registration this browser holds, or a refusal that says to start again.
async fn current(state: &AppState, jar: &CookieJar) -> ApiResult<Registration> {
    let found = match token(state, jar) {
        Some(token) => by_token(&state.db, &token.hash(), state.now()).await?,
        None => None,
    };
    found.ok_or_else(|| {
        ApiError::refusal(
            StatusCode::NOT_FOUND,
            "registration-not-found",
            "Your registration has timed out",
            Some(
                "Start again with the registration code from your invitation, or on your clinical team's join page."
                    .into(),
            ),
        )
    })
}

/// A registration that makes a new account: not a professional's, which
/// joins the account they have.
fn for_new_account(registration: Registration) -> ApiResult<Registration> {
    match registration.for_account_id() {
        None => Ok(registration),
        Some(_) => Err(ApiError::refusal(
            StatusCode::CONFLICT,
            "sign-in-to-link",
            "Sign in with the Portico account you already have",
            Some("This invitation adds your record to that account.".into()),
        )),
    }
}

#[utoipa::path(
    post,
    path = "/registration/link",
    operation_id = "link_account",
    tag = "registration",
    request_body = LinkAccountRequest,
    responses((status = 200, description = "OK", body = RegistrationCompleted), (status = 409)),
    security(("registration" = [], "csrf" = []))
)]
async fn link_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<LinkAccountRequest>,
) -> ApiResult<(CookieJar, Json<RegistrationCompleted>)> {
    let registration = current(&state, &jar).await?;
    let previous = session_token(&state, &jar);
    let from = link::LinkFrom {
        ip: &ip,
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
        previous_session: previous.as_ref().map(|t| t.as_str()),
    };
    let signed_in = link::link(&state, &registration, &body.password, from).await.map_err(|err| match err {
        LinkError::NotForAnAccount => ApiError::refusal(
            StatusCode::CONFLICT,
            "not-a-professional-invitation",
            "This invitation makes a new account",
            Some("Go back and give your email address.".into()),
        ),
        LinkError::SignIn(err) => password_refusal(err),
        LinkError::Refused(err) => complete_refusal(err),
    })?;
    let response = session_response_waiting(&state, &signed_in.account_id, signed_in.second_factor).await?;
    let jar = jar.add(removal_cookie(&state)).add(session_cookie(&state, &signed_in.token));
    Ok((jar, Json(RegistrationCompleted { signed_in: Some(response), hand_back: false })))
}

#[utoipa::path(
    get,
    path = "/registration",
    operation_id = "registration_show",
    tag = "registration",
    responses((status = 200, description = "OK", body = RegistrationView)),
    security(("registration" = []))
)]
async fn show(State(state): State<AppState>, jar: CookieJar) -> ApiResult<Json<RegistrationView>> {
    let registration = current(&state, &jar).await?;
    Ok(Json(view_of(&state.db, &registration).await?))
}

#[utoipa::path(
    post,
    path = "/registration/email",
    operation_id = "give_email",
    tag = "registration",
    request_body = RegistrationEmailRequest,
    responses((status = 200, description = "OK", body = RegistrationView), (status = 429)),
    security(("registration" = [], "csrf" = []))
)]
async fn give_email(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(body): ApiJson<RegistrationEmailRequest>,
) -> ApiResult<Json<RegistrationView>> {
    let email = EmailAddress::parse(&body.email).map_err(|e| ApiError::field("email", e))?;
    let registration = for_new_account(current(&state, &jar).await?)?;
    let view = email::give_email(&state, &registration, &email, &ip).await.map_err(|err| match err {
        EmailStepError::TooManyEmails => ApiError::refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-emails",
            "We have sent as many emails as we can for this registration",
            Some(
                "Check your spam folder. If nothing has arrived, start again later with your registration code.".into(),
            ),
        ),
        EmailStepError::Internal(err) => ApiError::Internal(err),
    })?;
    Ok(Json(view))
}

#[utoipa::path(
    post,
    path = "/registration/email/confirm",
    operation_id = "confirm_email",
    tag = "registration",
    request_body = ConfirmEmailRequest,
    responses((status = 200, description = "OK", body = RegistrationView), (status = 410)),
    // The emailed link works on any device: the cookie is then absent.
    security(("registration" = [], "csrf" = []), ("csrf" = []))
)]
async fn confirm_email(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(body): ApiJson<ConfirmEmailRequest>,
) -> ApiResult<(CookieJar, Json<RegistrationView>)> {
    let confirmed = match (body.code.as_deref(), body.token.as_deref()) {
        (None, Some(link)) => {
            let link = OneTimeToken::parse(link).ok_or_else(link_used_up)?;
            let (device, view) = confirm::confirm_link(&state, &link, &ip).await.map_err(confirm_error)?;
            (jar.add(cookie(&state, &device)), view)
        }
        (Some(code), None) => {
            let code = confirm::parse_code(code)
                .ok_or_else(|| ApiError::field("code", "Enter the 6 digit code from the email, like 123 456"))?;
            let registration = current(&state, &jar).await?;
            let view = confirm::confirm_code(&state, &registration, &code, &ip).await.map_err(confirm_error)?;
            (jar, view)
        }
        _ => return Err(ApiError::field("code", "Enter the 6 digit code from the email")),
    };
    Ok((confirmed.0, Json(confirmed.1)))
}

fn link_used_up() -> ApiError {
    ApiError::refusal(
        StatusCode::GONE,
        "email-link-used",
        "This link has already been used or has expired",
        Some("If you have not finished registering, go back to where you started and ask for a new email.".into()),
    )
}

fn confirm_error(err: ConfirmError) -> ApiError {
    match err {
        ConfirmError::WrongCode { attempts_left } => ApiError::field(
            "code",
            format!(
                "The code is not right. Check the email and try again ({attempts_left} {} left)",
                if attempts_left == 1 { "try" } else { "tries" }
            ),
        ),
        ConfirmError::CodeUsedUp => ApiError::refusal(
            StatusCode::GONE,
            "email-code-used",
            "This code can no longer be used",
            Some("Ask for a new email and use the code or link in it.".into()),
        ),
        ConfirmError::LinkUsedUp => link_used_up(),
        ConfirmError::Internal(err) => ApiError::Internal(err),
    }
}

#[utoipa::path(
    post,
    path = "/registration/complete",
    operation_id = "registration_finish",
    tag = "registration",
    request_body = CompleteRegistrationRequest,
    responses((status = 201, description = "Created", body = RegistrationCompleted)),
    security(("registration" = [], "csrf" = []))
)]
async fn finish(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<CompleteRegistrationRequest>,
) -> ApiResult<(StatusCode, CookieJar, CookieAfterJar, Json<RegistrationCompleted>)> {
    let registration = for_new_account(current(&state, &jar).await?)?;
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    // On a device handed over at the desk the patient is not signed in: the
    // professional's suspended session stays, waiting for their password.
    let sign_in = !handed_over(&state, &jar).await?;
    let device = if sign_in { devices::presented(&state, &jar) } else { devices::Presented::NotChecked };
    let outcome = complete::Outcome { sign_in, ip: &ip, user_agent, device };
    let registered = complete::complete(&state, &registration, &body.password, body.accept_terms, outcome)
        .await
        .map_err(complete_refusal)?;
    let jar = jar.add(removal_cookie(&state));
    let device = devices::cookie_after_jar(&state, registered.device.as_ref());
    match registered.session {
        Some(session) => {
            let signed_in = session_response(&state, &registered.account_id).await?;
            let jar = jar.add(session_cookie(&state, &session));
            let completed = RegistrationCompleted { signed_in: Some(signed_in), hand_back: false };
            Ok((StatusCode::CREATED, jar, device, Json(completed)))
        }
        None => {
            Ok((StatusCode::CREATED, jar, device, Json(RegistrationCompleted { signed_in: None, hand_back: true })))
        }
    }
}

/// Whether this device was handed to the patient by a professional, whose
/// suspended session its cookie still holds.
async fn handed_over(state: &AppState, jar: &CookieJar) -> ApiResult<bool> {
    Ok(match session_token(state, jar) {
        Some(token) => handover::suspended(&state.db, &token.hash()).await?.is_some(),
        None => false,
    })
}

fn complete_refusal(err: CompleteError) -> ApiError {
    match err {
        CompleteError::Invalid { password, terms_not_accepted } => {
            let mut errors = Vec::new();
            if let Some(e) = password {
                errors.push(FieldError::new("password", e));
            }
            if terms_not_accepted {
                errors.push(FieldError::new("accept_terms", "Confirm that you accept the terms of use"));
            }
            ApiError::Invalid(errors)
        }
        CompleteError::EmailNotConfirmed => ApiError::refusal(
            StatusCode::CONFLICT,
            "email-not-confirmed",
            "Confirm your email address first",
            Some("Use the link or the code in the email we sent you.".into()),
        ),
        CompleteError::Used => ApiError::refusal(
            StatusCode::CONFLICT,
            "invitation-used",
            "This registration code has already been used",
            Some(SIGN_IN_INSTEAD.into()),
        ),
        CompleteError::Expired => gone("invitation-expired", "This registration code has expired"),
        CompleteError::NoLongerValid => gone("invitation-not-valid", "This registration code can no longer be used"),
        CompleteError::AlreadyRegistered => ApiError::refusal(
            StatusCode::CONFLICT,
            "record-registered",
            "You have already registered",
            Some(SIGN_IN_INSTEAD.into()),
        ),
        CompleteError::EmailTaken => ApiError::refusal(
            StatusCode::CONFLICT,
            "email-taken",
            "An account already uses this email address",
            Some("Sign in with it, or go back and give a different email address.".into()),
        ),
        CompleteError::Internal(err) => ApiError::Internal(err),
    }
}
