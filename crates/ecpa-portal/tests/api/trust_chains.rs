//! Chain building on the real GPKI CA certificates: issuers are found by key identifier
//! and proven by signature (RSA SHA-1/SHA-256, ECDSA P-384), never by name alone.

use ecpa_portal::pki::{CertCheckError, ParsedCert, TrustStore, pem_blocks};
use time::macros::datetime;

const NOW: i64 = datetime!(2026-03-10 02:00 UTC).unix_timestamp();

fn der(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/tw-pki/{name}.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    pem_blocks(&bytes, "CERTIFICATE").unwrap().remove(0)
}

fn store(names: &[&str]) -> TrustStore {
    let mut store = TrustStore::default();
    for name in names {
        store.add_ca(&der(name)).unwrap();
    }
    store
}

fn chain_names(
    store: &TrustStore,
    leaf: &str,
    now: i64,
    names: &[&str],
) -> Result<Vec<String>, CertCheckError> {
    let cert = ParsedCert::parse(&der(leaf)).unwrap();
    let fingerprints: Vec<(String, [u8; 32])> = names
        .iter()
        .map(|n| {
            (
                n.to_string(),
                ParsedCert::parse(&der(n)).unwrap().fingerprint,
            )
        })
        .collect();
    store.chain(&cert, now).map(|chain| {
        chain
            .iter()
            .map(|c| {
                fingerprints
                    .iter()
                    .find(|(_, f)| *f == c.fingerprint)
                    .map(|(n, _)| n.clone())
                    .unwrap()
            })
            .collect()
    })
}

#[test]
fn moica_g2_chains_to_grca_g2() {
    let names = ["grca-g1", "grca-g2", "grca-g3"];
    let store = store(&names);
    assert_eq!(
        chain_names(&store, "moica-g2", NOW, &names),
        Ok(vec!["grca-g2".to_owned()])
    );
}

#[test]
fn moica_g2_chains_to_grca_g1_through_the_cross_certificate() {
    // GRCA G1 and G2 share a name; only the key identifier and signature tell them apart.
    let names = ["grca-g1", "grca-g2-cross-signed-by-g1"];
    let store = store(&names);
    assert_eq!(
        chain_names(&store, "moica-g2", NOW, &names),
        Ok(vec![
            "grca-g2-cross-signed-by-g1".to_owned(),
            "grca-g1".to_owned()
        ])
    );
}

#[test]
fn a_root_with_the_same_name_but_another_key_is_not_an_issuer() {
    let names = ["grca-g1", "grca-g3"];
    let store = store(&names);
    assert_eq!(
        chain_names(&store, "moica-g2", NOW, &names),
        Err(CertCheckError::Untrusted)
    );
    assert_eq!(
        chain_names(&store, "moica-g3", NOW, &names),
        Ok(vec!["grca-g3".to_owned()])
    );
}

#[test]
fn company_ca_chains_both_ways() {
    let names = ["grca-g1", "grca-g2", "grca-g2-cross-signed-by-g1"];
    let store = store(&names);
    assert!(chain_names(&store, "moeaca-g2", NOW, &names).is_ok());
}

#[test]
fn sha1_is_trusted_only_on_the_root_s_own_certificates() {
    // GRCA G1 is self-signed with SHA-1 and still anchors; its SHA-1 cross certificate
    // for the G2 key is self-issued and still carries MOICA G2 (see above).
    assert!(ParsedCert::parse(&der("grca-g1")).unwrap().is_self_signed());
    // MOICA G1 is SHA-1 signed by G1: refused whenever, even while it was valid.
    let names = ["grca-g1"];
    let store = store(&names);
    let in_2020 = datetime!(2020-01-01 00:00 UTC).unix_timestamp();
    for now in [in_2020, NOW] {
        assert_eq!(
            chain_names(&store, "moica-g1", now, &names),
            Err(CertCheckError::Untrusted)
        );
    }
}

#[test]
fn an_expired_intermediate_is_refused_as_expired() {
    let names = ["grca-g2"];
    let store = store(&names);
    let in_2040 = datetime!(2040-01-01 00:00 UTC).unix_timestamp();
    assert_eq!(
        store.check_signing_certificate(&ParsedCert::parse(&der("moica-g2")).unwrap(), in_2040),
        Err(CertCheckError::Expired)
    );
}

#[test]
fn ecdsa_p384_root_is_self_signed() {
    let root = ParsedCert::parse(&der("gtestca-root-g4")).unwrap();
    assert!(root.is_self_signed());
    let cross = ParsedCert::parse(&der("grca-g2-cross-signed-by-g1")).unwrap();
    assert!(
        !cross.is_self_signed(),
        "same subject and issuer, but signed by G1's key"
    );
    let g1 = ParsedCert::parse(&der("grca-g1")).unwrap();
    assert!(cross.is_signed_by(&g1));
}
