//! State-changing calls must come from the portal's own pages.

use axum::{
    extract::{Request, State},
    http::{Method, header},
    middleware::Next,
    response::Response,
};
use ecpa_wire::ErrorCode;

use super::state::AppState;
use crate::error::error_response;

/// Refuses a POST/PUT/PATCH/DELETE whose `Origin` is missing or not the public origin,
/// and marks API answers `Cache-Control: no-store`.
pub async fn require_public_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let origin_ok = request
        .headers()
        .get(header::ORIGIN)
        .is_some_and(|o| o.as_bytes() == state.settings().public_origin.as_bytes());
    if safe || origin_ok {
        let mut response = next.run(request).await;
        // API answers are personal: never cached by the browser or a proxy.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        response
    } else {
        tracing::info!(method = %request.method(), uri = %request.uri(), "foreign origin refused");
        error_response(ErrorCode::FORBIDDEN_ORIGIN)
    }
}
