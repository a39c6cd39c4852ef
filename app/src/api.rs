//! The typed client of `/api/v1`: the only module that knows the URLs.
//!
//! Pages call these functions and get domain answers or an [`ApiError`]; they
//! never build a request themselves. Every state-changing request carries the
//! CSRF header the server insists on. The session cookie travels on its own:
//! the API is same-origin and fetch sends same-origin cookies by default.

mod account;
// The record switcher (patient) and the carers' pages (carers).
#[cfg(any(feature = "patient", feature = "carers", feature = "carer-invitation"))]
mod carers;
#[cfg(feature = "notifications")]
mod notifications;
mod self_registration;
pub use account::*;
#[cfg(any(feature = "patient", feature = "carers", feature = "carer-invitation"))]
pub use carers::*;
#[cfg(feature = "notifications")]
pub use notifications::*;
pub use self_registration::*;
// The staff console's own calls: left out of the patient bundles.
#[cfg(feature = "staff")]
mod campaigns;
#[cfg(feature = "staff")]
mod escalation;
#[cfg(feature = "staff")]
mod kiosk;
#[cfg(feature = "staff")]
mod reports;
#[cfg(feature = "staff")]
mod staff_carers;
#[cfg(feature = "staff")]
pub use campaigns::*;
#[cfg(feature = "staff")]
pub use escalation::*;
#[cfg(feature = "staff")]
pub use kiosk::*;
#[cfg(feature = "staff")]
pub use reports::*;
#[cfg(feature = "staff")]
pub use staff_carers::*;

use gloo_net::http::{Request, RequestBuilder, Response};
use portico_types::api::{
    API_PREFIX, AccountSummary, CSRF_HEADER, CsvImportView, DevOutboxResponse, HandoverStarted, IssueInvitationRequest,
    IssuedInvitation, LiftExclusionRequest, MyRecordResponse, NhsLoginStatus, ProfessionalInvitationsSent,
    ProfessionalsAsPatientsResponse, RecordDetailResponse, RecordHistoryResponse, RecordSearchResponse,
    ResumeSessionRequest, SecondFactorCodeRequest, SecondFactorEnrolment, SecondFactorStep, SessionResponse,
    SetExclusionRequest, SignInRequest, TeamsResponse,
};
use portico_types::problem::Problem;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call did not give the answer asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: not signed in, or the session has ended.
    Unauthorised(Problem),
    /// Any other refusal the server explained (403, 404, 422, 429, ...).
    Refused(Problem),
    /// The server could not be reached, or answered something unreadable.
    Unavailable,
}

impl ApiError {
    /// The sentence to show a person, from the server's own words where it gave some.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthorised(p) | ApiError::Refused(p) => p.detail.clone().unwrap_or_else(|| p.title.clone()),
            ApiError::Unavailable => "Sorry, there is a problem with the service. Try again later.".to_owned(),
        }
    }
}

/// The patient pages' reading of a [`SessionResponse`] (`GET /session`,
/// signing in, the second factor): the same JSON, with the staff profile read
/// only as there or not. Those pages show no more of it than a link to the
/// staff pages, and its reader (organisation, teams, roles) weighed about
/// 13 KB in every patient bundle's wasm. The staff console reads it whole.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct PatientSessionResponse {
    pub account: AccountSummary,
    /// `Some` when the account is a professional's; what it holds is not read.
    pub staff: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub has_record: bool,
    pub idle_timeout_secs: u64,
    pub ends_in_secs: u64,
    #[serde(default)]
    pub second_factor: Option<SecondFactorStep>,
}

/// `POST /api/v1/session`: signs in and sets the session cookie. The answer
/// is a [`SessionResponse`], read as the staff console or the patient pages
/// ([`PatientSessionResponse`]) need it.
pub async fn sign_in<S: DeserializeOwned>(body: &SignInRequest) -> Result<S, ApiError> {
    let request = write(Request::post(&url("/session"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/session/second-factor`: the code a signed-in session waits
/// for; answered as [`sign_in`] is.
pub async fn second_factor<S: DeserializeOwned>(code: &str) -> Result<S, ApiError> {
    let body = SecondFactorCodeRequest { code: code.to_owned() };
    let request = write(Request::post(&url("/session/second-factor"))).json_body(&body)?;
    read(request.send().await).await
}

/// `POST /api/v1/session/second-factor/enrolment`: a new authenticator's secret.
pub async fn begin_authenticator() -> Result<SecondFactorEnrolment, ApiError> {
    read(write(Request::post(&url("/session/second-factor/enrolment"))).send().await).await
}

/// `POST /api/v1/session/second-factor/enrolment/confirm`: its first code.
/// The answer is a `SecondFactorConfirmed`, read as the caller needs it.
pub async fn confirm_authenticator<C: DeserializeOwned>(code: &str) -> Result<C, ApiError> {
    let body = SecondFactorCodeRequest { code: code.to_owned() };
    let request = write(Request::post(&url("/session/second-factor/enrolment/confirm"))).json_body(&body)?;
    read(request.send().await).await
}

/// `GET /api/v1/session`: who is signed in; answered as [`sign_in`] is.
pub async fn session<S: DeserializeOwned>() -> Result<S, ApiError> {
    read(Request::get(&url("/session")).send().await).await
}

/// `GET /api/v1/nhs-login`: whether signing in with NHS login is on.
pub async fn nhs_login_status() -> Result<NhsLoginStatus, ApiError> {
    read(Request::get(&url("/nhs-login")).send().await).await
}

/// `DELETE /api/v1/session`: signs out.
pub async fn sign_out() -> Result<(), ApiError> {
    let response = write(Request::delete(&url("/session"))).send().await.map_err(|_| ApiError::Unavailable)?;
    if response.ok() { Ok(()) } else { Err(refusal(response).await) }
}

/// `GET /api/v1/me/record`: the signed-in patient's own record.
pub async fn my_record() -> Result<MyRecordResponse, ApiError> {
    read(Request::get(&url("/me/record")).send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/invitations`: a team admin issues an invitation.
pub async fn issue_invitation(record_id: &str, body: &IssueInvitationRequest) -> Result<IssuedInvitation, ApiError> {
    let request = write(Request::post(&record_url(record_id, "/invitations"))).json_body(body)?;
    read(request.send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/handover`: hands the device to
/// the patient; the staff session waits for the professional's password.
pub async fn hand_over(record_id: &str) -> Result<HandoverStarted, ApiError> {
    read(write(Request::post(&record_url(record_id, "/handover"))).send().await).await
}

/// `POST /api/v1/session/resume`: the professional takes the device back.
pub async fn resume_session(password: &str) -> Result<SessionResponse, ApiError> {
    let body = ResumeSessionRequest { password: password.to_owned() };
    let request = write(Request::post(&url("/session/resume"))).json_body(&body)?;
    read(request.send().await).await
}

/// `GET /api/v1/staff/teams/{team_id}/professionals-as-patients`: for team admins.
pub async fn professionals_as_patients(team_id: &str) -> Result<ProfessionalsAsPatientsResponse, ApiError> {
    read(Request::get(&team_url(team_id, "/professionals-as-patients")).send().await).await
}

/// `POST /api/v1/staff/teams/{team_id}/professionals-as-patients/invitations`: invites them all.
pub async fn invite_professionals(team_id: &str) -> Result<ProfessionalInvitationsSent, ApiError> {
    read(write(Request::post(&team_url(team_id, "/professionals-as-patients/invitations"))).send().await).await
}

/// `GET /api/v1/staff/dev-outbox`: the emails Portico would have sent, with no SMTP server.
pub async fn dev_outbox() -> Result<DevOutboxResponse, ApiError> {
    read(Request::get(&url("/staff/dev-outbox")).send().await).await
}

/// `GET /api/v1/staff/teams`: the teams the signed-in professional works in.
pub async fn staff_teams() -> Result<TeamsResponse, ApiError> {
    read(Request::get(&url("/staff/teams")).send().await).await
}

/// `GET /api/v1/staff/teams/{team_id}/records`: one page of a team's records,
/// filtered by `q` (a name, NHS number or date of birth) when given.
pub async fn team_records(team_id: &str, q: Option<&str>, page: u32) -> Result<RecordSearchResponse, ApiError> {
    // The id comes from the address bar: encode it so it stays one path segment.
    let team: String = js_sys::encode_uri_component(team_id).into();
    let page = page.to_string();
    let mut query = vec![("page", page.as_str())];
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        query.push(("q", q));
    }
    let request = Request::get(&url(&format!("/staff/teams/{team}/records"))).query(query);
    read(request.send().await).await
}

/// `GET /api/v1/staff/records/{record_id}`: a record as staff see it.
pub async fn staff_record(record_id: &str) -> Result<RecordDetailResponse, ApiError> {
    read(Request::get(&record_url(record_id, "")).send().await).await
}

/// `GET /api/v1/staff/records/{record_id}/history`: the record's versions, newest first.
pub async fn record_history(record_id: &str) -> Result<RecordHistoryResponse, ApiError> {
    read(Request::get(&record_url(record_id, "/history")).send().await).await
}

/// `PUT /api/v1/staff/records/{record_id}/exclusion`: sets (or replaces) the
/// record's exclusion. The answer's copy of the flag is not read: the page
/// reads the whole record again, which shows it.
pub async fn set_exclusion(record_id: &str, body: &SetExclusionRequest) -> Result<(), ApiError> {
    let request = write(Request::put(&record_url(record_id, "/exclusion"))).json_body(body)?;
    accepted(request.send().await).await
}

/// `POST /api/v1/staff/records/{record_id}/exclusion/lift`: lifts the record's exclusion.
pub async fn lift_exclusion(record_id: &str, body: &LiftExclusionRequest) -> Result<(), ApiError> {
    let request = write(Request::post(&record_url(record_id, "/exclusion/lift"))).json_body(body)?;
    accepted(request.send().await).await
}

/// `POST /api/v1/staff/teams/{team_id}/imports`: sends a patients CSV as it
/// is on disk (the browser streams the file; it is never read into the page)
/// and answers with its preview.
pub async fn upload_patients(team_id: &str, file: &web_sys::File) -> Result<CsvImportView, ApiError> {
    let name = file.name();
    let request = write(Request::post(&imports_url(team_id, "")))
        .query([("file_name", name.as_str())])
        .header("content-type", "text/csv")
        .body(file.clone())
        .map_err(|_| ApiError::Unavailable)?;
    read(request.send().await).await
}

/// `GET /api/v1/staff/teams/{team_id}/imports/{import_id}`: an upload's
/// preview (one page of its bad rows) or, once committed, its result.
pub async fn csv_import(team_id: &str, import_id: &str, page: u32) -> Result<CsvImportView, ApiError> {
    let page = page.to_string();
    let request = Request::get(&imports_url(team_id, &format!("/{}", encode(import_id)))).query([("page", page)]);
    read(request.send().await).await
}

/// `POST …/imports/{import_id}/commit`: starts writing the good rows; the
/// answer says `committing`, and the preview says when it is done.
pub async fn commit_import(team_id: &str, import_id: &str) -> Result<CsvImportView, ApiError> {
    let path = format!("/{}/commit", encode(import_id));
    read(write(Request::post(&imports_url(team_id, &path))).send().await).await
}

/// `DELETE …/imports/{import_id}`: discards an upload that is waiting.
pub async fn discard_import(team_id: &str, import_id: &str) -> Result<(), ApiError> {
    let path = format!("/{}", encode(import_id));
    accepted(write(Request::delete(&imports_url(team_id, &path))).send().await).await
}

fn imports_url(team_id: &str, rest: &str) -> String {
    url(&format!("/staff/teams/{}/imports{rest}", encode(team_id)))
}

/// A value from the address bar, encoded to stay one path segment.
fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}

/// The address of a record's resource; the id comes from the address bar,
/// so it is encoded to stay one path segment.
fn team_url(team_id: &str, rest: &str) -> String {
    url(&format!("/staff/teams/{}{rest}", encode(team_id)))
}

fn record_url(record_id: &str, rest: &str) -> String {
    let record: String = js_sys::encode_uri_component(record_id).into();
    url(&format!("/staff/records/{record}{rest}"))
}

fn url(path: &str) -> String {
    format!("{API_PREFIX}{path}")
}

/// A JSON body, parsed by the browser and turned into `T` by serde-wasm-bindgen.
/// Every answer is read this way: serde_json's parser and number formatting
/// weighed 10 to 13 KB gzip in each patient bundle (29 KB in the staff
/// console's). `None` when the body is not JSON or not a `T`.
async fn json_of<T: DeserializeOwned>(response: Response) -> Option<T> {
    let promise = web_sys::Response::from(response).json().ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// A request's JSON body, made by the browser's `JSON.stringify` from what
/// serde-wasm-bindgen builds (see [`json_of`]), as `RequestBuilder::json`
/// would make it with serde_json.
trait JsonBody {
    fn json_body<T: Serialize + ?Sized>(self, body: &T) -> Result<Request, ApiError>;
}

impl JsonBody for RequestBuilder {
    fn json_body<T: Serialize + ?Sized>(self, body: &T) -> Result<Request, ApiError> {
        // Plain objects for maps and `null` for `None`, as serde_json writes them.
        let value =
            body.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|_| ApiError::Unavailable)?;
        let text = js_sys::JSON::stringify(&value).map_err(|_| ApiError::Unavailable)?;
        self.header("content-type", "application/json").body(text).map_err(|_| ApiError::Unavailable)
    }
}

/// Marks a request as one a page sent on purpose (see `CSRF_HEADER`).
fn write(request: RequestBuilder) -> RequestBuilder {
    request.header(CSRF_HEADER, "1")
}

thread_local! {
    // When the server last answered (milliseconds since the epoch): each
    // answer kept the session alive, so the idle timeout counts from it.
    static LAST_ANSWER: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// When the server last answered a call, in milliseconds since the epoch.
pub fn last_answer_at() -> f64 {
    LAST_ANSWER.with(std::cell::Cell::get)
}

fn answered() {
    LAST_ANSWER.with(|at| at.set(js_sys::Date::now()));
}

async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let response = sent.map_err(|_| ApiError::Unavailable)?;
    answered();
    if response.ok() { json_of(response).await.ok_or(ApiError::Unavailable) } else { Err(refusal(response).await) }
}

/// A change the server accepted (any 2xx), whatever its body.
async fn accepted(sent: Result<Response, gloo_net::Error>) -> Result<(), ApiError> {
    let response = sent.map_err(|_| ApiError::Unavailable)?;
    answered();
    if response.ok() { Ok(()) } else { Err(refusal(response).await) }
}

/// Turns an error answer into an [`ApiError`], keeping the server's problem
/// when it sent one, and making one from the status when it did not (a proxy's
/// HTML error page, say).
async fn refusal(response: Response) -> ApiError {
    let status = response.status();
    let header_wait = response.headers().get("retry-after").and_then(|s| s.trim().parse::<u64>().ok());
    let mut problem = match json_of::<Problem>(response).await {
        Some(problem) => problem,
        None if status >= 500 => return ApiError::Unavailable,
        None => Problem {
            kind: "about:blank".to_owned(),
            title: fallback_title(status).to_owned(),
            status,
            detail: None,
            errors: Vec::new(),
            retry_after: None,
        },
    };
    problem.retry_after = problem.retry_after.or(header_wait);
    match status {
        // 423: the device was handed to a patient; like a 401, the way on is
        // the sign-in page, which offers the professional their way back.
        401 | 423 => ApiError::Unauthorised(problem),
        500.. => ApiError::Unavailable,
        _ => ApiError::Refused(problem),
    }
}

/// Words for an error answer that came without a problem body.
fn fallback_title(status: u16) -> &'static str {
    match status {
        401 => "Sign in to continue",
        403 => "You do not have access to this page",
        404 => "Page not found",
        429 => "Too many attempts",
        _ => "Sorry, there is a problem with the service",
    }
}

#[cfg(test)]
mod tests {
    use portico_types::api::{OrganisationSummary, Role, StaffProfile, TeamMembership};

    use super::*;

    /// The patient pages' reading keeps up with the answer the server sends.
    #[test]
    fn a_patient_session_reads_the_whole_answer_with_the_staff_profile_only_as_there() {
        let account = AccountSummary {
            id: "a1".into(),
            email: portico_types::EmailAddress::parse("asha.patel@example.com").unwrap(),
            display_name: "Dr Asha Patel".into(),
        };
        let staff = StaffProfile {
            organisation: OrganisationSummary {
                id: "o1".into(),
                ods_code: portico_types::OdsCode::parse("RX1").unwrap(),
                name: "Demo Trust".into(),
            },
            teams: vec![TeamMembership {
                team_id: "t1".into(),
                team_name: "Diabetes".into(),
                roles: vec![Role::Admin],
            }],
        };
        let answer = SessionResponse {
            account: account.clone(),
            staff: Some(staff),
            has_record: true,
            idle_timeout_secs: 1800,
            ends_in_secs: 43_200,
            second_factor: Some(SecondFactorStep::Verify),
        };
        let read: PatientSessionResponse = serde_json::from_str(&serde_json::to_string(&answer).unwrap()).unwrap();
        assert_eq!(read.account, account);
        assert!(read.staff.is_some() && read.has_record);
        assert_eq!((read.idle_timeout_secs, read.ends_in_secs), (1800, 43_200));
        assert_eq!(read.second_factor, Some(SecondFactorStep::Verify));

        let patient = SessionResponse { staff: None, second_factor: None, ..answer };
        let read: PatientSessionResponse = serde_json::from_str(&serde_json::to_string(&patient).unwrap()).unwrap();
        assert!(read.staff.is_none() && read.second_factor.is_none());
    }
}
