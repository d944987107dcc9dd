//! The demo PKI, read back with ecpa-cert and x509-cert and checked with rsa/p384
//! signature verification: what the portal and the agent will rely on.

use std::sync::OnceLock;

use der::{Decode, Encode};
use ecpa_cert::{CertProfile, SubjectCategory};
use ecpa_devcard::pki::{
    CATEGORY_AGENCY, CATEGORY_CITIZEN, Ca, DEMO_POLICY, DemoPki, LeafSpec, LeafSubject, LeafUsage,
    PkiError, RootAlgorithm, SoftwareCard, random_serial,
};
use ecpa_wire::CardKind;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
use signature::Verifier;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::BasicConstraints;

const NOW: OffsetDateTime = datetime!(2026-11-27 03:00:00 UTC);
const LABEL: &str = "Test";

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// RSA key generation is slow: each PKI and the card key are made once per run.
fn rsa_pki() -> &'static DemoPki {
    static PKI: OnceLock<DemoPki> = OnceLock::new();
    PKI.get_or_init(|| DemoPki::generate(RootAlgorithm::Rsa2048, LABEL, NOW, &mut rng(1)).unwrap())
}

fn p384_pki() -> &'static DemoPki {
    static PKI: OnceLock<DemoPki> = OnceLock::new();
    PKI.get_or_init(|| {
        DemoPki::generate(RootAlgorithm::EcdsaP384, LABEL, NOW, &mut rng(2)).unwrap()
    })
}

fn card_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rng(3), 2048).unwrap())
}

fn card_public_key_der() -> Vec<u8> {
    card_key()
        .to_public_key()
        .to_public_key_der()
        .unwrap()
        .into_vec()
}

fn profile(der: &[u8]) -> CertProfile {
    ecpa_cert::parse_der(der).unwrap()
}

/// Checks `signature` over `message` with the key in `issuer_cert`: RSA PKCS#1 v1.5
/// SHA-256 or ECDSA P-384 SHA-384, by the issuer's key type.
fn verify_with(issuer_cert: &[u8], message: &[u8], signature: &[u8]) {
    let issuer = Certificate::from_der(issuer_cert).unwrap();
    let spki = issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    match issuer
        .tbs_certificate
        .subject_public_key_info
        .algorithm
        .oid
        .to_string()
        .as_str()
    {
        "1.2.840.113549.1.1.1" => {
            let key =
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::from_public_key_der(&spki).unwrap();
            let signature = rsa::pkcs1v15::Signature::try_from(signature).unwrap();
            key.verify(message, &signature).unwrap();
        }
        "1.2.840.10045.2.1" => {
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
            let signature = p384::ecdsa::Signature::from_der(signature).unwrap();
            key.verify(message, &signature).unwrap();
        }
        other => panic!("unexpected key algorithm {other}"),
    }
}

/// Verifies `cert_der`'s signature under `issuer_cert`'s key.
fn assert_issued_by(cert_der: &[u8], issuer_cert: &[u8]) {
    let cert = Certificate::from_der(cert_der).unwrap();
    let tbs = cert.tbs_certificate.to_der().unwrap();
    verify_with(issuer_cert, &tbs, cert.signature.raw_bytes());
    let issuer = profile(issuer_cert);
    let issued = profile(cert_der);
    assert_eq!(issued.issuer, issuer.subject);
    if cert_der != issuer_cert {
        // Self-signed roots carry no AKI, as GRCA's and GTestCA's.
        assert_eq!(issued.authority_key_id, issuer.subject_key_id);
    }
}

fn citizen(id_last4: Option<&str>) -> LeafSubject {
    LeafSubject::Citizen {
        name: "王小明".into(),
        card_serial: "1234567890123456".into(),
        id_last4: id_last4.map(Into::into),
    }
}

fn spec(subject: LeafSubject, usage: LeafUsage, serial: &[u8]) -> LeafSpec {
    LeafSpec {
        subject,
        usage,
        serial: serial.to_vec(),
        not_before: datetime!(2026-01-01 00:00:00 UTC),
        not_after: datetime!(2028-01-01 00:00:00 UTC),
        ocsp_url: None,
    }
}

#[test]
fn both_root_algorithms_make_a_gpki_shaped_hierarchy() {
    for (pki, algorithm) in [
        (rsa_pki(), "1.2.840.113549.1.1.11"),
        (p384_pki(), "1.2.840.10045.4.3.3"),
    ] {
        let root = profile(&pki.root.cert_der);
        assert_eq!(
            root.subject.display(),
            "C=TW, O=行政院, CN=(測試用) Government Root Certification Authority - Test"
        );
        assert_eq!(root.issuer, root.subject);
        assert!(root.is_ca);
        assert_eq!(root.kind, None);
        assert_eq!(root.authority_key_id, None);
        assert_eq!(root.subject_key_id.as_deref(), Some(pki.root.key_id()));
        assert_eq!(root.not_before, (NOW - Duration::days(1)).unix_timestamp());
        assert_eq!(
            root.not_after,
            (NOW + Duration::days(7300)).unix_timestamp()
        );
        assert_issued_by(&pki.root.cert_der, &pki.root.cert_der);

        for (ca, unit) in [
            (&pki.moica, "內政部憑證管理中心"),
            (&pki.gca, "政府憑證管理中心"),
        ] {
            let p = profile(&ca.cert_der);
            assert_eq!(
                p.subject.display(),
                format!("C=TW, O=行政院, OU=(測試用) {unit}")
            );
            assert!(p.is_ca);
            let ku = p.key_usage.unwrap();
            assert!(ku.key_cert_sign && ku.crl_sign && !ku.digital_signature);
            assert_eq!(p.policies, [DEMO_POLICY]);
            let cert = Certificate::from_der(&ca.cert_der).unwrap();
            let (critical, constraints) = cert
                .tbs_certificate
                .get::<BasicConstraints>()
                .unwrap()
                .unwrap();
            assert!(critical && constraints.ca);
            assert_eq!(constraints.path_len_constraint, Some(0));
            assert_eq!(cert.signature_algorithm.oid.to_string(), algorithm);
            assert_issued_by(&ca.cert_der, &pki.root.cert_der);
        }
    }
}

#[test]
fn citizen_signing_certificate_reads_as_a_moica_card() {
    let pki = rsa_pki();
    // High bit set: encoded with a leading zero byte, shown without it.
    let serial = [
        0x88, 0xd0, 0x5a, 0x1c, 0x8b, 0xcd, 0x28, 0x0a, 0xc7, 0x38, 0x7e, 0xc8, 0xf4, 0x02, 0x60,
        0xd4,
    ];
    let spec = spec(citizen(Some("1234")), LeafUsage::Signing, &serial);
    let der = pki.moica.issue(&spec, &card_public_key_der()).unwrap();

    let p = profile(&der);
    assert_eq!(p.kind, Some(CardKind::Citizen));
    assert_eq!(p.category, SubjectCategory::Citizen);
    assert_eq!(
        p.subject.display(),
        "C=TW, CN=王小明, serialNumber=1234567890123456"
    );
    assert_eq!(p.id_last4.as_deref(), Some("1234"));
    assert_eq!(p.subject_category_oid.as_deref(), Some(CATEGORY_CITIZEN));
    assert_eq!(p.card_role.as_deref(), Some("primary"));
    assert_eq!(p.serial_hex, "88d05a1c8bcd280ac7387ec8f40260d4");
    assert_eq!(
        ecpa_cert::unix_to_rfc3339(p.not_before),
        "2026-01-01T00:00:00Z"
    );
    assert_eq!(
        ecpa_cert::unix_to_rfc3339(p.not_after),
        "2028-01-01T00:00:00Z"
    );
    let ku = p.key_usage.unwrap();
    assert!(ku.digital_signature && ku.non_repudiation);
    assert!(!ku.key_encipherment && !ku.data_encipherment && !ku.key_cert_sign);
    assert!(!p.is_ca);
    assert_eq!(p.policies, [DEMO_POLICY]);
    assert_issued_by(&der, &pki.moica.cert_der);

    let cert = Certificate::from_der(&der).unwrap();
    assert_eq!(
        cert.tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap(),
        card_public_key_der()
    );
    // Real card certificates carry no basicConstraints.
    assert!(
        cert.tbs_certificate
            .get::<BasicConstraints>()
            .unwrap()
            .is_none()
    );
}

#[test]
fn citizen_without_id_digits_has_no_id_attribute() {
    let spec = spec(citizen(None), LeafUsage::Encryption, &[0x01, 0x02]);
    let p = profile(
        &rsa_pki()
            .moica
            .issue(&spec, &card_public_key_der())
            .unwrap(),
    );
    assert_eq!(p.id_last4, None);
    assert_eq!(p.kind, Some(CardKind::Citizen));
    assert!(!p.is_signing());
    let ku = p.key_usage.unwrap();
    assert!(ku.key_encipherment && ku.data_encipherment);
}

#[test]
fn organization_certificate_reads_as_a_gca_card() {
    for pki in [rsa_pki(), p384_pki()] {
        let subject = LeafSubject::Organization {
            org: "行政院".into(),
            unit: Some("人事行政局".into()),
            agency_oid: "2.16.886.101.20003.20012".into(),
        };
        let der = pki
            .gca
            .issue(
                &spec(subject, LeafUsage::Signing, &[0x42; 16]),
                &card_public_key_der(),
            )
            .unwrap();
        let p = profile(&der);
        assert_eq!(p.kind, Some(CardKind::Organization));
        assert_eq!(p.category, SubjectCategory::GovernmentAgency);
        assert_eq!(p.subject.display(), "C=TW, O=行政院, OU=人事行政局");
        assert_eq!(p.agency_oid.as_deref(), Some("2.16.886.101.20003.20012"));
        assert_eq!(p.subject_category_oid.as_deref(), Some(CATEGORY_AGENCY));
        assert_eq!(p.id_last4, None);
        assert!(p.is_signing());
        assert_eq!(p.serial_hex, "42".repeat(16));
        assert_issued_by(&der, &pki.gca.cert_der);
    }

    let without_unit = LeafSubject::Organization {
        org: "測試機關1".into(),
        unit: None,
        agency_oid: "2.16.886.1.101.90007.20001".into(),
    };
    let der = rsa_pki()
        .gca
        .issue(
            &spec(without_unit, LeafUsage::Signing, &[7]),
            &card_public_key_der(),
        )
        .unwrap();
    assert_eq!(profile(&der).subject.display(), "C=TW, O=測試機關1");
}

#[test]
fn bad_requests_are_refused_with_their_codes() {
    let ca = &rsa_pki().moica;
    let key = card_public_key_der();
    let code = |spec: &LeafSpec, key: &[u8]| ca.issue(spec, key).unwrap_err().code();

    let short_serial = LeafSubject::Citizen {
        name: "王小明".into(),
        card_serial: "12345".into(),
        id_last4: None,
    };
    assert_eq!(
        code(&spec(short_serial, LeafUsage::Signing, &[1]), &key),
        "PKI_SUBJECT"
    );
    assert_eq!(
        code(&spec(citizen(Some("12a4")), LeafUsage::Signing, &[1]), &key),
        "PKI_SUBJECT"
    );
    let bad_oid = LeafSubject::Organization {
        org: "行政院".into(),
        unit: None,
        agency_oid: "人事行政局".into(),
    };
    assert_eq!(
        code(&spec(bad_oid, LeafUsage::Signing, &[1]), &key),
        "PKI_SUBJECT"
    );
    assert_eq!(
        code(&spec(citizen(None), LeafUsage::Signing, &[]), &key),
        "PKI_SERIAL"
    );
    assert_eq!(
        code(&spec(citizen(None), LeafUsage::Signing, &[0, 0]), &key),
        "PKI_SERIAL"
    );
    assert_eq!(
        code(&spec(citizen(None), LeafUsage::Signing, &[1; 21]), &key),
        "PKI_SERIAL"
    );
    assert_eq!(
        code(&spec(citizen(None), LeafUsage::Signing, &[1]), b"not a key"),
        "PKI_PUBLIC_KEY"
    );
    let mut backwards = spec(citizen(None), LeafUsage::Signing, &[1]);
    backwards.not_after = backwards.not_before;
    assert_eq!(code(&backwards, &key), "PKI_VALIDITY");
}

#[test]
fn validity_after_2049_is_generalized_time() {
    let mut long = spec(citizen(None), LeafUsage::Signing, &[1]);
    long.not_after = datetime!(2050-06-01 00:00:00 UTC);
    let der = rsa_pki()
        .moica
        .issue(&long, &card_public_key_der())
        .unwrap();
    let cert = Certificate::from_der(&der).unwrap();
    assert!(matches!(
        cert.tbs_certificate.validity.not_before,
        x509_cert::time::Time::UtcTime(_)
    ));
    assert!(matches!(
        cert.tbs_certificate.validity.not_after,
        x509_cert::time::Time::GeneralTime(_)
    ));
    assert_eq!(
        ecpa_cert::unix_to_rfc3339(profile(&der).not_after),
        "2050-06-01T00:00:00Z"
    );
}

#[test]
fn crl_lists_revoked_serials_and_verifies_under_the_ca() {
    for pki in [rsa_pki(), p384_pki()] {
        for ca in [&pki.moica, &pki.root] {
            check_crl(ca);
        }
    }
}

fn check_crl(ca: &Ca) {
    let this_update = datetime!(2026-11-27 00:00:00 UTC);
    let next_update = datetime!(2026-11-28 00:00:00 UTC);
    let revoked = vec![vec![0x88, 0xd0, 0x01], vec![0x05]];
    let der = ca.crl(&revoked, this_update, next_update).unwrap();
    let crl = CertificateList::from_der(&der).unwrap();
    let tbs = &crl.tbs_cert_list;
    assert_eq!(&tbs.issuer, ca.name());
    let listed: Vec<Vec<u8>> = tbs
        .revoked_certificates
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.serial_number.as_bytes().to_vec())
        .collect();
    // x509-cert keeps the sign byte of 0x88….
    assert_eq!(listed, [vec![0x00, 0x88, 0xd0, 0x01], vec![0x05]]);
    assert_eq!(
        tbs.this_update.to_unix_duration().as_secs(),
        this_update.unix_timestamp() as u64
    );
    assert_eq!(
        tbs.next_update.unwrap().to_unix_duration().as_secs(),
        next_update.unix_timestamp() as u64
    );
    verify_with(
        &ca.cert_der,
        &tbs.to_der().unwrap(),
        crl.signature.raw_bytes(),
    );

    let pem = ca.crl_pem(&revoked, this_update, next_update).unwrap();
    let (label, pem_der) = der::pem::decode_vec(pem.as_bytes()).unwrap();
    assert_eq!(label, "X509 CRL");
    assert_eq!(
        CertificateList::from_der(&pem_der).unwrap().tbs_cert_list,
        crl.tbs_cert_list
    );

    let empty = CertificateList::from_der(&ca.crl(&[], this_update, next_update).unwrap()).unwrap();
    assert!(empty.tbs_cert_list.revoked_certificates.is_none());
    assert_eq!(
        ca.crl(&[], next_update, this_update).unwrap_err().code(),
        "PKI_VALIDITY"
    );
}

#[test]
fn save_and_load_round_trip() {
    for pki in [rsa_pki(), p384_pki()] {
        let dir = tempfile::tempdir().unwrap();
        pki.save(dir.path()).unwrap();
        let loaded = DemoPki::load(dir.path()).unwrap();
        for (saved, read) in [
            (&pki.root, &loaded.root),
            (&pki.moica, &loaded.moica),
            (&pki.gca, &loaded.gca),
        ] {
            assert_eq!(read.cert_der, saved.cert_der);
            assert_eq!(read.name(), saved.name());
            assert_eq!(read.key_id(), saved.key_id());
        }
        // The loaded keys still sign under the saved certificates.
        let spec = spec(citizen(Some("5678")), LeafUsage::Signing, &[9; 16]);
        let der = loaded.moica.issue(&spec, &card_public_key_der()).unwrap();
        assert_issued_by(&der, &pki.moica.cert_der);
        let crl =
            CertificateList::from_der(&loaded.root.crl(&[], NOW, NOW + Duration::days(1)).unwrap())
                .unwrap();
        verify_with(
            &pki.root.cert_der,
            &crl.tbs_cert_list.to_der().unwrap(),
            crl.signature.raw_bytes(),
        );

        let anchors = std::fs::read_to_string(dir.path().join("trust-anchors.pem")).unwrap();
        assert_eq!(anchors, pki.trust_anchors_pem());
        assert_eq!(
            ecpa_cert::parse_pem_chain(&anchors).unwrap(),
            [
                pki.root.cert_der.clone(),
                pki.moica.cert_der.clone(),
                pki.gca.cert_der.clone()
            ]
        );
        for file in ["root.pem", "moica.pem", "gca.pem"] {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            assert_eq!(
                ecpa_cert::parse_pem_chain(&text).unwrap().len(),
                1,
                "{file}"
            );
        }
        #[cfg(unix)]
        for file in ["root.key", "moica.key", "gca.key"] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
}

#[test]
fn load_refuses_a_key_of_another_ca_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    rsa_pki().save(dir.path()).unwrap();
    std::fs::copy(dir.path().join("gca.key"), dir.path().join("moica.key")).unwrap();
    let err = DemoPki::load(dir.path()).unwrap_err();
    assert!(matches!(err, PkiError::KeyMismatch(_)), "{err:?}");

    std::fs::remove_file(dir.path().join("root.pem")).unwrap();
    assert_eq!(DemoPki::load(dir.path()).unwrap_err().code(), "PKI_IO");
}

#[test]
fn software_card_signs_under_its_signing_certificate() {
    let pki = rsa_pki();
    let card = SoftwareCard::issue_for_key(
        &pki.moica,
        citizen(Some("1234")),
        card_key().clone(),
        datetime!(2026-01-01 00:00:00 UTC),
        datetime!(2028-01-01 00:00:00 UTC),
        &mut rng(4),
    )
    .unwrap();
    let signing = profile(&card.signing_cert_der);
    let encryption = profile(&card.encryption_cert_der);
    assert!(signing.is_signing());
    assert!(!encryption.is_signing());
    assert_ne!(signing.serial_hex, encryption.serial_hex);
    assert_eq!(signing.serial_hex.len(), 32);
    assert_issued_by(&card.signing_cert_der, &pki.moica.cert_der);
    assert_issued_by(&card.encryption_cert_der, &pki.moica.cert_der);

    let message = "ECPA 登入挑戰".as_bytes();
    let signature = card.sign(message);
    verify_with(&card.signing_cert_der, message, &signature);
}

#[test]
fn software_card_makes_its_own_key() {
    let pki = p384_pki();
    let subject = LeafSubject::Organization {
        org: "行政院".into(),
        unit: Some("人事行政局".into()),
        agency_oid: "2.16.886.101.20003.20012".into(),
    };
    let card = SoftwareCard::issue(
        &pki.gca,
        subject,
        NOW,
        NOW + Duration::days(365),
        &mut rng(5),
    )
    .unwrap();
    assert_eq!(
        profile(&card.signing_cert_der).kind,
        Some(CardKind::Organization)
    );
    verify_with(&card.signing_cert_der, b"tbs", &card.sign(b"tbs"));
}

#[test]
fn random_serials_are_positive_128_bit() {
    let mut rng = rng(6);
    for _ in 0..64 {
        let serial = random_serial(&mut rng);
        assert_eq!(serial.len(), 16);
        assert!(serial[0] & 0x80 == 0 && serial[0] != 0);
    }
}
