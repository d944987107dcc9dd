//! Which card and certificate to use, from the agent's `pkcs11info` answer.

use ecpa_wire::agent::{AgentFailure, Pkcs11Info};

use crate::certificate::CardCertificate;
use crate::certificate_reader;
use crate::failure::Failure;
use crate::wizard::CardRef;

/// A card with a signing certificate, as offered to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardChoice {
    pub card: CardRef,
    /// The certificate holder's name (CN) or the card's label, to tell cards apart.
    pub holder: String,
    pub token_serial: String,
}

/// A card with a signing certificate, as the agent listed it (its certificate not
/// read yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOffer {
    pub slot: String,
    /// Base64 DER, as the agent gave it.
    pub certificate: String,
    pub holder: String,
    pub token_serial: String,
}

impl CardOffer {
    /// The card as offered to the user, its certificate read.
    pub fn read_as(self, certificate: CardCertificate) -> CardChoice {
        CardChoice {
            card: CardRef {
                slot: self.slot,
                certificate,
            },
            holder: self.holder,
            token_serial: self.token_serial,
        }
    }
}

/// The offered cards with their certificates read (all at once, in the browser by
/// the certificate reader's worker).
pub async fn read_offers(offers: Vec<CardOffer>) -> Result<Vec<CardChoice>, Failure> {
    let certificates = offers.iter().map(|o| o.certificate.clone()).collect();
    let read = certificate_reader::read_all(certificates).await?;
    Ok(offers
        .into_iter()
        .zip(read)
        .map(|(offer, certificate)| offer.read_as(certificate))
        .collect())
}

/// Every card's signing certificate (keyUsage digitalSignature); the encryption
/// certificate on the same card is never offered.
pub fn signing_cards(info: &Pkcs11Info) -> Result<Vec<CardOffer>, Failure> {
    if let Some(failure) = Failure::from_agent_codes(info.ret_code, info.last_error.unwrap_or(0)) {
        return Err(failure);
    }
    if info.slots.is_empty() {
        return Err(Failure::Agent(AgentFailure::NoReader));
    }
    let tokens: Vec<_> = info
        .slots
        .iter()
        .filter_map(|slot| slot.token.as_ref().map(|token| (slot, token)))
        .collect();
    if tokens.is_empty() {
        return Err(Failure::Agent(AgentFailure::NoCard));
    }
    let choices: Vec<CardOffer> = tokens
        .into_iter()
        .filter_map(|(slot, token)| {
            let cert = token.certs.iter().find(|c| c.is_signing())?;
            let certificate = cert.certb64.clone().filter(|b64| !b64.is_empty())?;
            let holder = if cert.subject_cn.is_empty() {
                token.label.clone()
            } else {
                cert.subject_cn.clone()
            };
            Some(CardOffer {
                slot: slot.slot_description.clone(),
                certificate,
                holder,
                token_serial: token.serial_number.clone(),
            })
        })
        .collect();
    if choices.is_empty() {
        return Err(Failure::NoSigningCertificate);
    }
    Ok(choices)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use ecpa_wire::agent::{CertInfo, SlotInfo, TokenInfo, ret};

    fn cert(usage: &str, b64: &str) -> CertInfo {
        CertInfo {
            label: "cert".into(),
            usage: usage.into(),
            subject_dn: "C=TW, CN=王大明".into(),
            subject_cn: "王大明".into(),
            subject_id: "6789".into(),
            issuer_dn: "C=TW".into(),
            sn: "01".into(),
            not_before_t: "20240101000000Z".into(),
            not_after_t: "20290101000000Z".into(),
            certb64: Some(b64.into()),
            id: "01".into(),
        }
    }

    fn slot(name: &str, certs: Option<Vec<CertInfo>>) -> SlotInfo {
        SlotInfo {
            slot_description: name.into(),
            token: certs.map(|certs| TokenInfo {
                serial_number: format!("{name}-sn"),
                label: "HiPKI".into(),
                certs,
            }),
        }
    }

    fn info(ret_code: u32, slots: Vec<SlotInfo>) -> Pkcs11Info {
        Pkcs11Info {
            func: Some("pkcs11info".into()),
            ret_code,
            server_version: "1.3.4.1".into(),
            slots,
            last_error: None,
        }
    }

    #[test]
    fn picks_the_signing_certificate_not_the_encryption_one() {
        let answer = info(
            ret::OK,
            vec![slot(
                "Reader 0",
                Some(vec![
                    cert("keyEncipherment", "ENC"),
                    cert("digitalSignature", "SIG"),
                ]),
            )],
        );
        let cards = signing_cards(&answer).unwrap();
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].certificate, "SIG");
        assert_eq!(cards[0].slot, "Reader 0");
        assert_eq!(cards[0].holder, "王大明");
    }

    #[test]
    fn offered_cards_are_read_in_order_keeping_slot_and_holder() {
        let citizen =
            crate::certificate::pem_body(include_str!("../tests/data/citizen-moica-test.pem"));
        let offer = |slot: &str, certificate: &str| CardOffer {
            slot: slot.into(),
            certificate: certificate.into(),
            holder: format!("{slot} holder"),
            token_serial: format!("{slot}-sn"),
        };
        let offers = vec![offer("Reader 0", &citizen), offer("Reader 1", "***")];
        let cards = futures::executor::block_on(read_offers(offers)).unwrap();
        assert_eq!(cards.len(), 2);
        assert_eq!(
            (cards[0].card.slot.as_str(), cards[0].holder.as_str()),
            ("Reader 0", "Reader 0 holder")
        );
        assert_eq!(cards[0].card.certificate.base64(), citizen);
        assert_eq!(
            cards[0].card.certificate.kind(),
            Ok(Some(ecpa_wire::CardKind::Citizen))
        );
        assert_eq!(cards[1].token_serial, "Reader 1-sn");
        assert_eq!(
            cards[1].card.certificate.kind(),
            Err(Failure::CertificateUnreadable)
        );
    }

    #[test]
    fn several_cards_are_all_offered() {
        let answer = info(
            ret::OK,
            vec![
                slot(
                    "Reader 0",
                    Some(vec![cert("digitalSignature|nonRepudiation", "A")]),
                ),
                slot("Reader 1", None),
                slot("Reader 2", Some(vec![cert("digitalSignature", "B")])),
            ],
        );
        let slots: Vec<_> = signing_cards(&answer)
            .unwrap()
            .into_iter()
            .map(|c| c.slot)
            .collect();
        assert_eq!(slots, ["Reader 0", "Reader 2"]);
    }

    #[test]
    fn no_reader_no_card_no_signing_certificate() {
        assert_eq!(
            signing_cards(&info(ret::OK, vec![])),
            Err(Failure::Agent(AgentFailure::NoReader))
        );
        assert_eq!(
            signing_cards(&info(ret::OK, vec![slot("Reader 0", None)])),
            Err(Failure::Agent(AgentFailure::NoCard))
        );
        assert_eq!(
            signing_cards(&info(
                ret::OK,
                vec![slot("Reader 0", Some(vec![cert("keyEncipherment", "E")]))]
            )),
            Err(Failure::NoSigningCertificate)
        );
    }

    #[test]
    fn agent_error_codes_win() {
        assert_eq!(
            signing_cards(&info(ret::NO_CARD, vec![])),
            Err(Failure::Agent(AgentFailure::NoCard))
        );
        assert_eq!(
            signing_cards(&info(ret::SITE_NOT_TRUSTED, vec![])),
            Err(Failure::Agent(
                ecpa_wire::agent::AgentFailure::SiteNotTrusted
            ))
        );
    }
}
