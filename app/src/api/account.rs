//! Registration and a patient's own account: the calls of the patient pages.

use gloo_net::http::Request;
use portico_types::api::{
    ChangeEmailRequest, CodeRenewalAnswer, CompletePasswordResetRequest, CompleteRegistrationRequest,
    ConfirmEmailChangeRequest, ConfirmEmailRequest, HandoverView, LinkAccountRequest, PasswordResetRequest,
    RegistrationEmailRequest, RegistrationView, RemoveSecondFactorRequest, SecondFactorStatus,
    StartRegistrationRequest,
};

use super::{ApiError, JsonBody, accepted, read, url, write};

/// `POST /api/v1/registration`: the code and date of birth, together.
pub async fn start_registration(body: &StartRegistrationRequest) -> Result<RegistrationView, ApiError> {
    let request = write(Request::post(&url("/registration"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/registration/renewal`: asks for a new code in place of an
/// expired one; the answer is the same whatever happened.
pub async fn ask_for_new_code(body: &StartRegistrationRequest) -> Result<CodeRenewalAnswer, ApiError> {
    let request = write(Request::post(&url("/registration/renewal"))).json_body(body)?;
    read(request.send().await).await
}

/// `GET /api/v1/registration`: where this browser's registration has got to.
pub async fn registration() -> Result<RegistrationView, ApiError> {
    read(Request::get(&url("/registration")).send().await).await
}

/// `POST /api/v1/registration/email`: sends (or sends again) the proof of the address.
pub async fn registration_email(email: &str) -> Result<RegistrationView, ApiError> {
    let body = RegistrationEmailRequest { email: email.to_owned() };
    let request = write(Request::post(&url("/registration/email"))).json_body(&body)?;
    read(request.send().await).await
}

/// `POST /api/v1/registration/email/confirm`, by the six-digit code or the link's token.
pub async fn confirm_registration_email(body: &ConfirmEmailRequest) -> Result<RegistrationView, ApiError> {
    let request = write(Request::post(&url("/registration/email/confirm"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/registration/complete`: makes the account and signs in (the
/// session is the cookie it sets; the page that shows the record asks who),
/// or, on a device handed over at the desk, only makes the account.
/// Answers whether the device goes back to the professional who handed it over.
pub async fn complete_registration(body: &CompleteRegistrationRequest) -> Result<bool, ApiError> {
    let request = write(Request::post(&url("/registration/complete"))).json_body(body)?;
    let completed: Completed = read(request.send().await).await?;
    Ok(completed.hand_back)
}

/// The part of `RegistrationCompleted` the registration pages read: the
/// session in it is for pages of other bundles, and reading it here would
/// weigh on this bundle's first load.
#[derive(serde::Deserialize)]
struct Completed {
    hand_back: bool,
}

/// `POST /api/v1/registration/link`: a professional's record joins the
/// account they have, by its password; signs in.
pub async fn link_account(password: &str) -> Result<(), ApiError> {
    let body = LinkAccountRequest { password: password.to_owned() };
    let request = write(Request::post(&url("/registration/link"))).json_body(&body)?;
    accepted(request.send().await).await
}

/// `GET /api/v1/session/handover`: who handed this device to the patient
/// (a refusal when nobody did).
pub async fn handover() -> Result<HandoverView, ApiError> {
    read(Request::get(&url("/session/handover")).send().await).await
}

/// The name of whoever handed this device to the patient, for the
/// registration pages (which read no more of the answer, to stay light).
pub async fn handed_over_by() -> Result<String, ApiError> {
    #[derive(serde::Deserialize)]
    struct HandedOver {
        staff_name: String,
    }
    let handed: HandedOver = read(Request::get(&url("/session/handover")).send().await).await?;
    Ok(handed.staff_name)
}

/// `POST /api/v1/password-reset`: always accepted, account or not.
pub async fn ask_for_password_reset(email: &str) -> Result<(), ApiError> {
    let body = PasswordResetRequest { email: email.to_owned() };
    let request = write(Request::post(&url("/password-reset"))).json_body(&body)?;
    accepted(request.send().await).await
}

/// `POST /api/v1/password-reset/complete`
pub async fn reset_password(body: &CompletePasswordResetRequest) -> Result<(), ApiError> {
    let request = write(Request::post(&url("/password-reset/complete"))).json_body(body)?;
    accepted(request.send().await).await
}

/// `POST /api/v1/me/email`: asks to move the account to a new address.
pub async fn change_email(body: &ChangeEmailRequest) -> Result<(), ApiError> {
    let request = write(Request::post(&url("/me/email"))).json_body(body)?;
    accepted(request.send().await).await
}

/// `POST /api/v1/me/email/confirm`: the link from the new address.
pub async fn confirm_email_change(token: &str) -> Result<(), ApiError> {
    let body = ConfirmEmailChangeRequest { token: token.to_owned() };
    let request = write(Request::post(&url("/me/email/confirm"))).json_body(&body)?;
    accepted(request.send().await).await
}

/// `DELETE /api/v1/me/sessions`: signs out on every device.
pub async fn sign_out_everywhere() -> Result<(), ApiError> {
    accepted(write(Request::delete(&url("/me/sessions"))).send().await).await
}

/// `GET /api/v1/me/second-factor`: whether two-step sign-in is on.
pub async fn second_factor_status() -> Result<SecondFactorStatus, ApiError> {
    read(Request::get(&url("/me/second-factor")).send().await).await
}

/// `DELETE /api/v1/me/second-factor`: a patient turns two-step sign-in off, with their password.
pub async fn turn_off_second_factor(password: &str) -> Result<(), ApiError> {
    let body = RemoveSecondFactorRequest { password: password.to_owned() };
    let request = write(Request::delete(&url("/me/second-factor"))).json_body(&body)?;
    accepted(request.send().await).await
}
