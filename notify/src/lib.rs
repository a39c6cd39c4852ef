//! A client for GOV.UK Notify's REST API v2: text messages and emails from
//! templates, and looking a message up by the reference it was sent with.
//!
//! Notify has no idempotency key. Send Portico's own key as `reference`; after a
//! crash, or any error whose [`NotifyError::may_have_been_sent`] is true, call
//! [`Client::find_by_reference`] before sending again.
//!
//! With the `standin` feature, [`standin`] starts a local Notify stand-in for tests.

mod api_key;
mod client;
mod error;
mod jwt;
mod messages;
#[cfg(feature = "standin")]
pub mod standin;

pub use api_key::{ApiKey, ApiKeyError};
pub use client::Client;
pub use error::{ConfigError, NotifyError};
pub use messages::{EmailRequest, NotificationStatus, Sent, SmsRequest, TemplateRef};
