//! CA private keys: RSA-2048 (PKCS#1 v1.5, SHA-256) or ECDSA P-384 (SHA-384).

use der::asn1::ObjectIdentifier;
use der::{Any, Encode};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use signature::{SignatureEncoding, Signer};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::PkiError;

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

/// A CA's private key.
pub struct CaKey(Inner);

enum Inner {
    Rsa(Box<rsa::RsaPrivateKey>),
    P384(p384::SecretKey),
}

impl CaKey {
    /// A new RSA-2048 key (as MOICA G2 and the GCA use).
    pub fn generate_rsa(rng: &mut impl CryptoRngCore) -> Result<Self, PkiError> {
        let key = rsa::RsaPrivateKey::new(rng, 2048).map_err(|e| PkiError::Key.logged(&e))?;
        Ok(CaKey(Inner::Rsa(Box::new(key))))
    }

    /// A new P-384 key (as the GTestCA G4 root uses).
    pub fn generate_p384(rng: &mut impl CryptoRngCore) -> Self {
        CaKey(Inner::P384(p384::SecretKey::random(rng)))
    }

    /// The public key as a SubjectPublicKeyInfo.
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
        let der = match &self.0 {
            Inner::Rsa(key) => key.to_public_key().to_public_key_der(),
            Inner::P384(key) => key.public_key().to_public_key_der(),
        }
        .map_err(|e| PkiError::Key.logged(&e))?;
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes()).map_err(|e| PkiError::Key.logged(&e))
    }

    /// sha256WithRSAEncryption or ecdsa-with-SHA384.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match &self.0 {
            Inner::Rsa(_) => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            Inner::P384(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            },
        }
    }

    /// Signs `message` (a DER TBSCertificate or TBSCertList) as `signature_algorithm` says.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        match &self.0 {
            Inner::Rsa(key) => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.as_ref().clone());
                let signature = signer
                    .try_sign(message)
                    .map_err(|e| PkiError::Sign.logged(&e))?;
                Ok(signature.to_vec())
            }
            Inner::P384(key) => {
                let signer = p384::ecdsa::SigningKey::from(key);
                let signature: p384::ecdsa::Signature = signer
                    .try_sign(message)
                    .map_err(|e| PkiError::Sign.logged(&e))?;
                Ok(signature.to_der().to_vec())
            }
        }
    }

    /// PKCS#8 PEM (`PRIVATE KEY`).
    pub fn to_pkcs8_pem(&self) -> Result<String, PkiError> {
        let pem = match &self.0 {
            Inner::Rsa(key) => key.to_pkcs8_pem(LineEnding::LF),
            Inner::P384(key) => key.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(|e| PkiError::Key.logged(&e))?;
        Ok(pem.to_string())
    }

    /// Reads a PKCS#8 PEM RSA or P-384 private key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, PkiError> {
        if let Ok(key) = rsa::RsaPrivateKey::from_pkcs8_pem(pem) {
            return Ok(CaKey(Inner::Rsa(Box::new(key))));
        }
        p384::SecretKey::from_pkcs8_pem(pem)
            .map(|key| CaKey(Inner::P384(key)))
            .map_err(|e| PkiError::Key.logged(&e))
    }

    /// The public key as DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Result<Vec<u8>, PkiError> {
        self.public_key_info()?
            .to_der()
            .map_err(|e| PkiError::Encode.logged(&e))
    }
}

impl std::fmt::Debug for CaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let algorithm = match &self.0 {
            Inner::Rsa(_) => "RSA",
            Inner::P384(_) => "P-384",
        };
        f.debug_tuple("CaKey").field(&algorithm).finish()
    }
}
