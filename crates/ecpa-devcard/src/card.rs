//! One demo card: a fresh token with a signing and an encryption key pair made on
//! it, and their certificates from the demo PKI (or the untrusted one).

use std::path::Path;

use ecpa_wire::NationalId;
use rsa::rand_core::CryptoRngCore;
use time::OffsetDateTime;

use crate::pki::random_serial;
use crate::pki_dir::{self, IssuerChoice};
use crate::token::TokenStore;
use crate::{DemoPki, DevcardError, LeafSpec, LeafSubject, LeafUsage};

/// CKA_ID of the signing key and certificate.
pub const SIGNING_ID: [u8; 1] = [0x01];
/// CKA_ID of the encryption key and certificate.
pub const ENCRYPTION_ID: [u8; 1] = [0x02];
/// The SO PIN of every demo token.
pub const SO_PIN: &str = "12345678";

/// Who the card belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Citizen {
        name: String,
        national_id: Option<NationalId>,
        /// 16 digits; random when `None`.
        card_serial: Option<String>,
    },
    Organization {
        org: String,
        unit: Option<String>,
        agency_oid: String,
    },
}

/// Everything `ecpa-devcard card` puts on a token.
#[derive(Debug, Clone)]
pub struct CardRequest {
    pub label: String,
    pub pin: String,
    pub holder: Holder,
    pub issuer: IssuerChoice,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub revoked: bool,
}

/// What was put on the token.
#[derive(Debug, Clone)]
pub struct IssuedCard {
    pub signing_cert_der: Vec<u8>,
    pub encryption_cert_der: Vec<u8>,
    /// The signing certificate's serial, lower-case hex.
    pub signing_serial_hex: String,
}

/// Makes the card on a free token of `store`, issuing from the PKI in `pki_dir`.
pub fn provision(
    store: &TokenStore,
    pki_dir: &Path,
    pki: &DemoPki,
    request: &CardRequest,
    now: OffsetDateTime,
    rng: &mut impl CryptoRngCore,
) -> Result<IssuedCard, DevcardError> {
    if request.not_after <= request.not_before {
        return Err(DevcardError::Options("到期日必須晚於啓始日".into()));
    }
    let subject = leaf_subject(&request.holder, rng);
    let untrusted;
    let ca = match (request.issuer, &request.holder) {
        (IssuerChoice::Moica, _) => &pki.moica,
        (IssuerChoice::Gca, _) => &pki.gca,
        (IssuerChoice::Untrusted, holder) => {
            untrusted = pki_dir::untrusted(pki_dir, now, rng)?;
            match holder {
                Holder::Citizen { .. } => &untrusted.moica,
                Holder::Organization { .. } => &untrusted.gca,
            }
        }
    };
    // Validate the subject before touching the token.
    subject.name()?;

    let card = store.init_token(&request.label, SO_PIN, &request.pin)?;
    let mut spec = LeafSpec {
        subject,
        usage: LeafUsage::Signing,
        serial: random_serial(rng),
        not_before: request.not_before,
        not_after: request.not_after,
        ocsp_url: None,
    };
    let signing_key = card.generate_key_pair(&SIGNING_ID, "signature")?;
    let signing_cert_der = ca.issue(&spec, &signing_key)?;
    card.import_certificate(&SIGNING_ID, "signature", &signing_cert_der)?;
    let signing_serial = spec.serial.clone();

    spec.usage = LeafUsage::Encryption;
    spec.serial = random_serial(rng);
    let encryption_key = card.generate_key_pair(&ENCRYPTION_ID, "encryption")?;
    let encryption_cert_der = ca.issue(&spec, &encryption_key)?;
    card.import_certificate(&ENCRYPTION_ID, "encryption", &encryption_cert_der)?;

    if request.revoked {
        pki_dir::revoke(pki_dir, pki, request.issuer, &signing_serial, now)?;
    }
    Ok(IssuedCard {
        signing_cert_der,
        encryption_cert_der,
        signing_serial_hex: hex::encode(strip_zeros(&signing_serial)),
    })
}

fn leaf_subject(holder: &Holder, rng: &mut impl CryptoRngCore) -> LeafSubject {
    match holder {
        Holder::Citizen {
            name,
            national_id,
            card_serial,
        } => LeafSubject::Citizen {
            name: name.clone(),
            card_serial: card_serial
                .clone()
                .unwrap_or_else(|| random_digits(16, rng)),
            id_last4: national_id.as_ref().map(|id| id.last4().to_owned()),
        },
        Holder::Organization {
            org,
            unit,
            agency_oid,
        } => LeafSubject::Organization {
            org: org.clone(),
            unit: unit.clone(),
            agency_oid: agency_oid.clone(),
        },
    }
}

fn random_digits(count: usize, rng: &mut impl CryptoRngCore) -> String {
    (0..count)
        .map(|_| char::from(b'0' + (rng.next_u32() % 10) as u8))
        .collect()
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}
