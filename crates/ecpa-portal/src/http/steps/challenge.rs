//! Taking a challenge back when a card answers it.

use ecpa_wire::api::ChallengePurpose;
use ecpa_wire::{ErrorCode, Nonce};

use crate::PortalError;
use crate::db::{SessionRow, StoredChallenge};
use crate::http::state::AppState;

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
        .await?;
    still_good(state, stored, purpose)
}

/// The text the session's unused challenge asked to be signed, the challenge left
/// unused: a login uses it up in the write that opens its session
/// ([`crate::db::Db::open_login_session`]), and [`burn`] does when the login fails. A
/// challenge found but refused (another purpose, expired) is used up here.
pub async fn read(
    state: &AppState,
    session: Option<&SessionRow>,
    nonce: &Nonce,
    purpose: ChallengePurpose,
) -> Result<String, PortalError> {
    let session = session.ok_or(ErrorCode::CHALLENGE_UNKNOWN)?;
    let nonce_hex = nonce.to_hex();
    let stored = state
        .db()
        .unused_challenge(&nonce_hex, &session.token_hash)
        .await?;
    let found = stored.is_some();
    let checked = still_good(state, stored, purpose);
    if found && checked.is_err() {
        burn(state, session, nonce).await;
    }
    checked
}

/// Uses up the session's challenge after a login that read it failed, so it never
/// serves again. A database failure here is logged: the challenge still ends with its
/// session or its deadline.
pub async fn burn(state: &AppState, session: &SessionRow, nonce: &Nonce) {
    if let Err(error) = state
        .db()
        .take_challenge(&nonce.to_hex(), &session.token_hash)
        .await
    {
        tracing::warn!(%error, "a failed login's challenge could not be used up");
    }
}

/// The challenge's text, if it exists, is for `purpose` and has not expired.
fn still_good(
    state: &AppState,
    stored: Option<StoredChallenge>,
    purpose: ChallengePurpose,
) -> Result<String, PortalError> {
    let stored = stored.ok_or(ErrorCode::CHALLENGE_UNKNOWN)?;
    if stored.purpose != purpose.as_str() {
        return Err(ErrorCode::CHALLENGE_UNKNOWN.into());
    }
    if state.now().unix_timestamp() > stored.expires_at {
        return Err(ErrorCode::CHALLENGE_EXPIRED.into());
    }
    Ok(stored.tbs)
}
