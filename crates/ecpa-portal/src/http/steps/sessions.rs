//! Starting a session: on every login (the old token is dropped) and for a browser's
//! first challenge or passkey login.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ecpa_wire::api::{LoginMethod, Principal};
use ecpa_wire::{ErrorCode, NationalId, Nonce};

use crate::PortalError;
use crate::db::{AuditEntry, SessionKind, SessionRow};
use crate::http::extract::{session_cookie, token_hash};
use crate::http::state::AppState;

/// A logged-in session lasts this long.
pub const LOGIN_SECONDS: i64 = 8 * 3600;
/// An anonymous session (holding login challenges) lasts this long.
pub const ANONYMOUS_SECONDS: i64 = 30 * 60;

/// A new session's cookie and row, not stored yet.
fn new_session(
    state: &AppState,
    kind: SessionKind,
    national_id: Option<&NationalId>,
    registration_id: Option<i64>,
    login_method: Option<LoginMethod>,
    passkey_id: Option<i64>,
) -> Result<(HeaderValue, SessionRow), PortalError> {
    let token = hex::encode(state.entropy().bytes::<32>());
    let now = state.now().unix_timestamp();
    let lifetime = match kind {
        SessionKind::Anonymous => ANONYMOUS_SECONDS,
        _ => LOGIN_SECONDS,
    };
    let row = SessionRow {
        token_hash: token_hash(&token),
        kind,
        national_id: national_id.map(|n| n.as_str().to_owned()),
        registration_id,
        login_method,
        passkey_id,
        created_at: now,
        expires_at: now + lifetime,
    };
    let cookie = session_cookie(&token, lifetime, state.settings().secure_cookies())?;
    Ok((cookie, row))
}

/// Starts a new session (dropping `previous`, so a login never keeps an old token) and
/// returns its cookie. `passkey_id`: the passkey a passkey login used.
pub async fn start_session(
    state: &AppState,
    previous: Option<&SessionRow>,
    kind: SessionKind,
    national_id: Option<&NationalId>,
    registration_id: Option<i64>,
    login_method: Option<LoginMethod>,
    passkey_id: Option<i64>,
) -> Result<(HeaderValue, SessionRow), PortalError> {
    let (cookie, row) = new_session(
        state,
        kind,
        national_id,
        registration_id,
        login_method,
        passkey_id,
    )?;
    let previous = previous.map(|p| p.token_hash.as_str());
    state.db().replace_session(previous, &row).await?;
    Ok((cookie, row))
}

/// A card login's session, replacing `previous` (the session that holds the login's
/// challenge `nonce`), stored in one write with the login's audit row `audit` and the
/// challenge used up; `CHALLENGE_UNKNOWN`, with nothing written, when the challenge
/// was used meanwhile (by another answer to it).
pub async fn start_audited_session(
    state: &AppState,
    previous: &SessionRow,
    nonce: &Nonce,
    kind: SessionKind,
    national_id: &NationalId,
    registration_id: i64,
    audit: &AuditEntry,
) -> Result<HeaderValue, PortalError> {
    let (cookie, row) = new_session(
        state,
        kind,
        Some(national_id),
        Some(registration_id),
        Some(LoginMethod::Certificate),
        None,
    )?;
    let opened = state
        .db()
        .open_login_session(&previous.token_hash, &nonce.to_hex(), &row, audit)
        .await?;
    if !opened {
        return Err(ErrorCode::CHALLENGE_UNKNOWN.into());
    }
    Ok(cookie)
}

/// The browser's session, or a new anonymous one (with its cookie) to hold a challenge.
pub async fn current_or_anonymous(
    state: &AppState,
    session: Option<SessionRow>,
) -> Result<(Option<HeaderValue>, SessionRow), PortalError> {
    let (cookie, row) = current_or_unstored_anonymous(state, session)?;
    if cookie.is_some() {
        state.db().replace_session(None, &row).await?;
    }
    Ok((cookie, row))
}

/// The browser's session, or a new anonymous one with its cookie, for the caller to
/// store (the cookie is `Some` exactly when the session is new).
pub fn current_or_unstored_anonymous(
    state: &AppState,
    session: Option<SessionRow>,
) -> Result<(Option<HeaderValue>, SessionRow), PortalError> {
    match session {
        Some(s) => Ok((None, s)),
        None => {
            let (cookie, row) = new_session(state, SessionKind::Anonymous, None, None, None, None)?;
            Ok((Some(cookie), row))
        }
    }
}

/// An answer that sets the session cookie when there is one to set.
pub fn maybe_with_cookie(cookie: Option<HeaderValue>, answer: impl IntoResponse) -> Response {
    match cookie {
        Some(cookie) => ([(header::SET_COOKIE, cookie)], answer).into_response(),
        None => answer.into_response(),
    }
}

/// A principal answer that also sets the session cookie.
pub fn with_cookie(cookie: HeaderValue, principal: Principal) -> Response {
    ([(header::SET_COOKIE, cookie)], Json(principal)).into_response()
}
