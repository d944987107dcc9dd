-- Passkeys added in a session opened by a card login (registration_id: that card's
-- registration; withdrawing the card removes them). credential is webauthn-rs's
-- serialized Passkey; sign_count and the backup flags are kept beside it to check and
-- show. Ceremony state (registration or authentication) is a row in challenges: nonce
-- is the WebAuthn challenge (hex), tbs the serialized state, purpose passkey_*.
CREATE TABLE passkeys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_national_id TEXT NOT NULL,
    registration_id INTEGER NOT NULL,
    credential_id TEXT NOT NULL,
    user_handle TEXT NOT NULL,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    sign_count INTEGER NOT NULL,
    backup_eligible INTEGER NOT NULL,
    backup_state INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    CONSTRAINT passkeys_credential_id_key UNIQUE (credential_id)
);
CREATE INDEX passkeys_owner ON passkeys (owner_national_id);
CREATE INDEX passkeys_registration ON passkeys (registration_id);
-- The passkey (base64url credential ID) an audit row is about.
ALTER TABLE audit_log ADD COLUMN passkey_credential TEXT;
