//! A card's certificate as the agent gave it (base64 DER), parsed once when the card
//! is read or has signed, with `ecpa-cert` (in the browser by
//! [`crate::certificate_reader`]'s worker).

use ecpa_cert::reader::{CardFacts, read_base64};
use ecpa_wire::CardKind;
use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// The certificate and what it says; unreadable ones are kept, and refused where
/// their content is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCertificate {
    base64: String,
    /// Boxed: the certificate travels in screens and wizard states.
    profile: Option<Box<CardFacts>>,
}

impl CardCertificate {
    /// Decodes and parses the agent's base64 DER here.
    pub fn read(base64: String) -> Self {
        let profile = read_base64(&base64);
        Self::new(base64, profile)
    }

    /// The certificate with what it says, as already read (`None`: it did not parse).
    pub fn new(base64: String, profile: Option<CardFacts>) -> Self {
        Self {
            base64,
            profile: profile.map(Box::new),
        }
    }

    /// Base64 DER, as the agent gave it: what the portal is sent.
    pub fn base64(&self) -> &str {
        &self.base64
    }

    /// What the certificate says (its profile's facts the page shows);
    /// [`Failure::CertificateUnreadable`] when it did not parse.
    pub fn profile(&self) -> Result<&CardFacts, Failure> {
        self.profile
            .as_deref()
            .ok_or(Failure::CertificateUnreadable)
    }

    /// The card type, when the certificate is a citizen or an organization card's.
    pub fn kind(&self) -> Result<Option<CardKind>, Failure> {
        self.profile().map(|profile| profile.kind)
    }

    /// The subject as step 2 shows it (`serialNumber=…, CN=王大明, C=TW`), if readable.
    pub fn subject(&self) -> Option<String> {
        self.profile
            .as_ref()
            .map(|profile| crate::display::subject_text(&profile.subject))
    }
}

/// Base64 body of a PEM file from `tests/data`.
#[cfg(test)]
pub(crate) fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn subject_and_kind_of_the_card_certificate() {
        let body = pem_body(include_str!("../tests/data/citizen-moica-test.pem"));
        let certificate = CardCertificate::read(body.clone());
        assert_eq!(certificate.base64(), body);
        assert_eq!(
            certificate.subject().as_deref(),
            Some("serialNumber=1061720472004809, CN=測試人, C=TW")
        );
        assert_eq!(certificate.kind(), Ok(Some(CardKind::Citizen)));
    }

    #[test]
    fn garbage_is_unreadable_not_a_panic() {
        for garbage in ["***", "AAAA", ""] {
            let certificate = CardCertificate::read(garbage.into());
            assert_eq!(certificate.base64(), garbage);
            assert_eq!(certificate.subject(), None);
            assert_eq!(certificate.kind(), Err(Failure::CertificateUnreadable));
        }
    }
}
