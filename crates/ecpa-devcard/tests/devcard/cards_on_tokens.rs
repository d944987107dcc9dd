//! `ecpa-devcard card` and `demo` on real SoftHSM2 tokens, read back independently
//! (pkcs11-tool) and parsed with ecpa-cert: kind, serial, subject in stored order,
//! ID last-4 / agency OID, validity; the key on the token matches the certificate.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use der::{Decode, Encode};
use ecpa_cert::CertProfile;
use ecpa_wire::{CardKind, NationalId};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use signature::Verifier;
use tempfile::TempDir;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

const PIN: &str = "123456";

struct Store {
    dir: TempDir,
}

fn module() -> PathBuf {
    ecpa_devcard::softhsm::installed_module()
        .expect("SoftHSM2 is not installed (scripts/setup.sh installs it)")
}

impl Store {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("ecpa-devcard-")
            .tempdir()
            .unwrap();
        ecpa_devcard::softhsm::create_token_store(dir.path()).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `ecpa-devcard card` with this store (passed by flag only: the tool sets
    /// SOFTHSM2_CONF for itself); returns its output.
    fn card(&self, label: &str, extra: &[&str]) -> String {
        let pki = self.path("pki");
        let conf = self.path("softhsm2.conf");
        let mut args = vec![
            "card",
            "--pki",
            pki.to_str().unwrap(),
            "--softhsm-conf",
            conf.to_str().unwrap(),
            "--label",
            label,
            "--pin",
            PIN,
        ];
        args.extend_from_slice(extra);
        let output = Command::new(env!("CARGO_BIN_EXE_ecpa-devcard"))
            .args(&args)
            .env_remove("SOFTHSM2_CONF")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn tool(&self, label: &str, args: &[&str]) -> Vec<u8> {
        let module = module();
        let output = Command::new("pkcs11-tool")
            .args(["--module", module.to_str().unwrap(), "--token-label", label])
            .args(args)
            .env("SOFTHSM2_CONF", self.path("softhsm2.conf"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// The certificate with CKA_ID `id` on token `label`, read with pkcs11-tool.
    fn certificate(&self, label: &str, id: &str) -> Vec<u8> {
        let out = self.path(&format!("{label}-{id}.der"));
        self.tool(
            label,
            &[
                "--read-object",
                "--type",
                "cert",
                "--id",
                id,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        std::fs::read(out).unwrap()
    }

    /// Signs `data` on the token with the private key `id` (SHA256-RSA-PKCS).
    fn sign(&self, label: &str, id: &str, data: &[u8]) -> Vec<u8> {
        let input = self.path("data.bin");
        let out = self.path("sig.bin");
        std::fs::write(&input, data).unwrap();
        self.tool(
            label,
            &[
                "--login",
                "--pin",
                PIN,
                "--sign",
                "--mechanism",
                "SHA256-RSA-PKCS",
                "--id",
                id,
                "-i",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
        );
        std::fs::read(out).unwrap()
    }
}

fn parse(der: &[u8]) -> CertProfile {
    ecpa_cert::parse_der(der).unwrap()
}

fn assert_key_matches(store: &Store, label: &str, id: &str, cert_der: &[u8]) {
    let cert = Certificate::from_der(cert_der).unwrap();
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).unwrap();
    let signature = store.sign(label, id, b"ECPA challenge");
    VerifyingKey::<sha2::Sha256>::new(key)
        .verify(
            b"ECPA challenge",
            &Signature::try_from(signature.as_slice()).unwrap(),
        )
        .expect("the token's key must match its certificate");
}

#[test]
fn citizen_card_on_a_token() {
    let store = Store::new();
    let output = store.card(
        "citizen-wang",
        &[
            "--kind",
            "citizen",
            "--name",
            "王大明",
            "--national-id",
            "A123456789",
            "--card-serial",
            "0000123456789012",
            "--not-before",
            "2026-01-01",
            "--not-after",
            "2030-12-31T15:59:59Z",
        ],
    );

    let signing_der = store.certificate("citizen-wang", "01");
    let signing = parse(&signing_der);
    assert_eq!(signing.kind, Some(CardKind::Citizen));
    assert!(output.contains(&signing.serial_hex), "{output}");
    assert_eq!(
        signing.subject.display(),
        "C=TW, CN=王大明, serialNumber=0000123456789012"
    );
    assert_eq!(signing.id_last4.as_deref(), Some("6789"));
    assert!(signing.is_signing());
    assert_eq!(signing.not_before, 1_767_225_600); // 2026-01-01T00:00:00Z
    assert_eq!(signing.not_after, 1_924_963_199); // 2030-12-31T15:59:59Z
    assert!(signing.issuer.display().contains("內政部憑證管理中心"));

    let encryption = parse(&store.certificate("citizen-wang", "02"));
    assert!(!encryption.is_signing());
    assert!(encryption.key_usage.is_some_and(|k| k.key_encipherment));
    assert_ne!(encryption.serial_hex, signing.serial_hex);
    assert_eq!(encryption.subject, signing.subject);

    assert_key_matches(&store, "citizen-wang", "01", &signing_der);
    let anchors = std::fs::read_to_string(store.path("pki/trust-anchors.pem")).unwrap();
    assert_eq!(ecpa_cert::parse_pem_chain(&anchors).unwrap().len(), 3);
}

#[test]
fn organization_card_on_a_token() {
    let store = Store::new();
    store.card(
        "org",
        &[
            "--kind",
            "organization",
            "--name",
            "行政院人事行政總處",
            "--org",
            "行政院",
            "--unit",
            "人事行政總處",
            "--agency-oid",
            "2.16.886.101.20003.20012",
        ],
    );
    let der = store.certificate("org", "01");
    let signing = parse(&der);
    assert_eq!(signing.kind, Some(CardKind::Organization));
    assert_eq!(signing.subject.display(), "C=TW, O=行政院, OU=人事行政總處");
    assert_eq!(
        signing.agency_oid.as_deref(),
        Some("2.16.886.101.20003.20012")
    );
    assert_eq!(signing.id_last4, None);
    assert!(signing.issuer.display().contains("政府憑證管理中心"));
    assert_key_matches(&store, "org", "01", &der);
}

fn crl_serials(pem: &str) -> Vec<String> {
    let mut serials = Vec::new();
    for block in pem.split("-----BEGIN X509 CRL-----").skip(1) {
        let body: String = block
            .split("-----END")
            .next()
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let crl = CertificateList::from_der(&der).unwrap();
        for revoked in crl.tbs_cert_list.revoked_certificates.unwrap_or_default() {
            serials.push(hex::encode(revoked.serial_number.as_bytes()));
        }
    }
    serials
}

#[test]
fn revoked_and_untrusted_cards() {
    let store = Store::new();
    let citizen = [
        "--kind",
        "citizen",
        "--name",
        "吳建國",
        "--national-id",
        "E153456782",
    ];
    store.card("ok", &citizen);
    let crl = std::fs::read_to_string(store.path("pki/crl.pem")).unwrap();
    assert!(crl_serials(&crl).is_empty());
    assert_eq!(
        crl.matches("BEGIN X509 CRL").count(),
        2,
        "one CRL each from MOICA and the GCA"
    );

    let mut revoked = citizen.to_vec();
    revoked.push("--revoked");
    store.card("revoked", &revoked);
    let serial = parse(&store.certificate("revoked", "01")).serial_hex;
    let crl = std::fs::read_to_string(store.path("pki/crl.pem")).unwrap();
    assert_eq!(crl_serials(&crl), vec![serial]);

    let mut untrusted = citizen.to_vec();
    untrusted.extend(["--issuer", "untrusted"]);
    store.card("untrusted", &untrusted);
    let profile = parse(&store.certificate("untrusted", "01"));
    let trusted = parse(&store.certificate("ok", "01"));
    // Same issuer name (as real CA generations), a different issuing key.
    assert_eq!(profile.issuer, trusted.issuer);
    assert_ne!(profile.authority_key_id, trusted.authority_key_id);
    let anchors = std::fs::read_to_string(store.path("pki/trust-anchors.pem")).unwrap();
    for der in ecpa_cert::parse_pem_chain(&anchors).unwrap() {
        assert_ne!(parse(&der).subject_key_id, profile.authority_key_id);
    }
}

#[test]
fn demo_set_is_complete_and_idempotent() {
    let store = Store::new();
    let dir = store.path("demo");
    let run = |dir: &Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_ecpa-devcard"))
            .args(["demo", "--dir", dir.to_str().unwrap()])
            .env_remove("SOFTHSM2_CONF")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&dir);
    let first_anchors = std::fs::read_to_string(dir.join("pki/trust-anchors.pem")).unwrap();
    run(&dir);
    assert_eq!(
        std::fs::read_to_string(dir.join("pki/trust-anchors.pem")).unwrap(),
        first_anchors,
        "the PKI is reused"
    );
    let listing = Command::new("softhsm2-util")
        .arg("--show-slots")
        .env("SOFTHSM2_CONF", dir.join("softhsm2.conf"))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert_eq!(
        listing.matches("Initialized:      yes").count(),
        6,
        "{listing}"
    );

    let personnel = std::fs::read_to_string(dir.join("personnel.csv")).unwrap();
    let mut lines = personnel.lines();
    assert_eq!(
        lines.next(),
        Some(
            "national_id,name,agency_code,service_unit,personnel_category,concurrent_duty,status,filed_on"
        )
    );
    for line in lines {
        let id = line.split(',').next().unwrap();
        assert!(NationalId::parse(id).is_ok(), "{line}");
    }
    let accounts = std::fs::read_to_string(dir.join("accounts.csv")).unwrap();
    assert!(accounts.starts_with("account,national_id,password\n"));
    let agencies = std::fs::read_to_string(dir.join("agencies.csv")).unwrap();
    assert!(agencies.starts_with("code,name,oid\n3230000,"));
    let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
    assert!(readme.contains("citizen-wang") && readme.contains("123456"));
    assert!(dir.join("pki/crl.pem").is_file());
}
