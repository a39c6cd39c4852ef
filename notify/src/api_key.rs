//! Notify's API key, `{key name}-{service id}-{secret}`, parsed once so that the
//! secret is never handed around as a plain string or printed.

use std::fmt;

/// A UUID's length in its hyphenated text form.
const UUID_LEN: usize = 36;

/// A parsed Notify API key. `Debug` shows the name and service id, never the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    name: String,
    service_id: String,
    secret: String,
}

/// Why a string is not a Notify API key. The messages never repeat the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    #[error("a Notify API key is `{{key name}}-{{service id}}-{{secret}}`: this one is not")]
    Malformed,
    #[error("the service id in the Notify API key is not a UUID")]
    BadServiceId,
    #[error("the secret in the Notify API key is not a UUID")]
    BadSecret,
    #[error("the Notify API key has no name before the service id")]
    MissingName,
}

impl ApiKey {
    /// Parses a key as Notify's admin site shows it. Both UUIDs have a fixed length,
    /// so they are taken from the right: the name may contain hyphens of its own.
    /// Surrounding whitespace (a newline from a secrets file) is ignored.
    pub fn parse(key: &str) -> Result<Self, ApiKeyError> {
        let key = key.trim();
        let (rest, secret) = split_uuid_off_the_end(key).ok_or(ApiKeyError::Malformed)?;
        if !is_uuid(secret) {
            return Err(ApiKeyError::BadSecret);
        }
        let (name, service_id) = split_uuid_off_the_end(rest).ok_or(ApiKeyError::Malformed)?;
        if !is_uuid(service_id) {
            return Err(ApiKeyError::BadServiceId);
        }
        if name.is_empty() {
            return Err(ApiKeyError::MissingName);
        }
        Ok(Self { name: name.to_owned(), service_id: service_id.to_owned(), secret: secret.to_owned() })
    }

    /// The key's name, as chosen in Notify's admin site.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service id: the JWT's `iss`.
    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The HS256 signing secret. Crate-private: only the JWT signer needs it.
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("name", &self.name)
            .field("service_id", &self.service_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// `"{rest}-{uuid-sized tail}"` split into `(rest, tail)`, `rest` perhaps empty;
/// `None` when it is shorter or has no hyphen before the tail.
fn split_uuid_off_the_end(text: &str) -> Option<(&str, &str)> {
    let tail_starts = text.len().checked_sub(UUID_LEN)?;
    let rest = text.get(..tail_starts)?.strip_suffix('-')?;
    Some((rest, text.get(tail_starts..)?))
}

/// The 8-4-4-4-12 hexadecimal form Notify uses for ids and secrets.
fn is_uuid(text: &str) -> bool {
    text.len() == UUID_LEN
        && text.char_indices().all(|(at, c)| match at {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn parses_notifys_documented_example() {
        let key = ApiKey::parse(&format!("my_test_key-{SERVICE_ID}-{SECRET}")).unwrap();
        assert_eq!(key.name(), "my_test_key");
        assert_eq!(key.service_id(), SERVICE_ID);
        assert_eq!(key.secret(), SECRET);
    }

    #[test]
    fn a_name_may_contain_hyphens() {
        let key = ApiKey::parse(&format!("portico-live-2026-{SERVICE_ID}-{SECRET}")).unwrap();
        assert_eq!(key.name(), "portico-live-2026");
        assert_eq!(key.service_id(), SERVICE_ID);
        assert_eq!(key.secret(), SECRET);
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let key = ApiKey::parse(&format!("  k-{SERVICE_ID}-{SECRET}\n")).unwrap();
        assert_eq!(key.name(), "k");
    }

    #[test]
    fn bad_keys_are_refused_for_the_right_reason() {
        assert_eq!(ApiKey::parse(""), Err(ApiKeyError::Malformed));
        assert_eq!(ApiKey::parse(SECRET), Err(ApiKeyError::Malformed));
        assert_eq!(ApiKey::parse(&format!("{SERVICE_ID}-{SECRET}")), Err(ApiKeyError::Malformed));
        assert_eq!(ApiKey::parse(&format!("name-{SERVICE_ID}_{SECRET}")), Err(ApiKeyError::Malformed));
        assert_eq!(ApiKey::parse(&format!("name_{SERVICE_ID}-{SECRET}")), Err(ApiKeyError::Malformed));
        assert_eq!(ApiKey::parse(&format!("-{SERVICE_ID}-{SECRET}")), Err(ApiKeyError::MissingName));
        assert_eq!(ApiKey::parse(&format!("name-{SERVICE_ID}-{SECRET}x")), Err(ApiKeyError::Malformed));
        assert_eq!(
            ApiKey::parse(&format!("name-{SERVICE_ID}-3d844edf-8d35-48ac-975b-e847b4f122bz")),
            Err(ApiKeyError::BadSecret)
        );
        assert_eq!(
            ApiKey::parse(&format!("name-26785a09ab16-4eb0-8407-a37497a57506x-{SECRET}")),
            Err(ApiKeyError::BadServiceId)
        );
    }

    #[test]
    fn errors_never_repeat_the_key() {
        for bad in [format!("name-{SERVICE_ID}-{SECRET}x"), format!("name-{SERVICE_ID}-{}", SECRET.replace('e', "g"))] {
            let err = ApiKey::parse(&bad).unwrap_err();
            assert!(!err.to_string().contains("8d35"), "{err}");
        }
    }

    #[test]
    fn non_ascii_input_does_not_panic() {
        let tail = format!("{SERVICE_ID}-{SECRET}");
        let garbled: String = tail.chars().map(|c| if c == 'a' { 'é' } else { c }).collect();
        assert!(ApiKey::parse(&format!("name-{garbled}")).is_err());
        assert!(ApiKey::parse(&format!("nämé-{SERVICE_ID}-{SECRET}")).is_ok());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = ApiKey::parse(&format!("my_test_key-{SERVICE_ID}-{SECRET}")).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains(SERVICE_ID) && shown.contains("[redacted]"), "{shown}");
    }
}
