//! SHA-1 is trusted only on a trust anchor's self-signature: a card certificate, an
//! intermediate CA certificate or a CRL that a CA signed with SHA-1 is refused; so is
//! an RSA key under 2048 bits on a card or a CA of its path.

use der::{Any, Decode, Encode, asn1::BitString, oid::ObjectIdentifier};
use ecpa_devcard::SoftwareCard;
use ecpa_portal::pki::{CertCheckError, ParsedCert, TrustStore, pem_blocks};
use rand::{SeedableRng, rngs::StdRng};
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey,
    pkcs8::{DecodePrivateKey, EncodePublicKey},
};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use time::Duration;
use x509_cert::{Certificate, crl::CertificateList};

use crate::support::*;

const NAME: &str = "林志明";
const SHA1_RSA: &str = "1.2.840.113549.1.1.5";
pub const SHA256_RSA: &str = "1.2.840.113549.1.1.11";

/// The private key of a demo CA.
pub fn private_key(ca: &ecpa_devcard::Ca) -> RsaPrivateKey {
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
    resign_with(&private_key(ca), der, |_| {}, oid)
}

/// `der` changed by `edit` and signed by `key` with `oid`.
pub fn resign_with(
    key: &RsaPrivateKey,
    der: &[u8],
    edit: impl FnOnce(&mut Certificate),
    oid: &str,
) -> Vec<u8> {
    let mut cert = Certificate::from_der(der).unwrap();
    edit(&mut cert);
    cert.tbs_certificate.signature = algorithm(oid);
    cert.signature_algorithm = algorithm(oid);
    cert.signature = sign(key, &cert.tbs_certificate.to_der().unwrap(), oid);
    cert.to_der().unwrap()
}

/// `der` (a CRL of the MOICA-profile CA) changed by `edit` and signed again by that CA
/// with `oid`.
pub fn resign_crl(der: &[u8], edit: impl FnOnce(&mut CertificateList), oid: &str) -> Vec<u8> {
    let mut crl = CertificateList::from_der(der).unwrap();
    edit(&mut crl);
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
    let mut browser = clerk_logged_in(&app, &id, NAME).await;
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
    std::fs::write(app.crl_path(), resign_crl(&crl, |_| {}, SHA256_RSA)).unwrap();
    app.trust_files().load().unwrap();
    std::fs::write(app.crl_path(), resign_crl(&crl, |_| {}, SHA1_RSA)).unwrap();
    let refused = app.trust_files().load().map(drop).unwrap_err().to_string();
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
    assert!(sha256.card_chain(&cert, now).is_ok());
    let sha1 = store_with(resign_certificate(&p.root, &moica.der, SHA1_RSA));
    assert_eq!(
        sha1.card_chain(&cert, now).map(drop),
        Err(CertCheckError::Untrusted)
    );
}

fn rsa_1024() -> RsaPrivateKey {
    RsaPrivateKey::new(&mut StdRng::seed_from_u64(1024), 1024).unwrap()
}

#[tokio::test]
async fn a_card_with_an_rsa_key_under_2048_bits_is_refused() {
    let app = spawn_app().await;
    let id = national_id(93);
    let mut browser = clerk_logged_in(&app, &id, NAME).await;
    let card = SoftwareCard::issue_for_key(
        &pkis().rsa.moica,
        citizen_subject(NAME, Some(&id[6..])),
        rsa_1024(),
        NOW - Duration::days(1),
        NOW + Duration::days(30),
        &mut StdRng::seed_from_u64(93),
    )
    .unwrap();
    browser
        .register(&card, "citizen", None)
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
}

#[test]
fn a_ca_with_an_rsa_key_under_2048_bits_is_not_on_any_path() {
    let p = &pkis().rsa;
    let card = citizen_card(NAME, &national_id(94));
    let moica = pem_blocks(p.moica.cert_pem().as_bytes(), "CERTIFICATE")
        .unwrap()
        .remove(0);
    let root = pem_blocks(p.root.cert_pem().as_bytes(), "CERTIFICATE")
        .unwrap()
        .remove(0);
    // The MOICA-profile CA, same names and key identifier, with `key` instead.
    let with_key = |key: &RsaPrivateKey| {
        let spki = key.to_public_key().to_public_key_der().unwrap();
        let intermediate = resign_with(
            &private_key(&p.root),
            &moica,
            |c| {
                c.tbs_certificate.subject_public_key_info =
                    spki::SubjectPublicKeyInfoOwned::from_der(spki.as_bytes()).unwrap();
            },
            SHA256_RSA,
        );
        let card = resign_with(key, &card.signing_cert_der, |_| {}, SHA256_RSA);
        let mut store = TrustStore::default();
        store.add_ca(&root).unwrap();
        store.add_ca(&intermediate).unwrap();
        store
            .card_chain(&ParsedCert::parse(&card).unwrap(), NOW.unix_timestamp())
            .map(drop)
    };
    let strong = RsaPrivateKey::new(&mut StdRng::seed_from_u64(2048), 2048).unwrap();
    assert_eq!(with_key(&strong), Ok(()));
    assert_eq!(with_key(&rsa_1024()), Err(CertCheckError::Untrusted));
}
