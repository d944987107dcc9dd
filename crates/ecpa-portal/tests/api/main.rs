//! API tests: the router with a fresh database per test (SQLite, or PostgreSQL when
//! `ECPA_TEST_POSTGRES_URL` is set), a demo PKI made in the test, and a fixed clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod certificate_checks;
mod certificate_login;
mod chain_cache;
mod challenges;
mod connection_limits;
mod crash_safety;
mod crl_rules;
mod database_url;
mod eligibility;
mod favicon;
mod imports;
mod issuer_kinds;
mod kills_under_load;
mod login_writes;
mod malformed;
mod name_variants;
mod ocsp;
mod ocsp_responder;
mod passkey_ceremonies;
mod passkey_device;
mod passkeys;
mod personnel_rules;
mod portal_process;
#[path = "../../../ecpa-serve/testing/raw_client.rs"]
mod raw_client;
mod registrations;
mod revocation_sources;
mod security_headers;
mod serve_command;
mod served_agencies;
mod session_facts;
mod session_indexes;
mod sessions;
mod spa_files;
mod storage_full;
mod support;
mod test_policy;
mod trust_chains;
mod weak_crypto;
