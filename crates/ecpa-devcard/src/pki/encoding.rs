//! DER building blocks shared by CA, leaf and CRL issuance.

use const_oid::AssociatedOid;
use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, DateTime, Encode, Tag};
use rsa::rand_core::CryptoRngCore;
use sha1::{Digest, Sha1};
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

use super::{CaKey, PkiError};

pub(crate) const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
pub(crate) const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
pub(crate) const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
pub(crate) const ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
pub(crate) const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");

/// A value typed as PrintableString (`C`, `serialNumber`, card role).
pub(crate) fn printable(text: &str, field: &'static str) -> Result<Any, PkiError> {
    der::asn1::PrintableStringRef::new(text).map_err(|_| PkiError::Subject(field))?;
    Any::new(Tag::PrintableString, text.as_bytes()).map_err(|_| PkiError::Subject(field))
}

/// A value typed as UTF8String (Chinese names).
pub(crate) fn utf8(text: &str, field: &'static str) -> Result<Any, PkiError> {
    if text.is_empty() {
        return Err(PkiError::Subject(field));
    }
    Any::new(Tag::Utf8String, text.as_bytes()).map_err(|_| PkiError::Subject(field))
}

/// A name with one attribute per RDN, in the given (stored) order.
pub(crate) fn name(attributes: Vec<(ObjectIdentifier, Any)>) -> Result<Name, PkiError> {
    let rdns = attributes
        .into_iter()
        .map(|(oid, value)| single_attribute(oid, value))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RdnSequence(rdns))
}

/// One RDN holding one attribute.
pub(crate) fn single_attribute(
    oid: ObjectIdentifier,
    value: Any,
) -> Result<RelativeDistinguishedName, PkiError> {
    SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }])
        .map(RelativeDistinguishedName)
        .map_err(|e| PkiError::Encode.logged(&e))
}

/// UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5); whole seconds.
pub(crate) fn x509_time(at: OffsetDateTime) -> Result<Time, PkiError> {
    let seconds =
        u64::try_from(at.unix_timestamp()).map_err(|_| PkiError::Validity("早於 1970 年"))?;
    let date_time = DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))
        .map_err(|_| PkiError::Validity("超出可編碼的範圍"))?;
    if date_time.year() < 2050 {
        UtcTime::from_date_time(date_time)
            .map(Time::UtcTime)
            .map_err(|_| PkiError::Validity("超出可編碼的範圍"))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(
            date_time,
        )))
    }
}

pub(crate) fn validity(
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Validity, PkiError> {
    if not_after <= not_before {
        return Err(PkiError::Validity("結束時間必須晚於開始時間"));
    }
    Ok(Validity {
        not_before: x509_time(not_before)?,
        not_after: x509_time(not_after)?,
    })
}

/// A positive serial from big-endian magnitude bytes (1 to 20 significant bytes).
pub(crate) fn serial_number(bytes: &[u8]) -> Result<SerialNumber, PkiError> {
    if bytes.iter().all(|&b| b == 0) {
        return Err(PkiError::Serial);
    }
    SerialNumber::new(bytes).map_err(|_| PkiError::Serial)
}

/// 16 random bytes, high bit clear and first byte non-zero: a positive 128-bit serial.
pub fn random_serial(rng: &mut impl CryptoRngCore) -> Vec<u8> {
    let mut bytes = vec![0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    bytes
}

/// Key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1).
pub(crate) fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// An extension from an x509-cert extension type.
pub(crate) fn extension<T: Encode + AssociatedOid>(
    value: &T,
    critical: bool,
) -> Result<Extension, PkiError> {
    let der = value.to_der().map_err(|e| PkiError::Encode.logged(&e))?;
    raw_extension(T::OID, critical, der)
}

pub(crate) fn raw_extension(
    extn_id: ObjectIdentifier,
    critical: bool,
    der: Vec<u8>,
) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id,
        critical,
        extn_value: OctetString::new(der).map_err(|e| PkiError::Encode.logged(&e))?,
    })
}

/// Signs a TBSCertificate with `key` and returns the certificate's DER.
pub(crate) fn sign_certificate(tbs: TbsCertificate, key: &CaKey) -> Result<Vec<u8>, PkiError> {
    let tbs_der = tbs.to_der().map_err(|e| PkiError::Encode.logged(&e))?;
    let signature = key.sign(&tbs_der)?;
    let certificate = Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&signature).map_err(|e| PkiError::Encode.logged(&e))?,
    };
    certificate
        .to_der()
        .map_err(|e| PkiError::Encode.logged(&e))
}

/// PEM text of a DER object (RFC 7468: 64-character base64 lines, LF endings).
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
