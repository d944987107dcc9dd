-- A session before its login (a new visitor's, kind 'anonymous') has neither a
-- registration nor a passkey, and the sessions are looked up by these columns only to
-- end those of one registration or one passkey: index only the rows that have one.
-- Writing a new visitor's session, and removing it at the login that replaces it, then
-- each touch two index entries fewer, and a card login's new session one fewer.
DROP INDEX sessions_registration;
CREATE INDEX sessions_registration ON sessions (registration_id)
    WHERE registration_id IS NOT NULL;
DROP INDEX sessions_passkey;
CREATE INDEX sessions_passkey ON sessions (passkey_id) WHERE passkey_id IS NOT NULL;
