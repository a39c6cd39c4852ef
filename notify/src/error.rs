//! What can go wrong talking to Notify, sorted by what the sender should do next.
//! Notify's documented errors are told apart by the `errors[].error` field of its
//! answer, never by the wording of `message`.

use std::time::Duration;

use serde::Deserialize;

/// How long a message from Notify may be, in an error: enough to say why, short
/// enough for an outbox's `last_error` column.
const MESSAGE_LIMIT: usize = 200;

/// Why a [`crate::Client`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the Notify base URL is not a URL: {0}")]
    BadBaseUrl(String),
    /// The JWT and message bodies must not cross a network in the clear.
    #[error("the Notify base URL must be https (plain http only to loopback, for tests): {0}")]
    InsecureBaseUrl(String),
    #[error("could not set up the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// Why a request to Notify failed. `Display` is a short reason fit for a log or an
/// outbox's `last_error` column: it never holds the API key's secret, and the
/// client removes the recipient from any message Notify sends back.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// 400: Notify refused this message (`BadRequestError`, `ValidationError`), for
    /// instance not a UK mobile number or a missing placeholder. Sending it again
    /// as it is will fail again.
    #[error("Notify refused the message ({kind}): {message}")]
    BadRequest { kind: String, message: String },
    /// 401/403 `AuthError`: the API key is wrong or revoked, or this machine's clock
    /// is more than 30 s off. Not the message's fault.
    #[error("Notify refused the API key ({status}): {message}")]
    Auth { status: u16, message: String },
    /// 429 `RateLimitError`: more than 3,000 requests in a minute.
    #[error("Notify's per-minute rate limit was reached: {message}")]
    RateLimited { message: String },
    /// 429 `TooManyRequestsError`: the service's daily limit is used up until midnight.
    #[error("Notify's daily sending limit was reached: {message}")]
    DailyLimitReached { message: String },
    /// 5xx: Notify (or something in front of it) failed.
    #[error("Notify failed with {status}")]
    Server { status: u16 },
    /// No complete answer within the client's timeout. Notify may have taken the message.
    #[error("Notify did not answer in time")]
    Timeout(#[source] reqwest::Error),
    /// The connection failed. `maybe_sent` is false only when it never opened.
    #[error("could not reach Notify")]
    Connection {
        #[source]
        source: reqwest::Error,
        maybe_sent: bool,
    },
    /// An answer that is not what Notify documents (not JSON, or a missing field).
    #[error("Notify answered {status} with something unreadable: {detail}")]
    UnreadableAnswer { status: u16, detail: String },
    /// Any other status, e.g. 404 from a wrong base URL.
    #[error("Notify answered {status} unexpectedly ({kind}): {message}")]
    Unexpected { status: u16, kind: String, message: String },
}

impl NotifyError {
    /// Whether this message can never be sent as it is: give up on it rather than retry.
    /// Only Notify's 400 says that; every other failure is about the service, the
    /// key or the network, and a later attempt may succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::BadRequest { .. })
    }

    /// A suggested wait before trying again; `None` when there is no point.
    pub fn retry_after(&self) -> Option<Duration> {
        const MINUTE: Duration = Duration::from_secs(60);
        match self {
            Self::BadRequest { .. } => None,
            Self::RateLimited { .. } => Some(MINUTE),
            // The limit resets at midnight. Without a clock here, hourly tries cost a
            // few refused requests and send the message soon after the reset.
            Self::DailyLimitReached { .. } => Some(60 * MINUTE),
            // Someone has to change the key or the clock: check now and then.
            Self::Auth { .. } | Self::Unexpected { .. } => Some(5 * MINUTE),
            Self::Server { .. } | Self::Timeout(_) | Self::Connection { .. } | Self::UnreadableAnswer { .. } => {
                Some(Duration::from_secs(30))
            }
        }
    }

    /// Whether Notify may have accepted the message despite the error: then look it
    /// up with [`crate::Client::find_by_reference`] before sending it again.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::Server { .. } => true,
            Self::Connection { maybe_sent, .. } => *maybe_sent,
            Self::UnreadableAnswer { status, .. } => (200..300).contains(status),
            Self::BadRequest { .. }
            | Self::Auth { .. }
            | Self::RateLimited { .. }
            | Self::DailyLimitReached { .. }
            | Self::Unexpected { .. } => false,
        }
    }

    /// The short reason for an outbox's `last_error` column (the same as `Display`).
    pub fn reason(&self) -> String {
        self.to_string()
    }

    /// Sorts a non-2xx answer by its status and Notify's `errors[].error`.
    pub(crate) fn from_answer(status: u16, body: &[u8]) -> Self {
        let (kind, message) = first_error(body);
        match status {
            400 => Self::BadRequest { kind, message },
            401 | 403 => Self::Auth { status, message },
            429 if kind == "TooManyRequestsError" => Self::DailyLimitReached { message },
            // RateLimitError, or a 429 from something in front of Notify: wait a minute.
            429 => Self::RateLimited { message },
            500..=599 => Self::Server { status },
            _ => Self::Unexpected { status, kind, message },
        }
    }

    /// The same error with `recipient` blanked out of Notify's message, and that
    /// message cut short: Notify's validation messages may quote what they refuse.
    pub(crate) fn without(self, recipient: &str) -> Self {
        let clean = |message: String| tidy(&message, recipient);
        match self {
            Self::BadRequest { kind, message } => Self::BadRequest { kind, message: clean(message) },
            Self::Auth { status, message } => Self::Auth { status, message: clean(message) },
            Self::RateLimited { message } => Self::RateLimited { message: clean(message) },
            Self::DailyLimitReached { message } => Self::DailyLimitReached { message: clean(message) },
            Self::Unexpected { status, kind, message } => Self::Unexpected { status, kind, message: clean(message) },
            Self::UnreadableAnswer { status, detail } => Self::UnreadableAnswer { status, detail: clean(detail) },
            other @ (Self::Server { .. } | Self::Timeout(_) | Self::Connection { .. }) => other,
        }
    }

    pub(crate) fn from_transport(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout(error)
        } else {
            let maybe_sent = !error.is_connect();
            Self::Connection { source: error, maybe_sent }
        }
    }
}

/// Notify's error body: `{"status_code": 400, "errors": [{"error": "...", "message": "..."}]}`.
/// Its description of a 500 is the bare list, so that is read too.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    Wrapped { errors: Vec<ErrorItem> },
    Bare(Vec<ErrorItem>),
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: serde_json::Value,
}

/// The first error's kind and message, or empty strings when the body is not Notify's shape.
fn first_error(body: &[u8]) -> (String, String) {
    let items = match serde_json::from_slice(body) {
        Ok(ErrorBody::Wrapped { errors } | ErrorBody::Bare(errors)) => errors,
        Err(_) => Vec::new(),
    };
    match items.into_iter().next() {
        Some(ErrorItem { error, message: serde_json::Value::String(message) }) => (error, message),
        // Some validation errors carry a structure rather than a sentence.
        Some(ErrorItem { error, message }) if !message.is_null() => (error, message.to_string()),
        Some(ErrorItem { error, .. }) => (error, String::new()),
        None => (String::new(), String::new()),
    }
}

fn tidy(message: &str, recipient: &str) -> String {
    let message = if recipient.is_empty() { message.to_owned() } else { message.replace(recipient, "[recipient]") };
    match message.char_indices().nth(MESSAGE_LIMIT) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> NotifyError {
        NotifyError::from_answer(status, body.as_bytes())
    }

    #[test]
    fn validation_errors_are_permanent() {
        let err = answer(
            400,
            r#"{"errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}], "status_code": 400}"#,
        );
        assert!(matches!(&err, NotifyError::BadRequest { kind, .. } if kind == "ValidationError"));
        assert!(err.is_permanent());
        assert_eq!(err.retry_after(), None);
        assert!(!err.may_have_been_sent());
        assert_eq!(err.reason(), "Notify refused the message (ValidationError): phone_number Not a UK mobile number");
    }

    #[test]
    fn bad_request_errors_are_permanent() {
        let err = answer(
            400,
            r#"{"errors": [{"error": "BadRequestError", "message": "Cannot send to international mobile numbers"}], "status_code": 400}"#,
        );
        assert!(matches!(err, NotifyError::BadRequest { .. }));
        assert!(err.is_permanent());
    }

    #[test]
    fn auth_errors_wait_for_someone_to_fix_the_key_or_clock() {
        let err = answer(
            403,
            r#"{"errors": [{"error": "AuthError", "message": "Error: Your system clock must be accurate to within 30 seconds"}], "status_code": 403}"#,
        );
        assert!(matches!(err, NotifyError::Auth { status: 403, .. }));
        assert!(!err.is_permanent());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(300)));
        let missing = answer(
            401,
            r#"{"errors": [{"error": "AuthError", "message": "Unauthorized: authentication token must be provided"}], "status_code": 401}"#,
        );
        assert!(matches!(missing, NotifyError::Auth { status: 401, .. }));
    }

    #[test]
    fn the_per_minute_rate_limit_waits_a_minute() {
        let err = answer(
            429,
            r#"{"errors": [{"error": "RateLimitError", "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"}], "status_code": 429}"#,
        );
        assert!(matches!(err, NotifyError::RateLimited { .. }));
        assert!(!err.is_permanent());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    }

    #[test]
    fn the_daily_limit_is_told_apart_by_its_error_not_its_status() {
        let err = answer(
            429,
            r#"{"errors": [{"error": "TooManyRequestsError", "message": "Exceeded send limits (250000) for today"}], "status_code": 429}"#,
        );
        assert!(matches!(err, NotifyError::DailyLimitReached { .. }));
        assert!(!err.is_permanent());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn the_message_wording_is_not_what_decides() {
        let err =
            answer(429, r#"{"errors": [{"error": "RateLimitError", "message": "Exceeded send limits for today"}]}"#);
        assert!(matches!(err, NotifyError::RateLimited { .. }));
    }

    #[test]
    fn server_errors_are_retried_and_may_have_sent() {
        for body in [
            r#"{"errors": [{"error": "Exception", "message": "Internal server error"}], "status_code": 500}"#,
            r#"[{"error": "Exception", "message": "Internal server error"}]"#,
            "<html>Bad Gateway</html>",
        ] {
            let err = answer(502, body);
            assert!(matches!(err, NotifyError::Server { status: 502 }));
            assert!(!err.is_permanent());
            assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
            assert!(err.may_have_been_sent());
        }
    }

    #[test]
    fn answers_in_no_known_shape_still_sort_by_status() {
        assert!(matches!(answer(429, "slow down"), NotifyError::RateLimited { .. }));
        assert!(matches!(answer(400, ""), NotifyError::BadRequest { .. }));
        let err = answer(404, r#"{"errors": [{"error": "NoResultFound", "message": "No result found"}]}"#);
        assert!(matches!(&err, NotifyError::Unexpected { status: 404, kind, .. } if kind == "NoResultFound"));
        assert!(!err.is_permanent());
    }

    #[test]
    fn the_recipient_never_reaches_the_reason() {
        let err = answer(
            400,
            r#"{"errors": [{"error": "ValidationError", "message": "07700900123 is not a valid number"}]}"#,
        )
        .without("07700900123");
        assert!(!err.reason().contains("07700900123"), "{}", err.reason());
        assert!(err.reason().contains("[recipient] is not a valid number"));
    }

    #[test]
    fn long_messages_are_cut_short() {
        let long = "x".repeat(1000);
        let err =
            answer(400, &format!(r#"{{"errors": [{{"error": "ValidationError", "message": "{long}"}}]}}"#)).without("");
        assert!(err.reason().chars().count() < MESSAGE_LIMIT + 60);
    }
}
