//! A small RSA CA for the tests: issues card certificates (signing or encryption)
//! for a public key that lives on a token, in the MOICA citizen shape.

use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use der::asn1::{Any, OctetString, SetOfVec, UtcTime, Utf8StringRef};
use der::{Decode, Encode};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::EncodePublicKey;
use rsa::signature::{SignatureEncoding, Signer};
use sha2::Sha256;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const SUBJECT_DIRECTORY_ATTRIBUTES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.9");
const ID_LAST4: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.886.1.100.2.51");

/// One CA key for the whole test binary (RSA key generation is slow).
pub static TEST_CA: LazyLock<TestCa> = LazyLock::new(TestCa::new);

pub struct TestCa {
    key: RsaPrivateKey,
    name: Name,
}

/// What goes into a card certificate.
pub struct CardCert<'a> {
    /// RFC 4514 (last RDN first), e.g. `serialNumber=…,CN=王大明,C=TW`.
    pub subject: &'a str,
    pub id_last4: Option<&'a str>,
    pub signing: bool,
    pub serial: u64,
    /// Unix seconds.
    pub not_before: u64,
    pub not_after: u64,
}

impl TestCa {
    fn new() -> Self {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let name = Name::from_str("CN=Test MOICA,O=ECPA Test,C=TW").unwrap();
        Self { key, name }
    }

    /// DER certificate for `spki_der` (a SubjectPublicKeyInfo).
    pub fn issue(&self, spki_der: &[u8], cert: &CardCert<'_>) -> Vec<u8> {
        let usage = if cert.signing {
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
        } else {
            KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment
        };
        let mut extensions = vec![Extension {
            extn_id: KEY_USAGE,
            critical: true,
            extn_value: OctetString::new(KeyUsage(usage).to_der().unwrap()).unwrap(),
        }];
        if let Some(last4) = cert.id_last4 {
            let value = Any::encode_from(&Utf8StringRef::new(last4).unwrap()).unwrap();
            let attributes = vec![Attribute {
                oid: ID_LAST4,
                values: SetOfVec::try_from(vec![value]).unwrap(),
            }];
            extensions.push(Extension {
                extn_id: SUBJECT_DIRECTORY_ATTRIBUTES,
                critical: false,
                extn_value: OctetString::new(attributes.to_der().unwrap()).unwrap(),
            });
        }
        let algorithm = AlgorithmIdentifierOwned {
            oid: SHA256_WITH_RSA,
            parameters: Some(Any::null()),
        };
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::from(cert.serial),
            signature: algorithm.clone(),
            issuer: self.name.clone(),
            validity: Validity {
                not_before: utc(cert.not_before),
                not_after: utc(cert.not_after),
            },
            subject: Name::from_str(cert.subject).unwrap(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spki_der).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        let signer = SigningKey::<Sha256>::new(self.key.clone());
        let signature = signer.sign(&tbs.to_der().unwrap()).to_vec();
        Certificate {
            tbs_certificate: tbs,
            signature_algorithm: algorithm,
            signature: der::asn1::BitString::from_bytes(&signature).unwrap(),
        }
        .to_der()
        .unwrap()
    }
}

/// SubjectPublicKeyInfo DER of an in-memory key (for the fake card).
pub fn spki_of(key: &RsaPrivateKey) -> Vec<u8> {
    key.to_public_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn utc(unix: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(unix)).unwrap())
}

/// Unix seconds now (the tests' own clock for certificate dates).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub const DAY: u64 = 86_400;
