-- Expired challenges and sessions are purged by deadline.
CREATE INDEX challenges_expires_at ON challenges (expires_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_registration ON sessions (registration_id);
