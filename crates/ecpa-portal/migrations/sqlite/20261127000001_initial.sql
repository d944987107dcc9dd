-- Agencies (機關代碼 → 機關名稱, optional 機關 OID).
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    oid TEXT
);

-- One row per person per report; the newest record filed before today counts.
CREATE TABLE personnel_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    national_id TEXT NOT NULL,
    name TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    service_unit TEXT NOT NULL,
    personnel_category TEXT NOT NULL,
    concurrent_duty TEXT,
    status TEXT NOT NULL CHECK (status IN ('current', 'departed')),
    filed_on TEXT NOT NULL,
    UNIQUE (national_id, filed_on)
);

CREATE TABLE accounts (
    account TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    password_hash TEXT NOT NULL
);

-- One certificate, one owner: the fingerprint is unique.
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_national_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'organization')),
    fingerprint TEXT NOT NULL,
    serial TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    agency_code TEXT,
    certificate BLOB NOT NULL,
    registered_at INTEGER NOT NULL,
    CONSTRAINT registrations_fingerprint_key UNIQUE (fingerprint)
);
CREATE INDEX registrations_owner ON registrations (owner_national_id);

-- Browser sessions; the cookie holds a random token, the table its SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('anonymous', 'employee', 'organization')),
    national_id TEXT,
    registration_id INTEGER,
    login_method TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE challenges (
    nonce TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    tbs TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL,
    national_id TEXT,
    account TEXT,
    cert_serial TEXT,
    cert_fingerprint TEXT,
    client_addr TEXT
);

-- Wrong passwords, for throttling per account and per client address.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);
