//! `POST /api/challenges` and taking a challenge back when it is answered.

use axum::{Json, extract::State, http::header, response::IntoResponse, response::Response};
use ecpa_wire::api::{Challenge, ChallengePurpose, ChallengeRequest};
use ecpa_wire::challenge::tbs_text;
use ecpa_wire::{ErrorCode, Nonce};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::extract::{ApiJson, ClientAddr, CurrentSession};
use super::{AppState, principal};
use crate::PortalError;
use crate::db::{SessionKind, SessionRow};

/// A challenge must be answered within this time.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

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
    let (cookie, session) = match session {
        Some(s) => (None, s),
        None => {
            let (cookie, row) =
                principal::start_session(&state, None, SessionKind::Anonymous, None, None, None)
                    .await?;
            (Some(cookie), row)
        }
    };
    let nonce = Nonce::from_bytes(state.entropy().bytes());
    let tbs = tbs_text(body.purpose, &state.settings().public_origin, &nonce);
    let now = state.now();
    let expires_at = (now + CHALLENGE_LIFETIME).unix_timestamp();
    if state.purge_due(now.unix_timestamp()) {
        // Kept a day past their deadline so a late answer still hears CHALLENGE_EXPIRED.
        state
            .db()
            .purge_expired(now.unix_timestamp() - 86_400)
            .await?;
    }
    state
        .db()
        .insert_challenge(
            &nonce.to_hex(),
            body.purpose.as_str(),
            &session.token_hash,
            &tbs,
            expires_at,
        )
        .await?;
    let answer = Json(Challenge {
        nonce,
        tbs,
        expires_at: rfc3339(expires_at),
    });
    Ok(match cookie {
        Some(cookie) => ([(header::SET_COOKIE, cookie)], answer).into_response(),
        None => answer.into_response(),
    })
}

/// Uses up the session's challenge and returns the exact text that had to be signed.
pub async fn take(
    state: &AppState,
    session: Option<&SessionRow>,
    nonce: &Nonce,
    purpose: ChallengePurpose,
) -> Result<String, PortalError> {
    let session = session.ok_or(ErrorCode::CHALLENGE_UNKNOWN)?;
    let stored = state
        .db()
        .take_challenge(&nonce.to_hex(), &session.token_hash)
        .await?
        .ok_or(ErrorCode::CHALLENGE_UNKNOWN)?;
    if stored.purpose != purpose.as_str() {
        return Err(ErrorCode::CHALLENGE_UNKNOWN.into());
    }
    if state.now().unix_timestamp() > stored.expires_at {
        return Err(ErrorCode::CHALLENGE_EXPIRED.into());
    }
    Ok(stored.tbs)
}
