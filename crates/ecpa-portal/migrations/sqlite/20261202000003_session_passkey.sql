-- The passkey a passkey login's session was opened with (NULL for other logins);
-- removing that passkey ends exactly these sessions.
ALTER TABLE sessions ADD COLUMN passkey_id INTEGER;
CREATE INDEX sessions_passkey ON sessions (passkey_id);
