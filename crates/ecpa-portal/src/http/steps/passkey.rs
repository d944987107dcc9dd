//! What the passkey handlers share: the wire form of a stored passkey, credential IDs
//! as stored, and refusals of what the relying party would not accept.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecpa_cert::unix_to_rfc3339;
use ecpa_wire::ErrorCode;
use ecpa_wire::api::Passkey;
use webauthn_rs::prelude::WebauthnError;

use crate::PortalError;
use crate::db::PasskeyRow;

pub fn to_wire(row: PasskeyRow) -> Passkey {
    Passkey {
        id: row.id,
        name: row.name,
        created_at: unix_to_rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(unix_to_rfc3339),
    }
}

/// A credential ID as stored and audited: base64url without padding.
pub fn credential_text(raw_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw_id)
}

/// A stored credential ID's bytes.
pub fn credential_bytes(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// `PASSKEY_REJECTED`, the relying party's reason logged.
pub fn rejected(error: &WebauthnError) -> PortalError {
    tracing::info!(%error, "passkey refused");
    PortalError::Refused(ErrorCode::PASSKEY_REJECTED)
}

/// A failure of the relying party itself (not of the browser's answer).
pub fn relying_party_failure(error: &WebauthnError) -> PortalError {
    PortalError::Internal(format!("webauthn: {error}"))
}
