//! The REST API under `/api` and the built SPA for every other path.
//!
//! Handlers (`agencies`, `certificates`, `challenges`, `eligibility`, `my_passkeys`,
//! `passkey_login`, `passkey_registration`, `registrations`, `session`) extract, call the `steps` they share and the [`crate::domain`] rules, and
//! answer; they never call each other.

mod agencies;
mod body_checks;
mod certificates;
mod challenges;
mod csp;
mod eligibility;
mod extract;
mod favicon;
mod forwarded;
mod my_passkeys;
mod openapi;
mod origin;
mod passkey_login;
mod passkey_registration;
mod rate_limit;
mod registrations;
mod relying_party;
mod session;
mod spa;
mod state;
mod steps;

pub use body_checks::{BODY_ROUTES, check_request_body};
pub use extract::{ApiJson, SESSION_COOKIE};
pub use forwarded::TrustedProxies;
pub use openapi::ApiDoc;
pub use state::{AppState, Settings};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, header},
    middleware,
    response::Response,
    routing::{delete, get, patch, post},
};
use ecpa_wire::ErrorCode;
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
        .route("/me/eligibility", get(eligibility::check))
        .route(
            "/passkeys/registration/start",
            post(passkey_registration::start),
        )
        .route(
            "/passkeys/registration/finish",
            post(passkey_registration::finish),
        )
        .route("/passkeys/authentication/start", post(passkey_login::start))
        .route(
            "/passkeys/authentication/finish",
            post(passkey_login::finish),
        )
        .route("/me/passkeys", get(my_passkeys::list))
        .route(
            "/me/passkeys/{id}",
            patch(my_passkeys::rename).delete(my_passkeys::remove),
        )
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

/// Headers on every answer: no page may frame the portal (clickjacking), no content
/// sniffing, and no path or query sent to other sites; the CSP is [`csp::for_dist`]'s.
const SECURITY_HEADERS: [(HeaderName, HeaderValue); 3] = [
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ),
];

fn security_headers(mut response: Response, csp: HeaderValue) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, value);
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    response
}

/// The whole portal: `/api/*` and the SPA (unknown paths get `index.html` so client
/// routes survive a reload).
pub fn router(state: AppState) -> Router {
    let dist = state.settings().dist_dir.clone();
    let spa = spa::service(&dist);
    let csp = csp::for_dist(&dist);
    Router::new()
        .nest("/api", api_router(state))
        .merge(favicon::routes(&dist))
        .fallback_service(spa)
        .layer(middleware::map_response(move |response| {
            let csp = csp.clone();
            async move { security_headers(response, csp) }
        }))
        .layer(TraceLayer::new_for_http())
}
