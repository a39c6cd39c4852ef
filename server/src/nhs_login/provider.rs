//! The relying party, on the `openidconnect` crate: discovery, the
//! authorisation request (state, nonce, `vtr`), then the code exchanged for
//! tokens with a `private_key_jwt` client assertion, the ID token's checks
//! (issuer, audience, expiry, RS512 signature, nonce, `vot`, identity level)
//! and userinfo for the person's details. Every call to NHS login has a time
//! limit. Tokens and codes never reach a log.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthorizationCode, Client, ClientId, CsrfToken, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce, OAuth2TokenResponse as _,
    RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse as _, UserInfoClaims,
};
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use url::Url;

use super::identity::{IdentityLevel, ProvenIdentity, Sub, Vector};
use super::key::ClientKey;
use super::settings::Configured;

const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// `openid` is added by the crate; `profile_extended` brings the given name.
const SCOPES: [&str; 4] = ["profile", "profile_extended", "email", "phone"];

/// NHS login's own claims, in the ID token and in userinfo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NhsLoginClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_proofing_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vtm: Option<String>,
}

impl AdditionalClaims for NhsLoginClaims {}

type NhsTokenResponse = StandardTokenResponse<
    IdTokenFields<
        NhsLoginClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// A client made from NHS login's discovery document.
type NhsClient = Client<
    NhsLoginClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    NhsTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in with NHS login did not give a person.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Down, slow, or answering with errors of its own: try again later.
    #[error("NHS login is unavailable: {0}")]
    Unavailable(String),
    /// An answer Portico does not accept; `reason` is short, for the audit log.
    #[error("NHS login's answer was refused ({reason}): {cause}")]
    Refused { reason: &'static str, cause: String },
}

fn refused(reason: &'static str, cause: impl ToString) -> Failure {
    Failure::Refused { reason, cause: cause.to_string() }
}

/// The configured relying party.
#[derive(Debug)]
pub struct Provider {
    configured: Configured,
    key: ClientKey,
    http: reqwest::Client,
}

impl Provider {
    pub fn new(configured: Configured) -> anyhow::Result<Self> {
        let key = ClientKey::load(&configured.private_key_path)?;
        // No redirects: openidconnect asks for it, against SSRF through the provider.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(configured.timeout)
            .timeout(configured.timeout)
            .build()?;
        Ok(Self { configured, key, http })
    }

    pub fn configured(&self) -> &Configured {
        &self.configured
    }

    /// Where to send the browser: NHS login's authorisation endpoint, asking
    /// for the configured vectors of trust, with this `state` and `nonce`.
    pub async fn authorisation_url(&self, state: &str, nonce: &str) -> Result<Url, Failure> {
        let client = self.client().await?;
        let vtr: Vec<&str> = self.configured.vectors.iter().map(Vector::as_str).collect();
        let vtr = serde_json::to_string(&vtr).map_err(|e| refused("vtr", e))?;
        let (state, nonce) = (state.to_owned(), nonce.to_owned());
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .add_scopes(SCOPES.map(|s| Scope::new(s.to_owned())))
            .add_extra_param("vtr", vtr)
            .url();
        Ok(url)
    }

    /// Exchanges `code` for tokens, checks the ID token (its nonce must hash
    /// to `nonce_hash`), and reads the person's details from userinfo.
    pub async fn identify(&self, code: &str, nonce_hash: &str, now: OffsetDateTime) -> Result<ProvenIdentity, Failure> {
        let client = self.client().await?;
        let token_endpoint = client.token_uri().ok_or_else(|| Failure::Unavailable("no token endpoint".into()))?;
        let assertion = self
            .key
            .assertion(&self.configured.client_id, token_endpoint.url().as_str(), now)
            .map_err(|e| refused("client_assertion", format!("{e:#}")))?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Failure::Unavailable(e.to_string()))?
            .add_extra_param("client_assertion_type", CLIENT_ASSERTION_TYPE)
            .add_extra_param("client_assertion", assertion)
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::Request(e) => Failure::Unavailable(e.to_string()),
                openidconnect::RequestTokenError::ServerResponse(e) => refused("token", format!("{:?}", e.error())),
                // The answer's text could hold tokens: none of it is kept.
                _ => refused("token", "an answer that is not a token response"),
            })?;
        let id_token = tokens.id_token().ok_or_else(|| refused("id_token", "no ID token"))?;
        let at = chrono::DateTime::from_timestamp(now.unix_timestamp(), 0).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512])
            .set_time_fn(move || at);
        let expected_nonce = nonce_hash.to_owned();
        let claims = id_token
            .claims(&verifier, |nonce: Option<&Nonce>| match nonce {
                Some(nonce) if hex::encode(Sha256::digest(nonce.secret().as_bytes())) == expected_nonce => Ok(()),
                _ => Err("the nonce is not the one sent".to_owned()),
            })
            .map_err(|e| refused("id_token", e))?;
        let vot = claims
            .additional_claims()
            .vot
            .as_deref()
            .and_then(Vector::parse)
            .filter(|vot| self.configured.vectors.contains(vot))
            .ok_or_else(|| refused("vot", "the vector of trust achieved is not one Portico asked for"))?;
        let level = vot.level();
        let stated = claims.additional_claims().identity_proofing_level.as_deref().and_then(IdentityLevel::parse);
        if stated != Some(level) || (level == IdentityLevel::P5 && !self.configured.accept_p5) {
            return Err(refused("identity_level", "identity_proofing_level does not match the vector of trust"));
        }
        let sub = claims.subject().clone();
        let info: UserInfoClaims<NhsLoginClaims, CoreGenderClaim> = client
            .user_info(tokens.access_token().clone(), Some(sub.clone()))
            .map_err(|e| Failure::Unavailable(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::UserInfoError::Request(e) => Failure::Unavailable(e.to_string()),
                openidconnect::UserInfoError::ClaimsVerification(e) => refused("userinfo", e),
                openidconnect::UserInfoError::Response(status, ..) if status.is_server_error() => {
                    Failure::Unavailable(format!("userinfo answered {status}"))
                }
                // Claims of the wrong type land here; their values are personal data, not logged.
                _ => refused("userinfo", "an answer that is not userinfo"),
            })?;
        let sub = Sub::parse(sub.as_str()).ok_or_else(|| refused("sub", "not a subject NHS login issues"))?;
        person(&self.configured.issuer, sub, level, vot, &info, now)
    }

    async fn client(&self) -> Result<NhsClient, Failure> {
        let issuer = IssuerUrl::new(issuer_text(&self.configured.issuer)).map_err(|e| refused("issuer", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Failure::Unavailable(format!("discovery: {e}")))?;
        Ok(NhsClient::from_provider_metadata(metadata, ClientId::new(self.configured.client_id.clone()), None)
            .set_redirect_uri(RedirectUrl::from_url(self.configured.redirect_url.clone()))
            .set_auth_type(AuthType::RequestBody))
    }
}

/// The issuer as NHS login writes it in its discovery document: a bare
/// origin has no trailing slash.
fn issuer_text(issuer: &Url) -> String {
    let text = issuer.as_str();
    if issuer.path() == "/" { text.trim_end_matches('/').to_owned() } else { text.to_owned() }
}

/// The person in `info`, whose `sub` openidconnect has matched to the ID token's.
fn person(
    issuer: &Url,
    sub: Sub,
    level: IdentityLevel,
    vot: Vector,
    info: &UserInfoClaims<NhsLoginClaims, CoreGenderClaim>,
    now: OffsetDateTime,
) -> Result<ProvenIdentity, Failure> {
    let extra = info.additional_claims();
    let (nhs_number, date_of_birth) = if level == IdentityLevel::P0 {
        (None, None)
    } else {
        let nhs = extra.nhs_number.as_deref().ok_or_else(|| refused("nhs_number", "missing"))?;
        let nhs = NhsNumber::parse(nhs).map_err(|e| refused("nhs_number", e))?;
        let born = info.birthdate().map(|b| b.as_str().to_owned()).ok_or_else(|| refused("birthdate", "missing"))?;
        let born = DateOfBirth::parse(&born, now.date()).map_err(|e| refused("birthdate", e))?;
        (Some(nhs), Some(born))
    };
    let name = |claim: Option<String>, what: &'static str| {
        claim
            .and_then(|n| crate::records::details::name(what, what, &n).ok())
            .ok_or_else(|| refused(what, "missing or not a name"))
    };
    let given_name = name(info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()), "given_name")?;
    let family_name = name(info.family_name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()), "family_name")?;
    // An address NHS login has not checked is no address to sign in by.
    if info.email_verified() != Some(true) {
        return Err(refused("email", "not verified by NHS login"));
    }
    let email = info.email().map(|e| e.as_str().to_owned()).ok_or_else(|| refused("email", "missing"))?;
    let email = EmailAddress::parse(&email).map_err(|e| refused("email", e))?;
    let mobile = info.phone_number().and_then(|p| MobileNumber::parse(p.as_str()).ok());
    Ok(ProvenIdentity {
        issuer: issuer_text(issuer),
        sub,
        level,
        vot,
        nhs_number,
        date_of_birth,
        given_name,
        family_name,
        email,
        mobile,
    })
}
