//! The API's one error type, mapped once to problem JSON (RFC 9457).
//!
//! Domain modules return their own errors in their own words; each converts
//! into `ApiError` here. Internal errors are answered as an opaque 500 and their
//! cause is logged once, by the middleware in `http::problems`, inside the
//! request's span.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_types::problem::{FieldError, PROBLEM_JSON, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request's fields are wrong; every bad field is listed.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The body could not be read as the JSON this endpoint takes.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The body is JSON but not of this endpoint's shape (wrong type, unknown field).
    #[error("wrong shape: {0}")]
    WrongShape(String),
    #[error("not signed in")]
    Unauthenticated,
    /// Sign-in refused. One message whether or not the account exists.
    #[error("wrong credentials")]
    WrongCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("request body too large")]
    TooLarge,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("cross-site request refused")]
    CrossSite,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("service unavailable")]
    Unavailable,
    /// A refusal in the domain's own words: a problem type, a title, and
    /// where it helps, what the person can do next.
    #[error("{title}")]
    Refusal { status: StatusCode, kind: &'static str, title: &'static str, detail: Option<String> },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Carried in the response extensions so the logging middleware can record
/// the cause of a 500 without the response body ever holding it.
#[derive(Clone, Debug)]
pub struct InternalCause(pub String);

impl ApiError {
    pub fn field(field: &str, message: impl ToString) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn refusal(status: StatusCode, kind: &'static str, title: &'static str, detail: Option<String>) -> Self {
        Self::Refusal { status, kind, title, detail }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Refusal { status, .. } => *status,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::WrongShape(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated | Self::WrongCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CrossSite => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(cause) if storage_full(cause) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem body: a short `type` slug, a title for people, detail where it helps.
    pub fn problem(&self) -> Problem {
        let (kind, title, detail): (&str, &str, Option<String>) = match self {
            Self::Invalid(_) => ("invalid-request", "There is a problem with what you entered", None),
            Self::Malformed(why) => ("malformed-request", "The request could not be read", Some(why.clone())),
            Self::WrongShape(why) => {
                ("wrong-shape", "The request does not have the expected fields", Some(why.clone()))
            }
            Self::Unauthenticated => ("unauthenticated", "You need to sign in", None),
            Self::WrongCredentials => (
                "wrong-credentials",
                "Email or password is incorrect",
                Some("Check your email address and password and try again.".into()),
            ),
            Self::Forbidden => ("forbidden", "You do not have access to this", None),
            Self::NotFound => ("not-found", "Not found", None),
            Self::TooLarge => ("too-large", "The request is too large", None),
            Self::TooManyAttempts { retry_after_secs } => (
                "too-many-attempts",
                "Too many attempts",
                Some(format!("For your security, wait {} before trying again.", minutes_phrase(*retry_after_secs))),
            ),
            Self::CrossSite => ("cross-site", "Cross-site request refused", None),
            Self::UnsupportedMediaType => ("unsupported-media-type", "Send the request as application/json", None),
            Self::MethodNotAllowed => ("method-not-allowed", "Method not allowed", None),
            Self::Unavailable => ("unavailable", "The service is unavailable", Some("Try again later.".into())),
            Self::Refusal { kind, title, detail, .. } => (kind, title, detail.clone()),
            Self::Internal(cause) if storage_full(cause) => (
                "storage-full",
                "Sorry, we cannot save changes just now",
                Some("Nothing you sent was saved. Try again in a few minutes.".into()),
            ),
            Self::Internal(_) => {
                ("internal", "Sorry, there is a problem with the service", Some("Try again later.".into()))
            }
        };
        Problem {
            kind: kind.into(),
            title: title.into(),
            status: self.status().as_u16(),
            detail,
            errors: match self {
                Self::Invalid(errors) => errors.clone(),
                _ => Vec::new(),
            },
            retry_after: match self {
                Self::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
                Self::Internal(cause) if storage_full(cause) => Some(STORAGE_FULL_RETRY_SECS),
                _ => None,
            },
        }
    }
}

/// When the database's disk is full, writes fail until an operator makes room:
/// a 503 with a wait (the transaction rolled back, so nothing half-written),
/// not a 500 that reads like a bug. Reads go on working.
const STORAGE_FULL_RETRY_SECS: u64 = 300;

/// Whether `cause` is the database (or its file) unable to take a write:
/// SQLite's SQLITE_FULL (13, a disk out of space) or SQLITE_IOERR (10 and its
/// extended codes, as a file-size limit's EFBIG comes back), a write refused
/// by the OS for size or space (EFBIG, ENOSPC), or PostgreSQL's disk_full (53100).
fn storage_full(cause: &anyhow::Error) -> bool {
    cause.chain().any(|err| {
        if let Some(sqlx::Error::Database(db)) = err.downcast_ref::<sqlx::Error>() {
            let code = db.code().unwrap_or_default();
            let sqlite_full = code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 10 | 13));
            return sqlite_full || code == "53100";
        }
        let io = err.downcast_ref::<std::io::Error>().or_else(|| match err.downcast_ref::<sqlx::Error>() {
            Some(sqlx::Error::Io(io)) => Some(io),
            _ => None,
        });
        // EFBIG (27) and ENOSPC (28) on Linux.
        io.and_then(std::io::Error::raw_os_error).is_some_and(|code| code == 27 || code == 28)
    })
}

fn minutes_phrase(secs: u64) -> String {
    let minutes = secs.div_ceil(60).max(1);
    if minutes == 1 { "1 minute".into() } else { format!("{minutes} minutes") }
}

/// Writes a problem answer. Used by `ApiError` and by the fallbacks that
/// turn axum's own refusals (404, 405, 413) into problems.
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if let Some(value) = problem.retry_after.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = problem_response(&self.problem());
        if let Self::Internal(cause) = &self {
            response.extensions_mut().insert(InternalCause(format!("{cause:#}")));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let err = ApiError::Internal(anyhow::anyhow!("password for db is hunter2"));
        let problem = err.problem();
        assert_eq!(problem.status, 500);
        assert!(!serde_json::to_string(&problem).unwrap().contains("hunter2"));
    }

    #[test]
    fn a_full_disk_is_a_503_with_a_wait() {
        let full = ApiError::Internal(anyhow::Error::new(std::io::Error::from_raw_os_error(28)).context("writing"));
        let problem = full.problem();
        assert_eq!((problem.status, problem.kind.as_str()), (503, "storage-full"));
        assert_eq!(problem.retry_after, Some(STORAGE_FULL_RETRY_SECS));
        let other = ApiError::Internal(anyhow::Error::new(std::io::Error::from_raw_os_error(13)));
        assert_eq!(other.problem().status, 500);
    }

    #[test]
    fn lockout_says_how_long() {
        let problem = ApiError::TooManyAttempts { retry_after_secs: 61 }.problem();
        assert_eq!(problem.retry_after, Some(61));
        assert!(problem.detail.unwrap().contains("2 minutes"));
    }
}
