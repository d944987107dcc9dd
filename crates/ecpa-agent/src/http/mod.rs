//! The protocol's routes. Every answer is JSON with `ret_code` (HTTP 200, as the
//! HiPKI agent does) except refused hosts (403) and the HTML pages.

mod add_domain;
mod card_management;
mod challenge_origin;
mod decrypt;
mod info;
mod package;
mod pages;
mod sign;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{AgentError, AgentState};

pub use sign::check_sign_form;

/// Requests larger than this are refused before they are read.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The agent's routes over `state`.
pub fn router(state: AgentState) -> Router {
    Router::new()
        .route("/", get(pages::version_page))
        .route("/pkcs11info", get(info::pkcs11info).post(info::pkcs11info))
        .route("/sign", axum::routing::post(sign::sign))
        .route("/decrypt", axum::routing::post(decrypt::decrypt))
        .route(
            "/CardManagement/sendCardCommand",
            axum::routing::post(card_management::send_card_command),
        )
        // The bridge page under both names deployed clients open: `/popupForm`
        // (HiPKI sample pages) and `/ChtPopupForm` (ChtICToken.js).
        .route("/popupForm", get(pages::popup_form))
        .route("/ChtPopupForm", get(pages::popup_form))
        .route(
            "/addDomain",
            get(add_domain::consent_page).post(add_domain::confirm),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), own_host_only))
        .with_state(state)
}

/// Refuses a request whose `Host` is not this agent's loopback name and port:
/// a page on another name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
async fn own_host_only(State(state): State<AgentState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    let known = host
        .as_deref()
        .is_some_and(|h| state.own_hosts().iter().any(|own| own == h));
    if known {
        next.run(request).await
    } else {
        tracing::warn!(
            host = host.as_deref().unwrap_or(""),
            "refused a foreign Host"
        );
        (StatusCode::FORBIDDEN, "forbidden host").into_response()
    }
}

/// No framing, no sniffing, no caching, no referrer to other sites; never any CORS header.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        // `same-origin`: the consent form's own POST must carry its Origin
        // (`no-referrer` makes Chromium send `Origin: null`).
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// `/sign` and `/pkcs11info` answer only the agent's own pages and trusted sites,
/// so a cross-site form post can never reach the card.
fn check_origin(state: &AgentState, headers: &HeaderMap) -> Result<(), AgentError> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .unwrap_or_default();
    let own = state.own_origins().iter().any(|o| o == origin);
    if own || state.trusted.contains(origin) {
        Ok(())
    } else {
        tracing::warn!(origin, "refused a request from an untrusted origin");
        Err(AgentError::SiteNotTrusted)
    }
}

/// Logs why a request failed (never a PIN) and keeps the codes for the answer.
fn log_failure(what: &str, error: &AgentError) {
    match error {
        AgentError::Card(_) | AgentError::TrustedSitesFile(_) => {
            tracing::error!(code = error.code(), cause = ?error, "{what} failed");
        }
        _ => tracing::info!(code = error.code(), "{what} refused: {error}"),
    }
}

/// Runs a blocking card call off the async threads.
async fn on_card<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, AgentError> + Send + 'static,
) -> Result<T, AgentError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| AgentError::Card(format!("card task failed: {e}")))?
}
