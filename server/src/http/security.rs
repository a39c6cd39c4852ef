//! Security headers on every answer, and the refusal of cross-site requests
//! that would change state.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portico_types::api::CSRF_HEADER;

use crate::error::ApiError;
use crate::state::AppState;

/// The app is wasm plus same-origin files: no inline script or style anywhere,
/// `'wasm-unsafe-eval'` (never `'unsafe-eval'`) to compile the module.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A handler may set a stricter policy of its own (the development
    // outbox's email preview, framed by Portico's page): it stands, with the
    // framing it names. Every other answer gets these.
    let own_policy = headers.contains_key(header::CONTENT_SECURITY_POLICY);
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    if !own_policy {
        set("content-security-policy", CONTENT_SECURITY_POLICY);
        set("x-frame-options", "DENY");
    }
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("cross-origin-opener-policy", "same-origin");
    set("cross-origin-resource-policy", "same-origin");
    set("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if state.settings.served_over_tls() {
        set("strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    response
}

/// API answers hold personal data: no cache keeps them.
pub async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A state-changing request must carry Portico's CSRF header (which a form on
/// another site cannot send, and a script on another site cannot send without
/// a CORS preflight that is never granted), and where the browser says where
/// it came from (`Origin`, `Sec-Fetch-Site`), that must be Portico itself.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let has_token = headers.get(CSRF_HEADER).is_some();
    let origin_ok =
        headers.get(header::ORIGIN).is_none_or(|origin| origin.as_bytes() == state.settings.public_origin().as_bytes());
    let fetch_site_ok =
        headers.get("sec-fetch-site").is_none_or(|site| matches!(site.as_bytes(), b"same-origin" | b"none"));
    if has_token && origin_ok && fetch_site_ok { next.run(request).await } else { ApiError::CrossSite.into_response() }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
