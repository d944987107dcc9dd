//! Certificates as the SPA and the portal read them, and CRLs as the portal loads them.

use std::sync::OnceLock;

use ecpa_portal::pki::{ParsedCert, TrustStore, pem_blocks};

/// A DER certificate, or PEM text holding some.
pub fn cert(data: &[u8]) {
    let _ = ecpa_cert::parse_der(data);
    if let Ok(cert) = ParsedCert::parse(data) {
        let _ = ecpa_cert::profile_of(&cert.cert);
        let _ = (
            cert.identity_hex(),
            cert.serial_hex(),
            cert.is_self_signed(),
        );
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(blocks) = ecpa_cert::parse_pem_chain(text)
    {
        for der in blocks {
            let _ = ecpa_cert::parse_der(&der);
        }
    }
}

/// The CA certificates the CRL target's store trusts: the demo PKI's (whose CRL seeds
/// the corpus, so its signature checks pass) and the real GRCA.
const ANCHORS: [&[u8]; 2] = [
    include_bytes!("../fixtures/demo-trust-anchors.pem"),
    include_bytes!("../../ecpa-portal/tests/fixtures/tw-pki/grca-g2.pem"),
];

fn anchors() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = TrustStore::default();
        for pem in ANCHORS {
            for der in pem_blocks(pem, "CERTIFICATE").unwrap_or_default() {
                let _ = store.add_ca(&der);
            }
        }
        store
    })
}

/// A CRL file (PEM or DER) loaded into a store of trusted CAs, then one certificate
/// checked against what was loaded.
pub fn crl(data: &[u8]) {
    let Ok(blocks) = pem_blocks(data, "X509 CRL") else {
        return;
    };
    let mut store = anchors().clone();
    for der in blocks {
        let _ = store.add_crl(&der);
    }
    let _ = store.stale_crls(0);
    let _ = store.keep_newer_crls(anchors());
}
