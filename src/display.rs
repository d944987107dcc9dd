//! What step 2 shows about a certificate, parsed in the browser with `ecpa-cert`.

use ecpa_cert::DistinguishedName;
use ecpa_cert::reader::CardFacts;
use ecpa_wire::CardKind;

use crate::messages::Lang;

/// The step-2 fields, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertDisplay {
    pub kind: Option<CardKind>,
    /// 憑證類型.
    pub kind_label: String,
    /// 憑證序號: lower-case hex, no leading zero byte.
    pub serial: String,
    /// 機關 OID (organization cards).
    pub agency_oid: Option<String>,
    /// 憑證主旨, most specific first ([`subject_text`]).
    pub subject: String,
    /// 憑證啓始日, Taiwan time.
    pub not_before: String,
    /// 憑證到期日, Taiwan time.
    pub not_after: String,
}

/// The name of a card type in the page's language.
pub fn kind_label(kind: Option<CardKind>, lang: Lang) -> &'static str {
    match (kind, lang) {
        (Some(kind), Lang::Zh) => kind.name_zh(),
        (Some(CardKind::Citizen), Lang::En) => "Citizen digital certificate",
        (Some(CardKind::Organization), Lang::En) => "Organization certificate",
        (None, Lang::Zh) => "無法辨識的憑證",
        (None, Lang::En) => "Unrecognised certificate",
    }
}

/// A subject as the seed and SPEC show it, most specific attribute first (RFC 4514
/// order): `OU=人事行政局, O=行政院, C=TW` for a name stored `C, O, OU`.
pub fn subject_text(name: &DistinguishedName) -> String {
    name.attributes
        .iter()
        .rev()
        .map(|a| format!("{}={}", a.key, a.value))
        .collect::<Vec<_>>()
        .join(", ")
}

impl CertDisplay {
    pub fn new(profile: &CardFacts, lang: Lang) -> Self {
        Self {
            kind: profile.kind,
            kind_label: kind_label(profile.kind, lang).to_owned(),
            serial: profile.serial_hex.clone(),
            agency_oid: profile.agency_oid.clone(),
            subject: subject_text(&profile.subject),
            not_before: ecpa_cert::format_taipei(profile.not_before),
            not_after: ecpa_cert::format_taipei(profile.not_after),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::certificate::CardCertificate;

    fn display(pem: &str) -> CertDisplay {
        let body = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let certificate = CardCertificate::read(body);
        CertDisplay::new(
            certificate.profile().expect("test certificate parses"),
            Lang::Zh,
        )
    }

    #[test]
    fn citizen_certificate_utf8_subject_high_bit_serial_taipei_time() {
        let shown = display(include_str!("../tests/data/citizen-moica-test.pem"));
        assert_eq!(shown.kind, Some(CardKind::Citizen));
        assert_eq!(shown.kind_label, "自然人憑證");
        // 0x88… has the high bit set: DER stores a leading 00 that must not show.
        assert_eq!(shown.serial, "88d05a1c8bcd280ac7387ec8f40260d4");
        assert_eq!(
            shown.subject,
            "serialNumber=1061720472004809, CN=測試人, C=TW"
        );
        assert_eq!(shown.agency_oid, None);
        // 2024-07-08 03:21:43Z and 2024-09-08 15:59:59Z in UTC+8.
        assert_eq!(shown.not_before, "2024-07-08 11:21:43");
        assert_eq!(shown.not_after, "2024-09-08 23:59:59");
    }

    #[test]
    fn agency_certificate_shows_locality_and_agency_oid() {
        let shown = display(include_str!("../tests/data/agency-gtestca-test.pem"));
        assert_eq!(shown.kind, Some(CardKind::Organization));
        assert_eq!(shown.kind_label, "機關憑證");
        assert_eq!(shown.serial, "b9069b4a201c48958f292bcf1b615f59");
        assert_eq!(shown.subject, "O=測試機關1, L=苗栗縣, C=TW");
        assert!(
            shown
                .agency_oid
                .is_some_and(|oid| oid.starts_with("2.16.886."))
        );
        assert_eq!(shown.not_before, "2023-09-07 09:21:23");
        assert_eq!(shown.not_after, "2024-03-07 09:21:23");
    }

    #[test]
    fn bmpstring_subject_is_decoded_and_shown_as_the_spec_example() {
        let shown = display(include_str!("../tests/data/org-bmpstring-selfsigned.pem"));
        assert_eq!(shown.subject, "OU=人事行政局, O=行政院, C=TW");
        assert_eq!(shown.serial, "80a1b2c3d4e5f60718293a4b5c6d7e8f");
        assert_eq!(
            shown.agency_oid.as_deref(),
            Some("2.16.886.101.20003.20012")
        );
        assert_eq!(shown.kind, Some(CardKind::Organization));
        assert_eq!(shown.not_before, "2026-11-27 11:03:26");
    }

    #[test]
    fn kind_labels_in_both_languages() {
        assert_eq!(
            kind_label(Some(CardKind::Organization), Lang::Zh),
            "機關憑證"
        );
        assert_eq!(
            kind_label(Some(CardKind::Citizen), Lang::En),
            "Citizen digital certificate"
        );
        assert_eq!(kind_label(None, Lang::Zh), "無法辨識的憑證");
    }
}
