//! Extractors that answer bad input in the API's own error shape, and session cookies.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_wire::ErrorCode;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::state::AppState;
use super::steps::live_session;
use crate::PortalError;
use crate::db::SessionRow;

/// Name of the HttpOnly, SameSite=Strict session cookie over http.
pub const SESSION_COOKIE: &str = "ecpa_session";
/// Its name over https: the `__Host-` prefix makes the browser accept it only with
/// `Secure`, `Path=/` and no `Domain`, so no other host can plant or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-ecpa_session";

/// The session cookie's name: `__Host-` prefixed when cookies are `Secure`.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// JSON body; anything unreadable is `MALFORMED_REQUEST`, too large `PAYLOAD_TOO_LARGE`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = PortalError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(PortalError::Refused(ErrorCode::PAYLOAD_TOO_LARGE))
            }
            Err(e) => Err(PortalError::malformed(e.body_text())),
        }
    }
}

/// The client's address, when the server knows it (through trusted proxies, see
/// [`super::forwarded`]).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(
                || "unknown".to_owned(),
                |peer| {
                    state
                        .settings()
                        .trusted_proxies
                        .client_ip(peer.0.ip(), &parts.headers)
                        .to_string()
                },
            );
        Ok(Self(addr))
    }
}

/// The SHA-256 (hex) under which a session token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn cookie_token(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The request's live session, if its cookie names one.
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Option<SessionRow>);

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = PortalError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let name = session_cookie_name(state.settings().secure_cookies());
        let Some(token) = cookie_token(&parts.headers, name) else {
            return Ok(Self(None));
        };
        let session = live_session::resolve(state, &token_hash(&token), state.now()).await?;
        Ok(Self(session))
    }
}

/// `Set-Cookie` for a new session token living `max_age` seconds.
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> Result<HeaderValue, PortalError> {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| PortalError::Internal(e.to_string()))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> Result<HeaderValue, PortalError> {
    session_cookie("", 0, secure)
}

/// Base64 (standard, padded) from a request field.
pub fn base64_field(field: &str, value: &str) -> Result<Vec<u8>, PortalError> {
    let bytes = STANDARD
        .decode(value.trim())
        .map_err(|e| PortalError::malformed(format!("{field}: {e}")))?;
    if bytes.is_empty() {
        return Err(PortalError::malformed(format!("{field}: empty")));
    }
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cookie_token_is_found_among_others_and_checked() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("theme=dark; {SESSION_COOKIE}={token}")).unwrap(),
        );
        assert_eq!(cookie_token(&headers, SESSION_COOKIE), Some(token));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{SESSION_COOKIE}=../../etc")).unwrap(),
        );
        assert_eq!(cookie_token(&headers, SESSION_COOKIE), None);
    }
}
