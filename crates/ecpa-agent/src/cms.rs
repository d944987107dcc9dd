//! PKCS#7 (CMS SignedData, RFC 5652) around a signature the card makes. The key
//! never leaves the card: the card signs the DER of the signed attributes
//! (content type, signing time, SHA-256 of the tbs) with SHA-256 RSA PKCS#1 v1.5,
//! and the SignedData carries the tbs itself and the signer's certificate, so
//! `openssl cms -verify` checks it without anything else.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Null, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use crate::AgentError;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The signed attributes over one tbs, at one time.
pub struct SignedAttributes(SetOfVec<Attribute>);

impl SignedAttributes {
    pub fn new(tbs: &[u8], now: OffsetDateTime) -> Result<Self, AgentError> {
        let seconds = u64::try_from(now.unix_timestamp()).map_err(|_| build_error("clock"))?;
        let time = UtcTime::from_unix_duration(std::time::Duration::from_secs(seconds))
            .map_err(der_error)?;
        let digest = OctetString::new(Sha256::digest(tbs).to_vec()).map_err(der_error)?;
        let attributes = vec![
            attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA))?,
            attribute(ID_SIGNING_TIME, Any::encode_from(&time))?,
            attribute(ID_MESSAGE_DIGEST, Any::encode_from(&digest))?,
        ];
        SetOfVec::try_from(attributes).map(Self).map_err(der_error)
    }

    /// What the card signs: the attributes as a DER `SET OF` (RFC 5652 §5.4).
    pub fn der(&self) -> Result<Vec<u8>, AgentError> {
        self.0.to_der().map_err(der_error)
    }
}

fn attribute(oid: ObjectIdentifier, value: der::Result<Any>) -> Result<Attribute, AgentError> {
    let values = SetOfVec::try_from(vec![value.map_err(der_error)?]).map_err(der_error)?;
    Ok(Attribute { oid, values })
}

/// The DER ContentInfo of a SignedData: `tbs` encapsulated, `certificate` (DER)
/// as the signer, `signature` the card's signature over `attributes`.
pub fn signed_data(
    certificate: &[u8],
    tbs: &[u8],
    attributes: SignedAttributes,
    signature: Vec<u8>,
) -> Result<Vec<u8>, AgentError> {
    let certificate = Certificate::from_der(certificate).map_err(der_error)?;
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate.issuer.clone(),
            serial_number: certificate.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attributes.0),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::from(Null)),
        },
        signature: OctetString::new(signature).map_err(der_error)?,
        unsigned_attrs: None,
    };
    let content = OctetString::new(tbs.to_vec()).map_err(der_error)?;
    let data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(der_error)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: Some(Any::encode_from(&content).map_err(der_error)?),
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(certificate)])
                .map_err(der_error)?,
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(der_error)?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&data).map_err(der_error)?,
    }
    .to_der()
    .map_err(der_error)
}

fn der_error(e: der::Error) -> AgentError {
    build_error(&e.to_string())
}

fn build_error(what: &str) -> AgentError {
    AgentError::Card(format!("building the PKCS#7 signature: {what}"))
}
