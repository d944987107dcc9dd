//! SHA-1 is trusted only on a trust anchor's self-signature: a card certificate, an
//! intermediate CA certificate or a CRL that a CA signed with SHA-1 is refused.

use der::{Any, Decode, Encode, asn1::BitString, oid::ObjectIdentifier};
use ecpa_portal::pki::{CertCheckError, ParsedCert, TrustStore, pem_blocks};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, pkcs8::DecodePrivateKey};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use time::Duration;
use x509_cert::{Certificate, crl::CertificateList};

use crate::support::*;

const NAME: &str = "林志明";
const SHA1_RSA: &str = "1.2.840.113549.1.1.5";
const SHA256_RSA: &str = "1.2.840.113549.1.1.11";

/// The private key of a demo CA.
fn private_key(ca: &ecpa_devcard::Ca) -> RsaPrivateKey {
    let pem = ca.key().to_pkcs8_pem().unwrap();
    RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
}

fn algorithm(oid: &str) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(oid),
        parameters: Some(Any::null()),
    }
}

/// A PKCS#1 v1.5 signature over `tbs` with `oid`'s hash (SHA-1 or SHA-256).
fn sign(key: &RsaPrivateKey, tbs: &[u8], oid: &str) -> BitString {
    let signature = if oid == SHA1_RSA {
        key.sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(tbs))
    } else {
        key.sign(
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            &sha2::Sha256::digest(tbs),
        )
    };
    BitString::from_bytes(&signature.unwrap()).unwrap()
}

/// `der` (a certificate issued by `ca`) signed again by `ca` with `oid`.
pub fn resign_certificate(ca: &ecpa_devcard::Ca, der: &[u8], oid: &str) -> Vec<u8> {
    let mut cert = Certificate::from_der(der).unwrap();
    cert.tbs_certificate.signature = algorithm(oid);
    cert.signature_algorithm = algorithm(oid);
    cert.signature = sign(
        &private_key(ca),
        &cert.tbs_certificate.to_der().unwrap(),
        oid,
    );
    cert.to_der().unwrap()
}

/// `der` (a CRL of the MOICA-profile CA) signed again by that CA with `oid`.
pub fn resign_crl(der: &[u8], oid: &str) -> Vec<u8> {
    let mut crl = CertificateList::from_der(der).unwrap();
    crl.tbs_cert_list.signature = algorithm(oid);
    crl.signature_algorithm = algorithm(oid);
    crl.signature = sign(
        &private_key(&pkis().rsa.moica),
        &crl.tbs_cert_list.to_der().unwrap(),
        oid,
    );
    crl.to_der().unwrap()
}

#[tokio::test]
async fn a_card_certificate_signed_with_sha1_is_refused() {
    let app = spawn_app().await;
    let id = national_id(91);
    app.add_employee("emp", Person::clerk(&id, NAME)).await;
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    let mut card = citizen_card(NAME, &id);
    let store = app.state.trust();
    let now = NOW.unix_timestamp();
    let sha256 = resign_certificate(&pkis().rsa.moica, &card.signing_cert_der, SHA256_RSA);
    assert_eq!(
        store.check_signing_certificate(&ParsedCert::parse(&sha256).unwrap(), now),
        Ok(()),
        "the same certificate signed with SHA-256 passes"
    );
    card.signing_cert_der = resign_certificate(&pkis().rsa.moica, &card.signing_cert_der, SHA1_RSA);
    assert_eq!(
        store.check_signing_certificate(&ParsedCert::parse(&card.signing_cert_der).unwrap(), now),
        Err(CertCheckError::Untrusted)
    );
    browser
        .register(&card, "citizen", None)
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
}

#[tokio::test]
async fn a_crl_signed_with_sha1_is_not_loaded() {
    let app = spawn_app().await;
    let crl = pkis()
        .rsa
        .moica
        .crl(&[], NOW, NOW + Duration::days(7))
        .unwrap();
    std::fs::write(app.crl_path(), resign_crl(&crl, SHA256_RSA)).unwrap();
    app.trust_files().load().unwrap();
    std::fs::write(app.crl_path(), resign_crl(&crl, SHA1_RSA)).unwrap();
    let refused = app.trust_files().load().unwrap_err().to_string();
    assert!(refused.contains("SHA-1"), "{refused}");
}

#[test]
fn an_intermediate_ca_signed_with_sha1_is_refused() {
    let p = &pkis().rsa;
    let card = citizen_card(NAME, &national_id(92));
    let cert = ParsedCert::parse(&card.signing_cert_der).unwrap();
    let moica =
        ParsedCert::parse(&pem_blocks(p.moica.cert_pem().as_bytes(), "CERTIFICATE").unwrap()[0])
            .unwrap();
    let root = pem_blocks(p.root.cert_pem().as_bytes(), "CERTIFICATE")
        .unwrap()
        .remove(0);
    let store_with = |intermediate: Vec<u8>| {
        let mut store = TrustStore::default();
        store.add_ca(&root).unwrap();
        store.add_ca(&intermediate).unwrap();
        store
    };
    let now = NOW.unix_timestamp();
    let sha256 = store_with(resign_certificate(&p.root, &moica.der, SHA256_RSA));
    assert_eq!(sha256.check_signing_certificate(&cert, now), Ok(()));
    let sha1 = store_with(resign_certificate(&p.root, &moica.der, SHA1_RSA));
    assert_eq!(
        sha1.check_signing_certificate(&cert, now),
        Err(CertCheckError::Untrusted)
    );
}
