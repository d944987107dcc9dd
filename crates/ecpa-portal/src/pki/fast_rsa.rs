//! RSA PKCS#1 v1.5 verification with `ring` (native code, so the portal only: the
//! crates the SPA shares stay pure Rust).

use der::Decode;
use ring::signature::{self, RsaParameters, UnparsedPublicKey};
use rsa::pkcs1::RsaPublicKey;

use super::signature::RsaHash;

/// Modulus sizes `ring` verifies.
const BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// The modulus size of a PKCS#1 `RSAPublicKey` (0 when it does not parse).
pub fn modulus_bits(key_der: &[u8]) -> usize {
    let Ok(key) = RsaPublicKey::from_der(key_der) else {
        return 0;
    };
    let modulus = key.modulus.as_bytes();
    let start = modulus
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(modulus.len());
    let modulus = &modulus[start..];
    modulus.first().map_or(0, |top| {
        modulus.len() * 8 - usize::try_from(top.leading_zeros()).unwrap_or(0)
    })
}

/// Whether `ring` takes this PKCS#1 `RSAPublicKey`: a modulus of 2048 to 8192 bits.
pub fn fits(key_der: &[u8]) -> bool {
    BITS.contains(&modulus_bits(key_der))
}

/// Checks `signature` over `signed` with the PKCS#1 `RSAPublicKey` `key_der`.
pub fn verify(key_der: &[u8], hash: RsaHash, signed: &[u8], signature: &[u8]) -> bool {
    let parameters: &'static RsaParameters = match hash {
        RsaHash::Sha1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        RsaHash::Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        RsaHash::Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        RsaHash::Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
    };
    UnparsedPublicKey::new(parameters, key_der)
        .verify(signed, signature)
        .is_ok()
}
