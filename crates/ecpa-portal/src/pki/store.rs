//! The configured trust anchors and CRLs, and the checks a card certificate must pass.

use std::collections::HashSet;
use std::path::Path;

use der::{Decode, Encode, oid::AssociatedOid};
use ecpa_wire::ErrorCode;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;

use super::cert::{ParsedCert, TimeProblem, signed_part, strip_zero, unix};
use super::chain_cache::ChainCache;
use super::crl_profile;
use super::ocsp::OcspVerdict;
use super::{pem_blocks, verify_signed};
use crate::PortalError;

/// Longest issuer path tried (cross certificates make paths a little longer).
const MAX_DEPTH: usize = 8;

/// The GPKI test-assurance certificate policy: cards for trying systems out.
const TEST_ASSURANCE_POLICY: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.16.886.101.0.3.0");

/// How long past its nextUpdate a CRL is still relied on, unless configured.
pub const DEFAULT_CRL_GRACE_SECONDS: i64 = 24 * 3600;

/// Why a certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertCheckError {
    #[error("not a DER certificate")]
    Malformed,
    #[error("no path to a trust anchor")]
    Untrusted,
    #[error("expired (itself or an issuer)")]
    Expired,
    #[error("not yet valid (itself or an issuer)")]
    NotYetValid,
    #[error("revoked")]
    Revoked,
    #[error(
        "no current revocation information: no OCSP answer, and no CRL or one past its nextUpdate and the grace period"
    )]
    RevocationUnknown,
    #[error("keyUsage lacks digitalSignature")]
    KeyUsage,
    #[error("issued under the GPKI test-assurance policy")]
    TestPolicy,
}

impl From<CertCheckError> for ErrorCode {
    fn from(e: CertCheckError) -> Self {
        match e {
            CertCheckError::Malformed => ErrorCode::MALFORMED_REQUEST,
            CertCheckError::Untrusted => ErrorCode::UNTRUSTED_ISSUER,
            CertCheckError::Expired => ErrorCode::CERT_EXPIRED,
            CertCheckError::NotYetValid => ErrorCode::CERT_NOT_YET_VALID,
            CertCheckError::Revoked => ErrorCode::CERT_REVOKED,
            CertCheckError::RevocationUnknown => ErrorCode::REVOCATION_UNKNOWN,
            CertCheckError::KeyUsage => ErrorCode::CERT_KEY_USAGE,
            CertCheckError::TestPolicy => ErrorCode::CERT_TEST_POLICY,
        }
    }
}

impl From<TimeProblem> for CertCheckError {
    fn from(p: TimeProblem) -> Self {
        match p {
            TimeProblem::Expired => CertCheckError::Expired,
            TimeProblem::NotYetValid => CertCheckError::NotYetValid,
        }
    }
}

/// Serials revoked by one CA key, from a CRL whose signature was checked.
#[derive(Debug, Clone)]
struct LoadedCrl {
    /// The issuer as text, for the log.
    issuer: String,
    /// When the CA promised its next CRL (Unix seconds); a CRL without nextUpdate is
    /// stale from its thisUpdate.
    next_update: i64,
    /// The CRL number, big-endian without leading zeros.
    number: Option<Vec<u8>>,
    issuer_name: Vec<u8>,
    issuer_key: Vec<u8>,
    revoked: HashSet<Vec<u8>>,
}

/// Trusted CA certificates and the revocation lists they signed.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cas: Vec<ParsedCert>,
    crls: Vec<LoadedCrl>,
    /// Per CA: the configured CAs that signed it (checked once, when CAs are added).
    ca_issuers: Vec<Vec<usize>>,
    /// Per CA: self-signed.
    self_signed: Vec<bool>,
    /// Seconds past nextUpdate during which a CRL still counts.
    crl_grace: i64,
    /// Cards under the GPKI test-assurance policy are accepted (test setups only).
    allow_test_certificates: bool,
    /// Card certificates' proven paths; a reloaded store starts without.
    proven: ChainCache,
}

fn read(path: &Path) -> Result<Vec<u8>, PortalError> {
    std::fs::read(path).map_err(|source| PortalError::File {
        path: path.display().to_string(),
        source,
    })
}

/// A card certificate's proven path of CAs (indices into the store's CAs, issuer
/// first), valid at the time it was asked for; only this store makes one.
#[derive(Debug)]
pub struct CardChain {
    path: Vec<usize>,
}

impl TrustStore {
    /// Loads PEM (or DER) files of CA certificates and of CRLs.
    pub fn load(
        anchor_files: &[impl AsRef<Path>],
        crl_files: &[impl AsRef<Path>],
    ) -> Result<Self, PortalError> {
        let mut store = Self {
            crl_grace: DEFAULT_CRL_GRACE_SECONDS,
            ..Self::default()
        };
        for path in anchor_files {
            for der in pem_blocks(&read(path.as_ref())?, "CERTIFICATE")? {
                store.add_ca(&der)?;
            }
        }
        for path in crl_files {
            for der in pem_blocks(&read(path.as_ref())?, "X509 CRL")? {
                store.add_crl(&der)?;
            }
        }
        Ok(store)
    }

    pub fn add_ca(&mut self, der: &[u8]) -> Result<(), PortalError> {
        let ca = ParsedCert::parse(der)
            .map_err(|e| PortalError::Config(format!("trust anchor is not a certificate: {e}")))?;
        if !ca.is_ca {
            return Err(PortalError::Config(format!(
                "trust anchor {} is not a CA certificate",
                ca.fingerprint_hex()
            )));
        }
        self.cas.push(ca);
        self.index_cas();
        self.proven = ChainCache::default();
        Ok(())
    }

    /// Works out once which configured CA signed which, so a login verifies only the
    /// card certificate's own signature.
    fn index_cas(&mut self) {
        self.self_signed = self.cas.iter().map(ParsedCert::is_self_signed).collect();
        self.ca_issuers = self
            .cas
            .iter()
            .map(|ca| self.issuers_of(ca).map(|(i, _)| i).collect())
            .collect();
    }

    /// Adds a CRL after checking it was signed by a configured CA.
    pub fn add_crl(&mut self, der: &[u8]) -> Result<(), PortalError> {
        let bad = |why: String| PortalError::Config(format!("CRL refused: {why}"));
        let crl = CertificateList::from_der(der).map_err(|e| bad(e.to_string()))?;
        if super::signature::is_sha1(&crl.signature_algorithm.oid) {
            return Err(bad("signed with SHA-1".into()));
        }
        if let Some(why) = crl_profile::incomplete(&crl.tbs_cert_list) {
            return Err(bad(format!("not a complete CRL: {why}")));
        }
        let tbs = signed_part(der).map_err(|e| bad(e.to_string()))?;
        let issuer_name = crl
            .tbs_cert_list
            .issuer
            .to_der()
            .map_err(|e| bad(e.to_string()))?;
        let aki = crl
            .tbs_cert_list
            .crl_extensions
            .as_ref()
            .and_then(|exts| {
                exts.iter()
                    .find(|e| e.extn_id == AuthorityKeyIdentifier::OID)
            })
            .and_then(|e| AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
            .and_then(|a| a.key_identifier)
            .map(|k| k.as_bytes().to_vec());
        let signer = self
            .cas
            .iter()
            .filter(|ca| ca.subject_der == issuer_name && ca.may_sign_crls())
            .filter(|ca| aki.is_none() || ca.subject_key_id.is_none() || ca.subject_key_id == aki)
            .find(|ca| {
                verify_signed(
                    &crl.signature_algorithm.oid,
                    &tbs,
                    crl.signature.raw_bytes(),
                    ca.spki(),
                )
            })
            .ok_or_else(|| bad("not signed by a configured CA".into()))?;
        let revoked = crl
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
            .map(|r| strip_zero(r.serial_number.as_bytes()))
            .collect();
        let issuer_key = signer.spki().to_der().map_err(|e| bad(e.to_string()))?;
        self.proven = ChainCache::default();
        self.crls.push(LoadedCrl {
            issuer: crl.tbs_cert_list.issuer.to_string(),
            next_update: unix(
                crl.tbs_cert_list
                    .next_update
                    .unwrap_or(crl.tbs_cert_list.this_update),
            ),
            number: crl_profile::number(&crl.tbs_cert_list),
            issuer_name,
            issuer_key,
            revoked,
        });
        Ok(())
    }

    /// Keeps CRL numbers from going backwards: where this store has a CRL with a lower
    /// number than `in_force`'s CRL of the same CA key, `in_force`'s stays. Returns the
    /// issuers whose older CRL was not taken.
    pub fn keep_newer_crls(&mut self, in_force: &TrustStore) -> Vec<String> {
        let mut kept = Vec::new();
        for crl in &mut self.crls {
            let newer = in_force.crls.iter().find(|old| {
                old.issuer_key == crl.issuer_key
                    && old.issuer_name == crl.issuer_name
                    && match (&crl.number, &old.number) {
                        (Some(new), Some(old)) => crl_profile::older(new, old),
                        _ => false,
                    }
            });
            if let Some(newer) = newer {
                kept.push(crl.issuer.clone());
                *crl = newer.clone();
            }
        }
        kept
    }

    pub fn is_empty(&self) -> bool {
        self.cas.is_empty()
    }

    /// Sets how long past its nextUpdate a CRL still counts; after that, certificates
    /// of its issuer are refused as of unknown status (a CRL job that stopped must not
    /// let revoked cards in forever).
    #[must_use]
    pub fn with_crl_grace(mut self, seconds: i64) -> Self {
        self.crl_grace = seconds;
        self
    }

    /// Accepts cards under the GPKI test-assurance policy (refused unless set).
    #[must_use]
    pub fn with_test_certificates(mut self, allowed: bool) -> Self {
        self.allow_test_certificates = allowed;
        self
    }

    /// Issuers whose CRL is past its nextUpdate at `now`: a newer list exists and
    /// revocations since are not seen until it is installed.
    pub fn stale_crls(&self, now: i64) -> Vec<String> {
        self.crls
            .iter()
            .filter(|crl| crl.next_update < now)
            .map(|crl| crl.issuer.clone())
            .collect()
    }

    /// Configured CAs whose key signed `cert`, matched by key identifier (by name only
    /// when an identifier is missing), then proven by the signature.
    fn issuers_of<'a>(
        &'a self,
        cert: &'a ParsedCert,
    ) -> impl Iterator<Item = (usize, &'a ParsedCert)> {
        self.cas
            .iter()
            .enumerate()
            .filter(
                move |(_, ca)| match (&cert.authority_key_id, &ca.subject_key_id) {
                    (Some(aki), Some(ski)) => aki == ski,
                    _ => ca.subject_der == cert.issuer_der,
                },
            )
            .filter(move |(_, ca)| ca.may_sign_certificates() && cert.is_signed_by(ca))
    }

    /// Extends `path` (CA indices) from `candidates`, the issuers of its last element.
    fn extend(&self, candidates: &[usize], now: Option<i64>, path: &mut Vec<usize>) -> bool {
        if path.len() >= MAX_DEPTH {
            return false;
        }
        for &i in candidates {
            let ca = &self.cas[i];
            if path.contains(&i) || ca.weak_key() || now.is_some_and(|t| ca.valid_at(t).is_err()) {
                continue;
            }
            // A self-signed root ends the path; so does a configured CA with no issuer here.
            let issuers = &self.ca_issuers[i];
            let is_anchor = self.self_signed[i] || issuers.is_empty();
            if !is_anchor && ca.sha1_below_anchor() {
                continue;
            }
            path.push(i);
            if is_anchor || self.extend(issuers, now, path) {
                return true;
            }
            path.pop();
        }
        false
    }

    /// The issuers from `cert` up to a trust anchor, nearest first, every CA valid at `now`.
    pub fn chain(&self, cert: &ParsedCert, now: i64) -> Result<Vec<&ParsedCert>, CertCheckError> {
        let path = self.chain_path(cert, now)?;
        Ok(path.iter().map(|&i| &self.cas[i]).collect())
    }

    /// [`Self::chain`] as CA indices, from the cache of proven chains when `cert` (the
    /// same signed part and signature) was proven before and its CAs are valid at `now`.
    fn proven_chain(&self, cert: &ParsedCert, now: i64) -> Result<Vec<usize>, CertCheckError> {
        let cached = self.proven.get(&cert.identity, cert.signature());
        if let Some(path) = cached.filter(|p| p.iter().all(|&i| self.cas[i].valid_at(now).is_ok()))
        {
            return Ok(path);
        }
        let path = self.chain_path(cert, now)?;
        self.proven
            .put(cert.identity, cert.signature(), path.clone());
        Ok(path)
    }

    /// Certificates whose chain is remembered.
    pub fn proven_chains(&self) -> usize {
        self.proven.count()
    }

    fn chain_path(&self, cert: &ParsedCert, now: i64) -> Result<Vec<usize>, CertCheckError> {
        if cert.signed_with_sha1() || cert.weak_key() {
            return Err(CertCheckError::Untrusted);
        }
        let issuers: Vec<usize> = self.issuers_of(cert).map(|(i, _)| i).collect();
        let mut path = Vec::new();
        if self.extend(&issuers, Some(now), &mut path) {
            return Ok(path);
        }
        // Explain the failure: a path that only a CA's validity breaks is a time problem.
        if self.extend(&issuers, None, &mut path) {
            let problem = path
                .iter()
                .find_map(|&i| self.cas[i].valid_at(now).err())
                .map_or(CertCheckError::Untrusted, CertCheckError::from);
            return Err(problem);
        }
        Err(CertCheckError::Untrusted)
    }

    /// Revocation of `cert` by `issuer` at `now`: revoked if a CRL of the issuer lists
    /// it (even a stale one) or `ocsp` says so; good on a good OCSP answer; otherwise the
    /// issuer's CRLs must be current (within the grace period). Where the issuer has no
    /// CRL, the certificate is of unknown status when `required` (a card's issuing CA),
    /// and not checked otherwise (a CA above it).
    fn check_revocation(
        &self,
        cert: &ParsedCert,
        issuer: &ParsedCert,
        now: i64,
        required: bool,
        ocsp: Option<OcspVerdict>,
    ) -> Result<(), CertCheckError> {
        let Ok(issuer_key) = issuer.spki().to_der() else {
            return Err(CertCheckError::RevocationUnknown);
        };
        let serial = cert.serial_bytes();
        let crls: Vec<&LoadedCrl> = self
            .crls
            .iter()
            .filter(|crl| crl.issuer_key == issuer_key && crl.issuer_name == cert.issuer_der)
            .collect();
        if crls.iter().any(|crl| crl.revoked.contains(&serial)) {
            return Err(CertCheckError::Revoked);
        }
        match ocsp {
            Some(OcspVerdict::Revoked) => return Err(CertCheckError::Revoked),
            Some(OcspVerdict::Good) => return Ok(()),
            None => {}
        }
        if crls.is_empty() {
            return if required {
                Err(CertCheckError::RevocationUnknown)
            } else {
                Ok(())
            };
        }
        let current = |crl: &&LoadedCrl| now <= crl.next_update.saturating_add(self.crl_grace);
        if !crls.iter().any(current) {
            return Err(CertCheckError::RevocationUnknown);
        }
        Ok(())
    }

    /// The chain of `cert`, once proven and it and its CAs are valid at `now`; its
    /// issuer is the CA an OCSP request about it names.
    pub fn card_chain(&self, cert: &ParsedCert, now: i64) -> Result<CardChain, CertCheckError> {
        let path = self.proven_chain(cert, now)?;
        cert.valid_at(now)?;
        if path.is_empty() {
            return Err(CertCheckError::Untrusted);
        }
        Ok(CardChain { path })
    }

    /// The CA that issued the card whose chain is `chain`.
    pub fn issuer(&self, chain: &CardChain) -> &ParsedCert {
        &self.cas[chain.path[0]]
    }

    /// Every check a card's signing certificate must pass at `now` (Unix seconds), with
    /// its revocation by the CRLs alone. See [`Self::check_card`].
    pub fn check_signing_certificate(
        &self,
        cert: &ParsedCert,
        now: i64,
    ) -> Result<(), CertCheckError> {
        let chain = self.card_chain(cert, now)?;
        self.check_card(cert, &chain, now, None)
    }

    /// The checks a card's signing certificate must pass at `now` beyond its chain
    /// (`chain`, from [`Self::card_chain`]), given what its CA's OCSP responder said
    /// (`None`: not asked, or no answer to rely on): revocation, keyUsage and policy.
    pub fn check_card(
        &self,
        cert: &ParsedCert,
        chain: &CardChain,
        now: i64,
        ocsp: Option<OcspVerdict>,
    ) -> Result<(), CertCheckError> {
        let mut child = cert;
        for (level, issuer) in chain.path.iter().map(|&i| &self.cas[i]).enumerate() {
            let (required, answer) = if level == 0 {
                (true, ocsp)
            } else {
                (false, None)
            };
            self.check_revocation(child, issuer, now, required, answer)?;
            child = issuer;
        }
        if !cert.key_usage.is_some_and(|k| k.digital_signature()) {
            return Err(CertCheckError::KeyUsage);
        }
        if !self.allow_test_certificates && cert.has_policy(&TEST_ASSURANCE_POLICY) {
            return Err(CertCheckError::TestPolicy);
        }
        Ok(())
    }

    /// Configured CAs that may issue cards (neither a root nor another certificate of a
    /// root's key) and have no CRL loaded, as text for the log.
    pub fn issuing_cas_without_crl(&self) -> Vec<String> {
        let root_keys: Vec<&spki::SubjectPublicKeyInfoOwned> = self
            .cas
            .iter()
            .zip(&self.self_signed)
            .filter(|(_, root)| **root)
            .map(|(ca, _)| ca.spki())
            .collect();
        self.cas
            .iter()
            .filter(|ca| !root_keys.contains(&ca.spki()))
            .filter(|ca| {
                let key = ca.spki().to_der().unwrap_or_default();
                !self
                    .crls
                    .iter()
                    .any(|crl| crl.issuer_key == key && crl.issuer_name == ca.subject_der)
            })
            .map(|ca| ca.cert.tbs_certificate.subject.to_string())
            .collect()
    }
}
