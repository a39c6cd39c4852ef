//! Portico's key pair for NHS login: the private half signs the client
//! assertions (`private_key_jwt`, RS512) that authenticate Portico at the
//! token endpoint; the public half is registered with NHS login, as PEM or as
//! a JWKS.

use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

/// NHS login registers 2048-bit RSA keys.
pub const KEY_BITS: usize = 2048;
/// How long a client assertion is good for: NHS login wants "a few minutes".
const ASSERTION_LIFETIME: time::Duration = time::Duration::minutes(5);

/// The private key, ready to sign.
pub struct ClientKey {
    encoding: EncodingKey,
    public: RsaPublicKey,
    /// RFC 7638 thumbprint of the public key: the `kid` of each assertion.
    kid: String,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl ClientKey {
    /// Reads a PEM private key (PKCS#8 or PKCS#1) of at least 2048 bits.
    pub fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .context("not an RSA private key in PEM (PKCS#8 or PKCS#1)")?;
        anyhow::ensure!(
            private.size() * 8 >= KEY_BITS,
            "the key has {} bits; NHS login needs {KEY_BITS}",
            private.size() * 8
        );
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).context("the key cannot sign RS512")?;
        let public = private.to_public_key();
        let kid = thumbprint(&public);
        Ok(Self { encoding, public, kid })
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let pem = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_pem(&pem).with_context(|| format!("the NHS login key in {}", path.display()))
    }

    /// A new 2048-bit key pair, as PKCS#8 PEM.
    pub fn generate_pem() -> anyhow::Result<String> {
        let private = RsaPrivateKey::new(&mut rand_core::OsRng, KEY_BITS).context("generating an RSA key")?;
        Ok(private.to_pkcs8_pem(LineEnding::LF).context("writing the key as PEM")?.to_string())
    }

    /// The public key as PEM (SubjectPublicKeyInfo), as NHS login registers it.
    pub fn public_pem(&self) -> anyhow::Result<String> {
        self.public.to_public_key_pem(LineEnding::LF).context("writing the public key as PEM")
    }

    /// The public key as a JSON Web Key Set.
    pub fn jwks(&self) -> serde_json::Value {
        json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS512",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
        }] })
    }

    /// A client assertion for the token endpoint: `iss` = `sub` = the client
    /// id, `aud` = the token endpoint, a fresh `jti`, valid for five minutes.
    pub fn assertion(&self, client_id: &str, token_endpoint: &str, now: OffsetDateTime) -> anyhow::Result<String> {
        #[derive(Serialize)]
        struct Claims<'a> {
            iss: &'a str,
            sub: &'a str,
            aud: &'a str,
            jti: String,
            iat: i64,
            exp: i64,
        }
        let claims = Claims {
            iss: client_id,
            sub: client_id,
            aud: token_endpoint,
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now.unix_timestamp(),
            exp: (now + ASSERTION_LIFETIME).unix_timestamp(),
        };
        let mut header = Header::new(Algorithm::RS512);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding).context("signing the client assertion")
    }
}

fn thumbprint(public: &RsaPublicKey) -> String {
    // RFC 7638: the required members, in lexical order, without white space.
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(public.n().to_bytes_be())
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_KEY: &str = include_str!("../../../nhslogin/standin/test-client-key.pem");

    #[test]
    fn assertions_are_rs512_and_name_the_key() {
        let key = ClientKey::from_pem(TEST_KEY).unwrap();
        let now = time::macros::datetime!(2026-11-25 09:00 UTC);
        let jwt = key.assertion("portico", "https://auth.example/token", now).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, Algorithm::RS512);
        assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
        let jwks = key.jwks();
        assert_eq!(jwks["keys"][0]["kid"], key.kid.as_str());
        assert_eq!(jwks["keys"][0]["alg"], "RS512");
        assert!(key.public_pem().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn small_or_broken_keys_are_refused() {
        assert!(ClientKey::from_pem("not a key").is_err());
    }
}
