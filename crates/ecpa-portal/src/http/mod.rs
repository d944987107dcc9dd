//! The REST API under `/api` and the built SPA for every other path.

mod agencies;
mod audit;
mod certificates;
mod challenges;
mod extract;
mod openapi;
mod origin;
mod principal;
mod registrations;
mod session;
mod state;

pub use extract::{ApiJson, SESSION_COOKIE};
pub use openapi::ApiDoc;
pub use state::{AppState, Settings};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    routing::{delete, get, post},
};
use ecpa_wire::ErrorCode;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::error::error_response;

/// Largest request body accepted (a certificate and a signature fit many times over).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The API routes, without the SPA.
pub fn api_router(state: AppState) -> Router {
    Router::new()
        .route("/config", get(session::client_config))
        .route("/session/password", post(session::password_login))
        .route("/session", delete(session::logout))
        .route("/me", get(session::me))
        .route("/challenges", post(challenges::create))
        .route("/certificates/status", post(certificates::status))
        .route("/session/certificate", post(certificates::login))
        .route("/registrations", post(registrations::register))
        .route("/me/certificates", get(registrations::list))
        .route("/me/certificates/{id}", delete(registrations::withdraw))
        .route("/agencies/{code}", get(agencies::lookup))
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { error_response(ErrorCode::NOT_FOUND) })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::require_public_origin,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// The whole portal: `/api/*` and the SPA (unknown paths get `index.html` so client
/// routes survive a reload).
pub fn router(state: AppState) -> Router {
    let dist = state.settings().dist_dir.clone();
    let spa = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .nest("/api", api_router(state))
        .fallback_service(spa)
        .layer(TraceLayer::new_for_http())
}
