//! NHS login's settings, part of Portico's `Settings` (flattened:
//! `nhs_login_issuer` in the file, `PORTICO_NHS_LOGIN_ISSUER` in the
//! environment). NHS login is off until the issuer, the client id and the
//! private key are all set.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::identity::{IdentityLevel, Vector};

/// NHS login's default vector of trust: identity proven with photo ID (P9),
/// signed in with a password and a device, a key in a device, or FIDO.
pub const DEFAULT_VECTORS: [&str; 3] = ["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"];

#[derive(Clone, Serialize, Deserialize)]
pub struct NhsLoginSettings {
    /// NHS login's issuer, e.g. `https://auth.aos.signin.nhs.uk` (integration).
    pub nhs_login_issuer: Option<Url>,
    /// The client id NHS login gave Portico.
    pub nhs_login_client_id: Option<String>,
    /// The PEM file of Portico's 2048-bit RSA private key, whose public half
    /// is registered with NHS login (`portico nhs-login public-key`).
    pub nhs_login_private_key_path: Option<PathBuf>,
    /// The redirect URL registered with NHS login; by default
    /// `{public_base_url}api/v1/nhs-login/callback`.
    pub nhs_login_redirect_url: Option<Url>,
    /// The vectors of trust Portico asks for (the `vtr` registered for the
    /// client: NHS login refuses any other).
    pub nhs_login_vectors: Vec<String>,
    /// Whether a P5 identity (checked against PDS, not proven) is accepted.
    /// It never claims an existing record. Needs P5 vectors in `nhs_login_vectors`.
    pub nhs_login_accept_p5: bool,
    /// How long each call to NHS login may take.
    pub nhs_login_timeout_secs: u64,
}

impl Default for NhsLoginSettings {
    fn default() -> Self {
        Self {
            nhs_login_issuer: None,
            nhs_login_client_id: None,
            nhs_login_private_key_path: None,
            nhs_login_redirect_url: None,
            nhs_login_vectors: DEFAULT_VECTORS.iter().map(|v| (*v).to_owned()).collect(),
            nhs_login_accept_p5: false,
            nhs_login_timeout_secs: 5,
        }
    }
}

impl std::fmt::Debug for NhsLoginSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NhsLoginSettings")
            .field("nhs_login_issuer", &self.nhs_login_issuer.as_ref().map(Url::as_str))
            .field("nhs_login_client_id", &self.nhs_login_client_id)
            .field("nhs_login_private_key_path", &self.nhs_login_private_key_path)
            .field("nhs_login_vectors", &self.nhs_login_vectors)
            .field("nhs_login_accept_p5", &self.nhs_login_accept_p5)
            .finish_non_exhaustive()
    }
}

/// NHS login as configured: what the relying party needs, checked once at start.
#[derive(Debug, Clone)]
pub struct Configured {
    pub issuer: Url,
    pub client_id: String,
    pub private_key_path: PathBuf,
    pub redirect_url: Url,
    pub vectors: Vec<Vector>,
    pub accept_p5: bool,
    pub timeout: Duration,
}

impl NhsLoginSettings {
    /// `None` while NHS login is off; an error for settings that cannot work.
    pub fn configured(&self, public_base_url: &Url) -> anyhow::Result<Option<Configured>> {
        let (Some(issuer), Some(client_id), Some(private_key_path)) =
            (&self.nhs_login_issuer, &self.nhs_login_client_id, &self.nhs_login_private_key_path)
        else {
            anyhow::ensure!(
                self.nhs_login_issuer.is_none()
                    && self.nhs_login_client_id.is_none()
                    && self.nhs_login_private_key_path.is_none(),
                "NHS login needs nhs_login_issuer, nhs_login_client_id and nhs_login_private_key_path together"
            );
            return Ok(None);
        };
        let vectors = self
            .nhs_login_vectors
            .iter()
            .map(|v| Vector::parse(v).ok_or_else(|| anyhow::anyhow!("nhs_login_vectors: {v} is not a vector of trust")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(!vectors.is_empty(), "nhs_login_vectors is empty");
        for vector in &vectors {
            match vector.level() {
                IdentityLevel::P9 => {}
                IdentityLevel::P5 => anyhow::ensure!(
                    self.nhs_login_accept_p5,
                    "nhs_login_vectors asks for {vector}, but nhs_login_accept_p5 is off"
                ),
                IdentityLevel::P0 => anyhow::bail!("nhs_login_vectors: {vector} proves no identity"),
            }
        }
        let redirect_url = match &self.nhs_login_redirect_url {
            Some(url) => url.clone(),
            None => public_base_url.join("api/v1/nhs-login/callback")?,
        };
        Ok(Some(Configured {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            private_key_path: private_key_path.clone(),
            redirect_url,
            vectors,
            accept_p5: self.nhs_login_accept_p5,
            timeout: Duration::from_secs(self.nhs_login_timeout_secs.clamp(1, 60)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://portico.example.nhs.uk/").unwrap()
    }

    fn on() -> NhsLoginSettings {
        NhsLoginSettings {
            nhs_login_issuer: Some(Url::parse("https://auth.aos.signin.nhs.uk").unwrap()),
            nhs_login_client_id: Some("portico".into()),
            nhs_login_private_key_path: Some("key.pem".into()),
            ..NhsLoginSettings::default()
        }
    }

    #[test]
    fn off_until_issuer_client_and_key_are_all_set() {
        assert!(NhsLoginSettings::default().configured(&base()).unwrap().is_none());
        let half = NhsLoginSettings { nhs_login_private_key_path: None, ..on() };
        assert!(half.configured(&base()).is_err());
        let configured = on().configured(&base()).unwrap().unwrap();
        assert_eq!(configured.redirect_url.as_str(), "https://portico.example.nhs.uk/api/v1/nhs-login/callback");
        assert_eq!(configured.vectors.len(), 3);
    }

    #[test]
    fn p5_vectors_need_p5_accepted_and_p0_is_never_asked_for() {
        let p5 = NhsLoginSettings { nhs_login_vectors: vec!["P9.Cp.Cd".into(), "P5.Cp.Cd".into()], ..on() };
        assert!(p5.configured(&base()).is_err());
        let accepted = NhsLoginSettings { nhs_login_accept_p5: true, ..p5 };
        assert!(accepted.configured(&base()).unwrap().unwrap().accept_p5);
        let p0 = NhsLoginSettings { nhs_login_vectors: vec!["P0.Cp".into()], ..on() };
        assert!(p0.configured(&base()).is_err());
        let nonsense = NhsLoginSettings { nhs_login_vectors: vec!["P9".into()], ..on() };
        assert!(nonsense.configured(&base()).is_err());
    }
}
