//! Taking a challenge back when a card answers it.

use ecpa_wire::api::ChallengePurpose;
use ecpa_wire::{ErrorCode, Nonce};

use crate::PortalError;
use crate::db::SessionRow;
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
