//! `/favicon.ico` and `/favicon.svg`: the built SPA's file when it has one, else the
//! portal's own icon (the SPA's `assets/favicon.svg`), never the SPA's fallback page.

use std::path::{Path, PathBuf};

use axum::{
    Router,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};

/// The icon built into the portal.
pub const BUILT_IN: &[u8] = include_bytes!("../../../../assets/favicon.svg");

const SVG: HeaderValue = HeaderValue::from_static("image/svg+xml");
const ICO: HeaderValue = HeaderValue::from_static("image/x-icon");
const CACHE: HeaderValue = HeaderValue::from_static("public, max-age=86400");

/// `file` as `content_type`, else the built-in icon.
async fn icon(file: PathBuf, content_type: HeaderValue) -> Response {
    let (body, content_type) = match tokio::fs::read(&file).await {
        Ok(bytes) => (bytes, content_type),
        Err(_) => (BUILT_IN.to_vec(), SVG),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
        .into_response()
}

/// The two icon paths, looked up in `dist` first.
pub fn routes(dist: &Path) -> Router {
    let ico = dist.join("favicon.ico");
    let svg = dist.join("favicon.svg");
    Router::new()
        .route("/favicon.ico", get(move || icon(ico.clone(), ICO)))
        .route("/favicon.svg", get(move || icon(svg.clone(), SVG)))
}
