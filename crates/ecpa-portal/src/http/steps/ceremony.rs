//! Passkey ceremony state, kept as a challenge row: keyed by the WebAuthn challenge,
//! bound to the browser session, single use and valid for [`CEREMONY_LIFETIME`], so any
//! portal instance on the database can finish a ceremony another began.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecpa_wire::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::Duration;

use super::purge;
use crate::PortalError;
use crate::db::SessionRow;
use crate::http::state::AppState;

/// A ceremony must be finished within this time.
pub const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// Which ceremony a state belongs to (the challenge row's purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    Registration,
    Authentication,
}

impl Ceremony {
    fn purpose(self) -> &'static str {
        match self {
            Ceremony::Registration => "passkey_registration",
            Ceremony::Authentication => "passkey_authentication",
        }
    }
}

/// Stores the state of a ceremony whose options carry `challenge`.
pub async fn store<S: Serialize>(
    state: &AppState,
    session: &SessionRow,
    ceremony: Ceremony,
    challenge: &[u8],
    ceremony_state: &S,
) -> Result<(), PortalError> {
    let now = state.now();
    purge::when_due(state, now).await?;
    let text =
        serde_json::to_string(ceremony_state).map_err(|e| PortalError::Internal(e.to_string()))?;
    state
        .db()
        .insert_challenge(
            &hex::encode(challenge),
            ceremony.purpose(),
            &session.token_hash,
            &text,
            (now + CEREMONY_LIFETIME).unix_timestamp(),
        )
        .await
}

/// The challenge a browser answered, from its `clientDataJSON`.
fn answered_challenge(client_data_json: &[u8]) -> Option<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct ClientData {
        challenge: String,
    }
    let data: ClientData = serde_json::from_slice(client_data_json).ok()?;
    URL_SAFE_NO_PAD
        .decode(data.challenge.trim_end_matches('='))
        .ok()
}

/// Uses up the session's ceremony that the answer's `clientDataJSON` names and returns
/// its state: unknown, used, another session's or past its deadline is
/// `PASSKEY_CEREMONY_EXPIRED`.
pub async fn take<S: DeserializeOwned>(
    state: &AppState,
    session: Option<&SessionRow>,
    ceremony: Ceremony,
    client_data_json: &[u8],
) -> Result<S, PortalError> {
    let expired = || PortalError::Refused(ErrorCode::PASSKEY_CEREMONY_EXPIRED);
    let session = session.ok_or_else(expired)?;
    let challenge = answered_challenge(client_data_json).ok_or_else(expired)?;
    let stored = state
        .db()
        .take_challenge(&hex::encode(challenge), &session.token_hash)
        .await?
        .filter(|c| c.purpose == ceremony.purpose())
        .ok_or_else(expired)?;
    if state.now().unix_timestamp() > stored.expires_at {
        return Err(expired());
    }
    serde_json::from_str(&stored.tbs)
        .map_err(|e| PortalError::Internal(format!("stored ceremony state: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_answered_challenge_is_read_from_client_data() {
        let json = br#"{"type":"webauthn.get","challenge":"AAEC_w","origin":"http://localhost"}"#;
        assert_eq!(answered_challenge(json), Some(vec![0, 1, 2, 255]));
        assert_eq!(answered_challenge(b"{}"), None);
        assert_eq!(answered_challenge(b"not json"), None);
    }
}
