//! Problem answers for what axum refuses on its own (unknown paths, wrong
//! methods, panics), and the one place a 500's cause is logged.

use std::any::Any;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, InternalCause};

pub async fn api_not_found() -> Response {
    ApiError::NotFound.into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// A panic is a bug: answer an opaque 500 and log what panicked.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic".into());
    ApiError::Internal(anyhow::anyhow!("handler panicked: {what}")).into_response()
}

/// Logs the cause of an internal error once, inside the request's span.
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(InternalCause(cause)) = response.extensions().get::<InternalCause>() {
        tracing::error!(cause = %cause, "internal error");
    }
    response
}
