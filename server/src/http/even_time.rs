//! An even answer time for the entry points that take an identity from
//! anyone: asking for a password reset, registration's steps, a join page's
//! form and a kiosk check-in. Each answers an identity that exists and one
//! that does not in the same words, but does different work for them (a
//! token and an email written, an attempt counted on an invitation): on
//! loopback, the battery's attack measured the two about 0.2 ms apart at the
//! median. Answering no sooner than [`FLOOR`] after the request arrived puts
//! one wait over both paths; the work itself is done in full either way.
//! Signing in needs none: both of its paths hash a password.

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Well above either path's own time (a few milliseconds), and too short for
/// a person to notice.
pub const FLOOR: Duration = Duration::from_millis(30);

/// Runs the request, then waits until [`FLOOR`] has passed since it arrived.
pub async fn no_sooner_than_the_floor(request: Request, next: Next) -> Response {
    let deadline = tokio::time::Instant::now() + FLOOR;
    let response = next.run(request).await;
    tokio::time::sleep_until(deadline).await;
    response
}
