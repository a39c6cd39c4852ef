//! Serving the browser app: its files as they are, and for any other path the
//! page shell that the client-side router takes over from. Staff paths get
//! the staff bundle, registration and account paths theirs, everything else
//! the patient bundle (`portico_types::bundle` holds the map), so no first
//! load carries another bundle's code.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_types::bundle::Bundle;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn service(site_dir: &Path) -> axum::routing::MethodRouter {
    let dir = site_dir.to_path_buf();
    let shells = tower::service_fn(move |request: Request| shell(dir.clone(), request));
    let files = ServeDir::new(site_dir).precompressed_br().precompressed_gzip().fallback(shells);
    // The shells and bundles are small and change with each release: browsers revalidate.
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(files);
    axum::routing::get_service(files)
}

async fn shell(site_dir: PathBuf, request: Request) -> Result<Response, Infallible> {
    let path = request.uri().path();
    if is_asset_path(path) {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    let shell = Bundle::for_path(path).shell();
    let response = ServeFile::new(site_dir.join(shell)).oneshot(request).await;
    Ok(match response {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    })
}

/// A missing file under the asset folders is a 404, not the page shell.
fn is_asset_path(path: &str) -> bool {
    ["/pkg/", "/style/", "/assets/"].iter().any(|prefix| path.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_assets_are_not_pages() {
        assert!(is_asset_path("/pkg/missing.wasm"));
        assert!(!is_asset_path("/register"));
    }
}
