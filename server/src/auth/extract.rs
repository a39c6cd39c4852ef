//! Extractors that authenticate a request: the session cookie, the client's
//! address, and the signed-in professional.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::sessions::{self, Session, Token};
use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name. Over TLS it takes the `__Host-` prefix, which
/// browsers only accept with Secure, Path=/ and no Domain: no subdomain can
/// plant or read it.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.served_over_tls() { "__Host-portico-session" } else { "portico-session" }
}

/// The cookie that carries a new session.
pub fn session_cookie(state: &AppState, token: &Token) -> Cookie<'static> {
    cookie_with(state, token.as_str().to_owned())
}

/// The cookie that clears it.
pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = cookie_with(state, String::new());
    cookie.make_removal();
    cookie
}

fn cookie_with(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((cookie_name(state), value))
        .http_only(true)
        .secure(state.settings.served_over_tls())
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

/// The raw session token from the request's cookie, if any.
pub fn session_token(state: &AppState, jar: &CookieJar) -> Option<Token> {
    jar.get(cookie_name(state)).and_then(|c| Token::from_cookie(c.value()))
}

/// The address the request came from, for throttles and the audit log.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(Self(ip))
    }
}

/// A request made within a live, whole session (its second factor proven
/// where one is needed).
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Session);

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedInSession(session) = SignedInSession::from_request_parts(parts, state).await?;
        if session.second_factor.is_some() {
            return Err(second_factor_needed());
        }
        Ok(Self(session))
    }
}

/// A request made within a live session, whole or still waiting for its
/// second factor: only the second-factor step and signing out take this.
#[derive(Debug, Clone)]
pub struct SignedInSession(pub Session);

impl FromRequestParts<AppState> for SignedInSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = session_token(state, &jar).ok_or(ApiError::Unauthenticated)?;
        let session = sessions::find(&state.db, &token, state.now()).await?.ok_or(ApiError::Unauthenticated)?;
        if session.suspended {
            return Err(handed_over());
        }
        Ok(Self(session))
    }
}

/// The answer to anything asked with a session that has not yet proven its
/// second factor: a 401, so pages send the person back to sign in.
pub fn second_factor_needed() -> ApiError {
    ApiError::refusal(
        axum::http::StatusCode::UNAUTHORIZED,
        "second-factor-needed",
        "Enter the code from your authenticator app to continue",
        None,
    )
}

/// The answer to anything asked with a session whose device was handed to a
/// patient: the page shows the professional the way back (their password).
pub fn handed_over() -> ApiError {
    ApiError::refusal(
        axum::http::StatusCode::LOCKED,
        "device-handed-over",
        "This device has been handed to a patient",
        Some("The staff member who handed it over can carry on by entering their password.".into()),
    )
}
