-- Agencies (機關代碼 → 機關名稱, optional 機關 OID).
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    oid TEXT
);

-- One row per person per report; the newest record filed before today counts.
CREATE TABLE personnel_records (
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
    owner_national_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'organization')),
    fingerprint TEXT NOT NULL,
    serial TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    agency_code TEXT,
    certificate BYTEA NOT NULL,
    registered_at BIGINT NOT NULL,
    CONSTRAINT registrations_fingerprint_key UNIQUE (fingerprint)
);
CREATE INDEX registrations_owner ON registrations (owner_national_id);

-- Browser sessions; the cookie holds a random token, the table its SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('anonymous', 'employee', 'organization')),
    national_id TEXT,
    registration_id BIGINT,
    login_method TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE challenges (
    nonce TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    tbs TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
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
    id BIGSERIAL PRIMARY KEY,
    account TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);
