-- A certificate is what its CA signed: the SHA-256 of its tbsCertificate. Two
-- encodings of it (another outer algorithm encoding, an ECDSA signature with s
-- negated) are the same certificate, so they share one owner. Rows stored before
-- this column existed get it when the portal starts.
ALTER TABLE registrations ADD COLUMN tbs_sha256 TEXT;
CREATE UNIQUE INDEX registrations_tbs_sha256_key ON registrations (tbs_sha256);
