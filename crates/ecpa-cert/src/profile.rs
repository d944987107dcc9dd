//! What a certificate is, in ECPA's terms.

use der::Decode;
use ecpa_wire::CardKind;
use x509_cert::Certificate;
use x509_cert::time::Time;

use crate::{CertError, DistinguishedName, extensions, oids};
use ecpa_wire::hex::lower_hex;

/// The subscriber category from subjectDirectoryAttributes `2.16.886.1.100.2.1`,
/// falling back to the subject's shape when the attribute is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectCategory {
    Citizen,
    GovernmentAgency,
    Company,
    Other(String),
    Unknown,
}

/// keyUsage bits that matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyUsage {
    pub digital_signature: bool,
    pub non_repudiation: bool,
    pub key_encipherment: bool,
    pub data_encipherment: bool,
    pub key_cert_sign: bool,
    pub crl_sign: bool,
}

/// Everything ECPA reads from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertProfile {
    /// `Some` for a citizen or an organization card certificate.
    pub kind: Option<CardKind>,
    pub category: SubjectCategory,
    /// Lower-case hex without a leading zero byte.
    pub serial_hex: String,
    pub subject: DistinguishedName,
    pub issuer: DistinguishedName,
    /// Unix seconds, UTC.
    pub not_before: i64,
    pub not_after: i64,
    /// `None` when the extension is absent.
    pub key_usage: Option<KeyUsage>,
    pub is_ca: bool,
    /// Citizen cards: last four digits of the national ID (`2.16.886.1.100.2.51`).
    pub id_last4: Option<String>,
    /// Organization cards: the agency OID (`2.16.886.1.100.2.102`), dotted.
    pub agency_oid: Option<String>,
    pub subject_category_oid: Option<String>,
    /// `primary` / `secondary` / `mobile`.
    pub card_role: Option<String>,
    /// certificatePolicies, dotted.
    pub policies: Vec<String>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
}

impl CertProfile {
    /// The subject's CN (a citizen's name), if any.
    pub fn common_name(&self) -> Option<&str> {
        self.subject.get("CN")
    }

    /// True when keyUsage allows signing (digitalSignature).
    pub fn is_signing(&self) -> bool {
        self.key_usage.is_some_and(|k| k.digital_signature)
    }

    /// Policy `2.16.886.101.0.3.0`: a test certificate.
    pub fn is_test(&self) -> bool {
        self.policies.iter().any(|p| p == "2.16.886.101.0.3.0")
    }
}

/// Reads one DER certificate.
pub fn parse_der(der: &[u8]) -> Result<CertProfile, CertError> {
    let cert = Certificate::from_der(der).map_err(|_| CertError::Der)?;
    profile_of(&cert)
}

/// Reads a certificate already decoded (by a caller that needs x509-cert's view too).
pub fn profile_of(cert: &Certificate) -> Result<CertProfile, CertError> {
    let tbs = &cert.tbs_certificate;
    let subject = DistinguishedName::from_name(&tbs.subject).ok_or(CertError::Field("subject"))?;
    let issuer = DistinguishedName::from_name(&tbs.issuer).ok_or(CertError::Field("issuer"))?;
    let ext = extensions::read(tbs)?;
    let dir = ext.directory;

    let category = categorize(
        dir.subject_category_oid.as_deref(),
        dir.agency_oid.is_some(),
        &subject,
    );
    let kind = if ext.is_ca {
        None
    } else {
        match category {
            SubjectCategory::Citizen => Some(CardKind::Citizen),
            SubjectCategory::GovernmentAgency => Some(CardKind::Organization),
            _ => None,
        }
    };

    Ok(CertProfile {
        kind,
        category,
        serial_hex: serial_hex(tbs.serial_number.as_bytes()),
        subject,
        issuer,
        not_before: unix_seconds(tbs.validity.not_before)?,
        not_after: unix_seconds(tbs.validity.not_after)?,
        key_usage: ext.key_usage,
        is_ca: ext.is_ca,
        id_last4: dir.id_last4,
        agency_oid: dir.agency_oid,
        subject_category_oid: dir.subject_category_oid,
        card_role: dir.card_role,
        policies: ext.policies,
        subject_key_id: ext.subject_key_id,
        authority_key_id: ext.authority_key_id,
    })
}

/// Reads every `CERTIFICATE` block of a PEM text, as DER. Other blocks are skipped;
/// a text without any certificate is an error.
pub fn parse_pem_chain(pem: &str) -> Result<Vec<Vec<u8>>, CertError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start..];
        let end = after.find(END).ok_or(CertError::Pem)? + END.len();
        let (label, der) =
            der::pem::decode_vec(&after.as_bytes()[..end]).map_err(|_| CertError::Pem)?;
        if label != "CERTIFICATE" {
            return Err(CertError::Pem);
        }
        out.push(der);
        rest = &after[end..];
    }
    if out.is_empty() {
        return Err(CertError::Pem);
    }
    Ok(out)
}

/// The subscriber category: from the category attribute when present, else from
/// the agency attribute or the subject's shape (`CN` + 16-digit `serialNumber`, no `O`).
fn categorize(
    category_oid: Option<&str>,
    has_agency_oid: bool,
    subject: &DistinguishedName,
) -> SubjectCategory {
    if let Some(oid) = category_oid {
        return if oid_under(oid, oids::CATEGORY_CITIZEN_PREFIX) {
            SubjectCategory::Citizen
        } else if oid_under(oid, oids::CATEGORY_AGENCY_PREFIX) {
            SubjectCategory::GovernmentAgency
        } else if oid_under(oid, oids::CATEGORY_COMPANY_PREFIX) {
            SubjectCategory::Company
        } else {
            SubjectCategory::Other(oid.to_owned())
        };
    }
    if has_agency_oid {
        return SubjectCategory::GovernmentAgency;
    }
    let card_serial = subject
        .get("serialNumber")
        .is_some_and(|s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit()));
    if card_serial && subject.get("CN").is_some() && subject.get("O").is_none() {
        return SubjectCategory::Citizen;
    }
    SubjectCategory::Unknown
}

/// `oid` equals `prefix` or lies under it (whole arcs only).
fn oid_under(oid: &str, prefix: &str) -> bool {
    oid.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn serial_hex(bytes: &[u8]) -> String {
    let first_significant = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    lower_hex(&bytes[first_significant..])
}

fn unix_seconds(time: Time) -> Result<i64, CertError> {
    i64::try_from(time.to_unix_duration().as_secs()).map_err(|_| CertError::Field("validity"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::NameAttribute;

    fn dn(pairs: &[(&str, &str)]) -> DistinguishedName {
        DistinguishedName {
            attributes: pairs
                .iter()
                .map(|(k, v)| NameAttribute {
                    key: (*k).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn serial_drops_leading_zero_bytes() {
        assert_eq!(serial_hex(&[0x00, 0x88, 0xd0]), "88d0");
        assert_eq!(serial_hex(&[0x5c, 0xdd]), "5cdd");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[]), "");
    }

    #[test]
    fn category_attribute_decides_first() {
        let org = dn(&[("C", "TW"), ("O", "測試機關1")]);
        assert_eq!(
            categorize(Some("2.16.886.1.100.3.1.9"), false, &org),
            SubjectCategory::Citizen
        );
        assert_eq!(
            categorize(Some("2.16.886.1.100.3.2.1.1"), false, &org),
            SubjectCategory::GovernmentAgency
        );
        assert_eq!(
            categorize(Some("2.16.886.1.100.3.2.2.1.1"), true, &org),
            SubjectCategory::Company
        );
        // 2.16.886.1.100.3.10 is not under 2.16.886.1.100.3.1.
        assert_eq!(
            categorize(Some("2.16.886.1.100.3.10"), false, &org),
            SubjectCategory::Other("2.16.886.1.100.3.10".into())
        );
    }

    #[test]
    fn without_category_the_shape_decides() {
        let citizen = dn(&[
            ("C", "TW"),
            ("CN", "王小明"),
            ("serialNumber", "1061720472004809"),
        ]);
        assert_eq!(categorize(None, false, &citizen), SubjectCategory::Citizen);
        let short = dn(&[("C", "TW"), ("CN", "王小明"), ("serialNumber", "82675132")]);
        assert_eq!(categorize(None, false, &short), SubjectCategory::Unknown);
        let with_o = dn(&[
            ("C", "TW"),
            ("O", "行政院"),
            ("CN", "x"),
            ("serialNumber", "0000000010034188"),
        ]);
        assert_eq!(categorize(None, false, &with_o), SubjectCategory::Unknown);
        assert_eq!(
            categorize(None, true, &with_o),
            SubjectCategory::GovernmentAgency
        );
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        assert_eq!(parse_der(&[]), Err(CertError::Der));
        assert_eq!(
            parse_der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            Err(CertError::Der)
        );
        assert_eq!(parse_der(b"not a certificate"), Err(CertError::Der));
    }

    #[test]
    fn pem_without_certificates_is_an_error() {
        assert_eq!(parse_pem_chain(""), Err(CertError::Pem));
        assert_eq!(
            parse_pem_chain("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
            Err(CertError::Pem)
        );
        assert_eq!(
            parse_pem_chain("-----BEGIN CERTIFICATE-----\nMIIB\n"),
            Err(CertError::Pem)
        );
    }
}
