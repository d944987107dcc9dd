//! Card certificates from the demo PKI (MOICA profile) for public keys that live on
//! a token or in the fake card.

use std::sync::LazyLock;

use ecpa_devcard::{DemoPki, LeafSpec, LeafSubject, LeafUsage, RootAlgorithm};
use rsa::RsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use time::OffsetDateTime;

/// One demo PKI for the whole test binary (RSA key generation is slow).
pub static TEST_PKI: LazyLock<DemoPki> = LazyLock::new(|| {
    DemoPki::generate(
        RootAlgorithm::Rsa2048,
        "agent tests",
        OffsetDateTime::now_utc(),
        &mut rand::rngs::OsRng,
    )
    .unwrap()
});

/// What goes into a citizen card certificate.
pub struct CardCert<'a> {
    pub name: &'a str,
    pub id_last4: Option<&'a str>,
    pub signing: bool,
    pub serial: u64,
    /// Unix seconds.
    pub not_before: u64,
    pub not_after: u64,
}

/// A MOICA-profile certificate for `spki_der` (a SubjectPublicKeyInfo).
pub fn issue(spki_der: &[u8], cert: &CardCert<'_>) -> Vec<u8> {
    let time = |unix: u64| OffsetDateTime::from_unix_timestamp(unix as i64).unwrap();
    let spec = LeafSpec {
        subject: LeafSubject::Citizen {
            name: cert.name.into(),
            card_serial: "0000123456789012".into(),
            id_last4: cert.id_last4.map(Into::into),
        },
        usage: if cert.signing {
            LeafUsage::Signing
        } else {
            LeafUsage::Encryption
        },
        serial: cert.serial.to_be_bytes().to_vec(),
        not_before: time(cert.not_before),
        not_after: time(cert.not_after),
        ocsp_url: None,
    };
    TEST_PKI.moica.issue(&spec, spki_der).unwrap()
}

/// SubjectPublicKeyInfo DER of an in-memory key (for the fake card).
pub fn spki_of(key: &RsaPrivateKey) -> Vec<u8> {
    key.to_public_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// Unix seconds now (the tests' own clock for certificate dates).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub const DAY: u64 = 86_400;
