//! Signature checks for CA signatures (RSA PKCS#1 v1.5 with SHA-1/256/384/512, ECDSA
//! P-256/P-384) and for card signatures (RSA PKCS#1 v1.5 SHA-256).

use der::oid::ObjectIdentifier;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::{Pkcs1v15Sign, RsaPublicKey, pkcs1::DecodeRsaPublicKey};

use sha2::Digest;
use spki::SubjectPublicKeyInfoOwned;

const SHA1_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const RSA_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// The hash of an RSA PKCS#1 v1.5 signature.
#[derive(Debug, Clone, Copy)]
pub(super) enum RsaHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// The PKCS#1 `RSAPublicKey` of an RSA subject public key.
fn rsa_key_der(spki: &SubjectPublicKeyInfoOwned) -> Option<&[u8]> {
    if spki.algorithm.oid != RSA_KEY {
        return None;
    }
    spki.subject_public_key.as_bytes()
}

/// Checks an RSA PKCS#1 v1.5 signature over `signed`. Keys of 2048 to 8192 bits (every
/// card and CA in use) are checked with `ring`, several times faster than the pure-Rust
/// `rsa` crate; other sizes with `rsa`.
fn verify_rsa(key_der: &[u8], hash: RsaHash, signed: &[u8], signature: &[u8]) -> bool {
    if super::fast_rsa::fits(key_der) {
        return super::fast_rsa::verify(key_der, hash, signed, signature);
    }
    let Ok(key) = RsaPublicKey::from_pkcs1_der(key_der) else {
        return false;
    };
    let (scheme, digest) = match hash {
        RsaHash::Sha1 => (
            Pkcs1v15Sign::new::<sha1::Sha1>(),
            sha1::Sha1::digest(signed).to_vec(),
        ),
        RsaHash::Sha256 => (
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            sha2::Sha256::digest(signed).to_vec(),
        ),
        RsaHash::Sha384 => (
            Pkcs1v15Sign::new::<sha2::Sha384>(),
            sha2::Sha384::digest(signed).to_vec(),
        ),
        RsaHash::Sha512 => (
            Pkcs1v15Sign::new::<sha2::Sha512>(),
            sha2::Sha512::digest(signed).to_vec(),
        ),
    };
    key.verify(scheme, &digest, signature).is_ok()
}

fn verify_ecdsa(spki: &SubjectPublicKeyInfoOwned, prehash: &[u8], signature: &[u8]) -> bool {
    if spki.algorithm.oid != EC_KEY {
        return false;
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let Some(point) = spki.subject_public_key.as_bytes() else {
        return false;
    };
    match curve {
        Some(c) if c == P256 => {
            let (Ok(key), Ok(sig)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p256::ecdsa::Signature::from_der(signature),
            ) else {
                return false;
            };
            key.verify_prehash(prehash, &sig).is_ok()
        }
        Some(c) if c == P384 => {
            let (Ok(key), Ok(sig)) = (
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p384::ecdsa::Signature::from_der(signature),
            ) else {
                return false;
            };
            key.verify_prehash(prehash, &sig).is_ok()
        }
        _ => false,
    }
}

/// The shortest RSA modulus accepted on a card or a CA of its path.
const MIN_RSA_BITS: usize = 2048;

/// An RSA key under 2048 bits (other key types: false).
pub(super) fn rsa_key_too_short(spki: &SubjectPublicKeyInfoOwned) -> bool {
    rsa_key_der(spki).is_some_and(|key| super::fast_rsa::modulus_bits(key) < MIN_RSA_BITS)
}

/// sha1WithRSAEncryption: accepted only on a trust anchor's self-signature, where it
/// proves nothing the configured anchor does not already.
pub(super) fn is_sha1(algorithm: &ObjectIdentifier) -> bool {
    *algorithm == SHA1_RSA
}

/// Checks a CA's signature `signature` made with `algorithm` over `signed`.
pub fn verify_signed(
    algorithm: &ObjectIdentifier,
    signed: &[u8],
    signature: &[u8],
    issuer: &SubjectPublicKeyInfoOwned,
) -> bool {
    let rsa =
        |hash| rsa_key_der(issuer).is_some_and(|key| verify_rsa(key, hash, signed, signature));
    match *algorithm {
        a if a == SHA1_RSA => rsa(RsaHash::Sha1),
        a if a == SHA256_RSA => rsa(RsaHash::Sha256),
        a if a == SHA384_RSA => rsa(RsaHash::Sha384),
        a if a == SHA512_RSA => rsa(RsaHash::Sha512),
        a if a == ECDSA_SHA256 => verify_ecdsa(issuer, &sha2::Sha256::digest(signed), signature),
        a if a == ECDSA_SHA384 => verify_ecdsa(issuer, &sha2::Sha384::digest(signed), signature),
        a if a == ECDSA_SHA512 => verify_ecdsa(issuer, &sha2::Sha512::digest(signed), signature),
        _ => false,
    }
}

/// A card's PKCS#1 v1.5 SHA-256 signature over `message` with the certificate's RSA key.
pub fn verify_card_signature(
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> bool {
    rsa_key_der(spki).is_some_and(|key| verify_rsa(key, RsaHash::Sha256, message, signature))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use der::{Any, asn1::BitString};
    use p256::ecdsa::{SigningKey, signature::hazmat::PrehashSigner};
    use spki::AlgorithmIdentifierOwned;

    fn p256_spki(key: &SigningKey) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: EC_KEY,
                parameters: Some(Any::from(&P256)),
            },
            subject_public_key: BitString::from_bytes(
                key.verifying_key().to_encoded_point(false).as_bytes(),
            )
            .unwrap(),
        }
    }

    #[test]
    fn both_s_values_verify() {
        let key = SigningKey::from_slice(&[7; 32]).unwrap();
        let spki = p256_spki(&key);
        let signed = b"to be signed";
        let low: p256::ecdsa::Signature = key.sign_prehash(&sha2::Sha256::digest(signed)).unwrap();
        let low = low.normalize_s().unwrap_or(low);
        let (r, s) = low.split_scalars();
        let high = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        for sig in [low, high] {
            let der = sig.to_der();
            assert!(verify_signed(&ECDSA_SHA256, signed, der.as_bytes(), &spki));
        }
    }
}
