//! The HTTP surface: `/api/v1`, health checks and the browser app, with the
//! layers every request passes through.

pub mod even_time;
pub mod extract;
mod health;
pub mod openapi;
mod problems;
mod security;
mod spa;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{
    accounts, auth, campaigns, carers, feeds, invitations, kiosk, mail, nhs_login, notifications, records,
    registration, reports, self_registration, staff,
};

/// The largest JSON body the API reads. Uploads (CSV, FHIR bundles) get
/// their own, larger limits on their own routes.
pub const API_BODY_LIMIT: usize = 64 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::routes::routes())
        .merge(auth::second_factor_routes::routes())
        .merge(staff::routes::routes())
        .merge(records::routes::routes())
        .merge(records::mine::routes())
        .merge(feeds::keys::routes())
        .merge(feeds::csv::routes())
        .merge(invitations::routes::routes())
        .merge(campaigns::routes::routes())
        .merge(campaigns::escalation::routes::routes())
        .merge(campaigns::invitation_settings::routes())
        .merge(kiosk::routes::routes())
        .merge(registration::routes::routes())
        .merge(nhs_login::routes::routes())
        .merge(self_registration::routes::routes())
        .merge(accounts::routes::routes())
        .merge(mail::dev_outbox::routes())
        .merge(reports::routes::routes())
        .merge(carers::routes::routes())
        .merge(carers::accept_routes::routes())
        .merge(carers::staff_routes::routes())
        .merge(notifications::routes::routes())
        .merge(notifications::staff_view::routes())
        .merge(openapi::routes())
        .fallback(problems::api_not_found)
        .method_not_allowed_fallback(problems::method_not_allowed)
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), security::refuse_cross_site))
        .layer(middleware::from_fn(security::no_store));

    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings can hold search terms (names, NHS numbers).
            tracing::info_span!("request", id = %request_id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(middleware::from_fn(problems::log_internal_errors))
        .layer(CatchPanicLayer::custom(problems::panic_response))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers));

    // Feeds (and Notify's delivery receipts) authenticate with a key in a
    // header, never a cookie, so the browser's cross-site rules do not apply
    // to them; feeds have their own body limit.
    let feeds = feeds::fhir::routes()
        .merge(mail::receipts::routes())
        .merge(notifications::routes::unsubscribe_routes())
        .layer(middleware::from_fn(security::no_store));

    Router::new()
        .nest("/api/v1", feeds.merge(api))
        .route("/api", axum::routing::any(problems::api_not_found))
        .route("/api/", axum::routing::any(problems::api_not_found))
        .route("/api/{*rest}", axum::routing::any(problems::api_not_found))
        .merge(health::routes())
        // A join page's address answers 404 itself when the page is closed.
        .route("/join/{slug}", axum::routing::get(self_registration::routes::page_shell))
        .fallback_service(spa::service(&state.settings.site_dir))
        .layer(layers)
        .with_state(state)
}
