//! A whole card in software, for tests that need no token.

use rsa::pkcs8::EncodePublicKey;
use rsa::rand_core::CryptoRngCore;
use signature::{SignatureEncoding, Signer};
use time::OffsetDateTime;

use super::encoding::random_serial;
use super::{Ca, LeafSpec, LeafSubject, LeafUsage, PkiError};

/// An RSA-2048 card key with its signing and encryption certificates (one key for
/// both, where a real card has two).
#[derive(Debug, Clone)]
pub struct SoftwareCard {
    pub key: rsa::RsaPrivateKey,
    pub signing_cert_der: Vec<u8>,
    pub encryption_cert_der: Vec<u8>,
}

impl SoftwareCard {
    /// Generates the key and has `ca` issue both certificates (random serials).
    pub fn issue(
        ca: &Ca,
        subject: LeafSubject,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, PkiError> {
        let key = rsa::RsaPrivateKey::new(rng, 2048).map_err(|e| PkiError::Key.logged(&e))?;
        Self::issue_for_key(ca, subject, key, not_before, not_after, rng)
    }

    /// As `issue`, with an existing key (tests share keys: RSA generation is slow).
    pub fn issue_for_key(
        ca: &Ca,
        subject: LeafSubject,
        key: rsa::RsaPrivateKey,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, PkiError> {
        let spec = LeafSpec {
            subject,
            usage: LeafUsage::Signing,
            serial: random_serial(rng),
            not_before,
            not_after,
            ocsp_url: None,
        };
        Self::issue_spec(ca, spec, key, rng)
    }

    /// Both certificates for `key` as `spec` says (its usage is set for each; the
    /// encryption certificate gets a random serial).
    pub fn issue_spec(
        ca: &Ca,
        mut spec: LeafSpec,
        key: rsa::RsaPrivateKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, PkiError> {
        let public_key = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| PkiError::Key.logged(&e))?;
        spec.usage = LeafUsage::Signing;
        let signing_cert_der = ca.issue(&spec, public_key.as_bytes())?;
        spec.usage = LeafUsage::Encryption;
        spec.serial = random_serial(rng);
        let encryption_cert_der = ca.issue(&spec, public_key.as_bytes())?;
        Ok(SoftwareCard {
            key,
            signing_cert_der,
            encryption_cert_der,
        })
    }

    /// PKCS#1 v1.5 SHA-256 signature over `message` (what a card returns for tbsEncoding NONE).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(self.key.clone())
            .sign(message)
            .to_vec()
    }
}
