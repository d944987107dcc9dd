//! Checks a signature the way the portal does: with the certificate's public key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use der::{Decode, Encode};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::Sha256;
use x509_cert::Certificate;

/// Panics unless `signature_b64` is an RSA PKCS#1 v1.5 SHA-256 signature over `data`
/// by the key in `cert_b64`.
pub fn verify_with_cert(cert_b64: &str, data: &[u8], signature_b64: &str) {
    let cert = Certificate::from_der(&STANDARD.decode(cert_b64).unwrap()).unwrap();
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    let key = RsaPublicKey::from_public_key_der(&spki).unwrap();
    let signature =
        Signature::try_from(STANDARD.decode(signature_b64).unwrap().as_slice()).unwrap();
    VerifyingKey::<Sha256>::new(key)
        .verify(data, &signature)
        .expect("the signature must verify against the certificate's key");
}
