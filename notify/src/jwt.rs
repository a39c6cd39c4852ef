//! The bearer token Notify checks on every request: an HS256 JWT over
//! `{"iss": <service id>, "iat": <epoch seconds>}`, signed with the key's secret.
//! Notify refuses a token whose `iat` is more than 30 seconds off its clock, so the
//! client signs a fresh one for each request.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde::Serialize;

use crate::ApiKey;

/// Notify's documented header, in its order.
const HEADER: &str = r#"{"typ":"JWT","alg":"HS256"}"#;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: u64,
}

/// A signed token for `key`, issued at `issued_at` (seconds since the Unix epoch).
pub(crate) fn bearer_token(key: &ApiKey, issued_at: u64) -> String {
    let claims = Claims { iss: key.service_id(), iat: issued_at };
    // Serialising two plain fields cannot fail; an empty object would be refused by Notify anyway.
    let claims = serde_json::to_vec(&claims).unwrap_or_default();
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(claims));
    let secret = hmac::Key::new(hmac::HMAC_SHA256, key.secret().as_bytes());
    let signature = hmac::sign(&secret, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

    fn key() -> ApiKey {
        ApiKey::parse(&format!("my_test_key-{SERVICE_ID}-{SECRET}")).unwrap()
    }

    fn decode_part(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn header_and_claims_are_what_notify_checks() {
        let token = bearer_token(&key(), 1_568_818_578);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(decode_part(parts[0]), json!({"typ": "JWT", "alg": "HS256"}));
        assert_eq!(decode_part(parts[1]), json!({"iss": SERVICE_ID, "iat": 1_568_818_578}));
    }

    #[test]
    fn signature_is_hs256_with_the_secret() {
        let token = bearer_token(&key(), 1_568_818_578);
        let (signing_input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let right = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
        assert!(hmac::verify(&right, signing_input.as_bytes(), &signature).is_ok());
        let wrong = hmac::Key::new(hmac::HMAC_SHA256, b"3d844edf-8d35-48ac-975b-e847b4f122b1");
        assert!(hmac::verify(&wrong, signing_input.as_bytes(), &signature).is_err());
    }

    #[test]
    fn each_issue_time_gives_a_different_token() {
        assert_ne!(bearer_token(&key(), 1), bearer_token(&key(), 2));
    }

    #[test]
    fn the_token_does_not_carry_the_secret() {
        let token = bearer_token(&key(), 1_568_818_578);
        for part in token.split('.').take(2) {
            let text = String::from_utf8(URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap();
            assert!(!text.contains(SECRET));
        }
    }
}
