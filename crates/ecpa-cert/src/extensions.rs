//! The extensions ECPA reads, decoded with x509-cert's types.

use der::asn1::ObjectIdentifier;
use der::{Decode, Tag, Tagged};
use x509_cert::TbsCertificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, KeyUsage as X509KeyUsage,
    SubjectKeyIdentifier,
};

use crate::{CertError, KeyUsage, name::decode_string, oids};

/// Extension values, each `None`/empty when the extension is absent.
#[derive(Debug, Default)]
pub(crate) struct Extensions {
    pub key_usage: Option<KeyUsage>,
    pub is_ca: bool,
    pub policies: Vec<String>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub directory: DirectoryAttributes,
}

/// The GPKI subjectDirectoryAttributes this crate reads.
#[derive(Debug, Default)]
pub(crate) struct DirectoryAttributes {
    pub subject_category_oid: Option<String>,
    pub card_role: Option<String>,
    pub id_last4: Option<String>,
    pub agency_oid: Option<String>,
}

pub(crate) fn read(tbs: &TbsCertificate) -> Result<Extensions, CertError> {
    let key_usage = tbs
        .get::<X509KeyUsage>()
        .map_err(|_| CertError::Field("keyUsage"))?
        .map(|(_, ku)| KeyUsage {
            digital_signature: ku.digital_signature(),
            non_repudiation: ku.non_repudiation(),
            key_encipherment: ku.key_encipherment(),
            data_encipherment: ku.data_encipherment(),
            key_cert_sign: ku.key_cert_sign(),
            crl_sign: ku.crl_sign(),
        });
    let is_ca = tbs
        .get::<BasicConstraints>()
        .map_err(|_| CertError::Field("basicConstraints"))?
        .is_some_and(|(_, bc)| bc.ca);
    let policies = tbs
        .get::<CertificatePolicies>()
        .map_err(|_| CertError::Field("certificatePolicies"))?
        .map(|(_, cp)| {
            cp.0.iter()
                .map(|p| p.policy_identifier.to_string())
                .collect()
        })
        .unwrap_or_default();
    let subject_key_id = tbs
        .get::<SubjectKeyIdentifier>()
        .map_err(|_| CertError::Field("subjectKeyIdentifier"))?
        .map(|(_, ski)| ski.0.as_bytes().to_vec());
    let authority_key_id = tbs
        .get::<AuthorityKeyIdentifier>()
        .map_err(|_| CertError::Field("authorityKeyIdentifier"))?
        .and_then(|(_, aki)| aki.key_identifier.map(|k| k.as_bytes().to_vec()));
    Ok(Extensions {
        key_usage,
        is_ca,
        policies,
        subject_key_id,
        authority_key_id,
        directory: read_directory(tbs)?,
    })
}

const SDA_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(oids::SUBJECT_DIRECTORY_ATTRIBUTES);

/// subjectDirectoryAttributes (2.5.29.9): `SEQUENCE OF Attribute { type, SET OF value }`.
fn read_directory(tbs: &TbsCertificate) -> Result<DirectoryAttributes, CertError> {
    const FIELD: &str = "subjectDirectoryAttributes";
    let mut found = tbs
        .extensions
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.extn_id == SDA_OID);
    let Some(ext) = found.next() else {
        return Ok(DirectoryAttributes::default());
    };
    if found.next().is_some() {
        return Err(CertError::Field(FIELD));
    }
    let attributes = Vec::<Attribute>::from_der(ext.extn_value.as_bytes())
        .map_err(|_| CertError::Field(FIELD))?;

    let mut out = DirectoryAttributes::default();
    for attribute in &attributes {
        let Some(value) = attribute.values.iter().next() else {
            return Err(CertError::Field(FIELD));
        };
        let as_oid = || -> Result<String, CertError> {
            if value.tag() != Tag::ObjectIdentifier {
                return Err(CertError::Field(FIELD));
            }
            value
                .decode_as::<ObjectIdentifier>()
                .map(|oid| oid.to_string())
                .map_err(|_| CertError::Field(FIELD))
        };
        let as_text = || decode_string(value).ok_or(CertError::Field(FIELD));
        match attribute.oid.to_string().as_str() {
            oids::SUBJECT_CATEGORY => out.subject_category_oid = Some(as_oid()?),
            oids::AGENCY_OID => out.agency_oid = Some(as_oid()?),
            oids::CARD_ROLE => out.card_role = Some(as_text()?),
            oids::ID_LAST4 => out.id_last4 = Some(as_text()?),
            _ => {}
        }
    }
    Ok(out)
}
