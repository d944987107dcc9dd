//! Card certificates in the MOICA citizen and GCA organization profiles.

use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Encode};
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, KeyUsage, KeyUsages};
use x509_cert::name::Name;

use super::PkiError;
use super::encoding::{
    COMMON_NAME, COUNTRY, ORGANIZATION, ORGANIZATIONAL_UNIT, SERIAL_NUMBER, extension, name,
    printable, raw_extension, utf8,
};

const SUBJECT_DIRECTORY_ATTRIBUTES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.9");
const SUBJECT_CATEGORY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.886.1.100.2.1");
const CARD_ROLE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.886.1.100.2.2");
const ID_LAST4: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.886.1.100.2.51");
const AGENCY_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.886.1.100.2.102");
/// Subject category of a natural person (自然人).
pub const CATEGORY_CITIZEN: &str = "2.16.886.1.100.3.1.1";
/// Subject category of a government agency (政府機關).
pub const CATEGORY_AGENCY: &str = "2.16.886.1.100.3.2.1.1";

/// What the card key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafUsage {
    /// digitalSignature + nonRepudiation: the certificate ECPA registers.
    Signing,
    /// keyEncipherment + dataEncipherment: the card's other certificate.
    Encryption,
}

/// Who a card certificate is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafSubject {
    /// `C=TW, CN=<name>, serialNumber=<16 digits>`; SDA: category 2.16.886.1.100.3.1.1,
    /// role "primary", ID last-4 (UTF8String) `2.16.886.1.100.2.51` when `Some`.
    Citizen {
        name: String,
        card_serial: String,
        id_last4: Option<String>,
    },
    /// `C=TW, O=<org>, OU=<unit>` (OU optional); SDA: category 2.16.886.1.100.3.2.1.1,
    /// role "primary", agency OID `2.16.886.1.100.2.102` (OBJECT IDENTIFIER).
    Organization {
        org: String,
        unit: Option<String>,
        agency_oid: String,
    },
}

/// A card certificate to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafSpec {
    pub subject: LeafSubject,
    pub usage: LeafUsage,
    /// Big-endian magnitude, 1 to 20 significant bytes (see `random_serial`).
    pub serial: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// The CA's OCSP responder, written into authorityInfoAccess (as MOICA's cards
    /// carry `http://ocsp.moica.nat.gov.tw/OCSP/`), when `Some`.
    pub ocsp_url: Option<String>,
}

impl LeafSubject {
    /// The subject name, attributes in the order real cards store them.
    pub fn name(&self) -> Result<Name, PkiError> {
        match self {
            LeafSubject::Citizen {
                name: holder,
                card_serial,
                ..
            } => {
                if card_serial.len() != 16 || !card_serial.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(PkiError::Subject("卡片序號須為 16 位數字"));
                }
                name(vec![
                    (COUNTRY, printable("TW", "國別")?),
                    (COMMON_NAME, utf8(holder, "姓名不可空白")?),
                    (SERIAL_NUMBER, printable(card_serial, "卡片序號")?),
                ])
            }
            LeafSubject::Organization { org, unit, .. } => {
                let mut attributes = vec![
                    (COUNTRY, printable("TW", "國別")?),
                    (ORGANIZATION, utf8(org, "機關名稱不可空白")?),
                ];
                if let Some(unit) = unit {
                    attributes.push((ORGANIZATIONAL_UNIT, utf8(unit, "單位名稱不可空白")?));
                }
                name(attributes)
            }
        }
    }

    /// subjectDirectoryAttributes values: category, card role, ID digits or agency OID.
    fn directory_attributes(&self) -> Result<Vec<(ObjectIdentifier, Any)>, PkiError> {
        let role = (CARD_ROLE, printable("primary", "卡片角色")?);
        match self {
            LeafSubject::Citizen { id_last4, .. } => {
                let mut attributes = vec![(SUBJECT_CATEGORY, oid_value(CATEGORY_CITIZEN)?), role];
                if let Some(digits) = id_last4 {
                    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(PkiError::Subject("身分證號末四碼須為 4 位數字"));
                    }
                    attributes.push((ID_LAST4, utf8(digits, "身分證號末四碼")?));
                }
                Ok(attributes)
            }
            LeafSubject::Organization { agency_oid, .. } => {
                let agency = ObjectIdentifier::new(agency_oid)
                    .map_err(|_| PkiError::Subject("機關 OID 格式不正確"))?;
                Ok(vec![
                    (SUBJECT_CATEGORY, oid_value(CATEGORY_AGENCY)?),
                    role,
                    (AGENCY_OID, Any::from(&agency)),
                ])
            }
        }
    }
}

fn oid_value(dotted: &str) -> Result<Any, PkiError> {
    ObjectIdentifier::new(dotted)
        .map(|oid| Any::from(&oid))
        .map_err(|e| PkiError::Encode.logged(&e))
}

/// keyUsage (critical) and subjectDirectoryAttributes of a card certificate.
pub(crate) fn leaf_extensions(spec: &LeafSpec) -> Result<Vec<Extension>, PkiError> {
    let usage = match spec.usage {
        LeafUsage::Signing => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        LeafUsage::Encryption => KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment,
    };
    let attributes = spec
        .subject
        .directory_attributes()?
        .into_iter()
        .map(|(oid, value)| {
            SetOfVec::try_from(vec![value])
                .map(|values| Attribute { oid, values })
                .map_err(|e| PkiError::Encode.logged(&e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let directory = attributes
        .to_der()
        .map_err(|e| PkiError::Encode.logged(&e))?;
    let mut extensions = vec![
        extension(&KeyUsage(usage), true)?,
        raw_extension(SUBJECT_DIRECTORY_ATTRIBUTES, false, directory)?,
    ];
    if let Some(url) = &spec.ocsp_url {
        extensions.push(ocsp_access(url)?);
    }
    Ok(extensions)
}

/// authorityInfoAccess naming an OCSP responder.
fn ocsp_access(url: &str) -> Result<Extension, PkiError> {
    let location = der::asn1::Ia5String::new(url).map_err(|_| PkiError::Subject("OCSP 網址"))?;
    extension(
        &AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: const_oid::db::rfc5280::ID_AD_OCSP,
            access_location: GeneralName::UniformResourceIdentifier(location),
        }]),
        false,
    )
}
