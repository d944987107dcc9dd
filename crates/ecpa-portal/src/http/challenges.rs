//! `POST /api/challenges`: a nonce and the exact text a card is to sign.

use axum::{Json, extract::State, response::Response};
use ecpa_cert::unix_to_rfc3339;
use ecpa_wire::api::{Challenge, ChallengeRequest};
use ecpa_wire::challenge::tbs_text;
use ecpa_wire::{ErrorCode, Nonce};
use time::Duration;

use super::extract::{ApiJson, ClientAddr, CurrentSession};
use super::state::AppState;
use super::steps::{purge, sessions};
use crate::PortalError;

/// A challenge must be answered within this time.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

/// `POST /api/challenges`: a fresh nonce tied to this browser session (an anonymous
/// session is started when there is none). Each stores a row, so an address gets a
/// bounded number per minute.
#[utoipa::path(post, path = "/api/challenges",
    responses((status = 200, description = "{nonce, tbs, expires_at}; may set an anonymous session cookie"),
              (status = 429, description = "TOO_MANY_REQUESTS")))]
pub async fn create(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<ChallengeRequest>,
) -> Result<Response, PortalError> {
    if !state.allow_challenge(&addr) {
        tracing::warn!(%addr, "challenge budget used up");
        return Err(ErrorCode::TOO_MANY_REQUESTS.into());
    }
    let (cookie, session) = sessions::current_or_unstored_anonymous(&state, session)?;
    let nonce = Nonce::from_bytes(state.entropy().bytes());
    let tbs = tbs_text(body.purpose, &state.settings().public_origin, &nonce);
    let now = state.now();
    let expires_at = (now + CHALLENGE_LIFETIME).unix_timestamp();
    purge::when_due(&state, now).await?;
    let (nonce_hex, purpose) = (nonce.to_hex(), body.purpose.as_str());
    if cookie.is_some() {
        // A new visitor: their session and its first challenge in one write.
        state
            .db()
            .insert_session_with_challenge(&session, &nonce_hex, purpose, &tbs, expires_at)
            .await?;
    } else {
        state
            .db()
            .insert_challenge(&nonce_hex, purpose, &session.token_hash, &tbs, expires_at)
            .await?;
    }
    let answer = Json(Challenge {
        nonce,
        tbs,
        expires_at: unix_to_rfc3339(expires_at),
    });
    Ok(sessions::maybe_with_cookie(cookie, answer))
}
