//! Certificate checks: chains to configured trust anchors (found by key identifier and
//! signature, never by name alone), validity, keyUsage, CRLs and OCSP, card kinds by
//! issuer, and card signatures.

mod cert;
mod chain_cache;
mod crl_profile;
mod fast_rsa;
mod issuer_kinds;
mod ocsp;
mod pem;
mod signature;
mod store;
mod watch;

pub use cert::ParsedCert;
pub use issuer_kinds::IssuerKinds;
pub use ocsp::{OcspClient, OcspVerdict, responder_url};
pub use pem::pem_blocks;
pub use signature::{verify_card_signature, verify_signed};
pub use store::{CardChain, CertCheckError, TrustStore};
pub use watch::TrustFiles;
