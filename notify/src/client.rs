//! The HTTP side: one reqwest client, a fresh JWT on every request, and Notify's
//! answers turned into [`Sent`], [`NotificationStatus`] or [`NotifyError`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{RequestBuilder, Url};
use serde::de::DeserializeOwned;

use crate::error::{ConfigError, NotifyError};
use crate::messages::NotificationsPage;
use crate::{ApiKey, EmailRequest, NotificationStatus, Sent, SmsRequest, jwt};

/// A GOV.UK Notify client for one service's API key. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    /// Without a trailing slash, so that paths can be appended.
    base_url: String,
    api_key: ApiKey,
}

impl Client {
    /// A client for Notify at `base_url` (`https://api.notifications.service.gov.uk`,
    /// or a stand-in on loopback). `timeout` bounds each whole request.
    pub fn new(base_url: &str, api_key: ApiKey, timeout: Duration) -> Result<Self, ConfigError> {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let parsed = Url::parse(&base_url).map_err(|_| ConfigError::BadBaseUrl(base_url.clone()))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(ConfigError::InsecureBaseUrl(base_url)),
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("portico-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::HttpClient)?;
        Ok(Self { http, base_url, api_key })
    }

    /// Sends a text message from a template. `Ok` means Notify accepted it (201).
    pub async fn send_sms(&self, request: &SmsRequest) -> Result<Sent, NotifyError> {
        let call = self.http.post(self.url("/v2/notifications/sms")).json(request);
        self.call(call).await.map_err(|err| err.without(&request.phone_number))
    }

    /// Sends an email from a template. `Ok` means Notify accepted it (201).
    pub async fn send_email(&self, request: &EmailRequest) -> Result<Sent, NotifyError> {
        let call = self.http.post(self.url("/v2/notifications/email")).json(request);
        self.call(call).await.map_err(|err| err.without(&request.email_address))
    }

    /// The newest message sent with `reference`, if Notify still has one (it keeps
    /// messages for 7 days by default). For after a crash: if it is there, do not
    /// send it again.
    pub async fn find_by_reference(&self, reference: &str) -> Result<Option<NotificationStatus>, NotifyError> {
        let call = self.http.get(self.url("/v2/notifications")).query(&[("reference", reference)]);
        let page: NotificationsPage = self.call(call).await?;
        // Notify lists newest first.
        Ok(page.notifications.into_iter().next())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn call<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, NotifyError> {
        let token = jwt::bearer_token(&self.api_key, epoch_seconds_now());
        let mut bearer = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| NotifyError::Unexpected {
            status: 0,
            kind: "LocalError".into(),
            message: "the signed token is not a valid header".into(),
        })?;
        bearer.set_sensitive(true);
        let answer = request.header(AUTHORIZATION, bearer).send().await.map_err(NotifyError::from_transport)?;
        let status = answer.status().as_u16();
        let body = answer.bytes().await.map_err(NotifyError::from_transport)?;
        if !answer_is_success(status) {
            return Err(NotifyError::from_answer(status, &body));
        }
        serde_json::from_slice(&body).map_err(|err| NotifyError::UnreadableAnswer { status, detail: err.to_string() })
    }
}

fn answer_is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Seconds since the Unix epoch, for the JWT's `iat`.
#[expect(
    clippy::disallowed_methods,
    reason = "Notify checks `iat` against the real clock: a test clock here would only get tokens refused"
)]
fn epoch_seconds_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|since| since.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiKey {
        ApiKey::parse("k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0").unwrap()
    }

    #[test]
    fn https_and_loopback_http_are_accepted() {
        let timeout = Duration::from_secs(5);
        assert!(Client::new("https://api.notifications.service.gov.uk", key(), timeout).is_ok());
        assert!(Client::new("http://127.0.0.1:9100/", key(), timeout).is_ok());
        assert!(Client::new("http://localhost:9100", key(), timeout).is_ok());
    }

    #[test]
    fn plain_http_elsewhere_and_non_urls_are_refused() {
        let timeout = Duration::from_secs(5);
        assert!(matches!(
            Client::new("http://api.notifications.service.gov.uk", key(), timeout),
            Err(ConfigError::InsecureBaseUrl(_))
        ));
        assert!(matches!(Client::new("not a url", key(), timeout), Err(ConfigError::BadBaseUrl(_))));
    }

    #[test]
    fn paths_are_appended_to_the_base_url() {
        let client = Client::new("https://example.org/notify/", key(), Duration::from_secs(5)).unwrap();
        assert_eq!(client.url("/v2/notifications/sms"), "https://example.org/notify/v2/notifications/sms");
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let client = Client::new("https://example.org", key(), Duration::from_secs(5)).unwrap();
        assert!(!format!("{client:?}").contains("3d844edf-8d35-48ac-975b-e847b4f122b0"));
    }
}
