//! Checks signatures the way a relying site does: PKCS#1 with the certificate's
//! public key, PKCS#7 with `openssl cms -verify`.

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

/// Panics unless `p7_b64` is a PKCS#7 SignedData that `openssl cms -verify` accepts
/// against the CA certificates in `ca_pem`, whose encapsulated content is `data`
/// and whose signer is the certificate `cert_der`.
pub fn verify_pkcs7(p7_b64: &str, data: &[u8], cert_der: &[u8], ca_pem: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("p7.der"), STANDARD.decode(p7_b64).unwrap()).unwrap();
    std::fs::write(path("ca.pem"), ca_pem).unwrap();
    let output = std::process::Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(path("p7.der"))
        .arg("-CAfile")
        .arg(path("ca.pem"))
        .arg("-out")
        .arg(path("content"))
        .arg("-signer")
        .arg(path("signer.pem"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl cms -verify: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read(path("content")).unwrap(),
        data,
        "signed content"
    );
    let signer = std::fs::read_to_string(path("signer.pem")).unwrap();
    let signer = x509_cert::Certificate::load_pem_chain(signer.as_bytes()).unwrap();
    assert_eq!(signer.len(), 1);
    assert_eq!(signer[0].to_der().unwrap(), cert_der, "signer certificate");
}
