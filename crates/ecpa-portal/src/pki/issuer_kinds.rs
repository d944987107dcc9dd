//! Which CAs may issue which kind of card (`ECPA_CITIZEN_CAS`, `ECPA_ORGANIZATION_CAS`):
//! citizen cards only from the listed MOICA CAs, organization cards only from the
//! listed GCA CAs. A CA is named by its certificate file or its key identifier.

use std::path::Path;

use ecpa_wire::CardKind;

use super::{ParsedCert, pem_blocks};
use crate::PortalError;

/// The CAs allowed per card kind, as key identifiers; `None`: any configured CA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuerKinds {
    citizen: Option<Vec<Vec<u8>>>,
    organization: Option<Vec<Vec<u8>>>,
}

impl IssuerKinds {
    /// Reads both lists; an empty list means the setting is absent.
    pub fn parse(citizen: &[String], organization: &[String]) -> Result<Self, PortalError> {
        Ok(Self {
            citizen: key_ids(citizen)?,
            organization: key_ids(organization)?,
        })
    }

    /// Whether a card of `kind` may come from the CA with key identifier `issuer_key_id`.
    pub fn allows(&self, kind: CardKind, issuer_key_id: &[u8]) -> bool {
        let listed = match kind {
            CardKind::Citizen => &self.citizen,
            CardKind::Organization => &self.organization,
        };
        listed
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|id| id == issuer_key_id))
    }

    /// The kinds without a list (any configured CA may issue them).
    pub fn unrestricted(&self) -> Vec<CardKind> {
        let mut kinds = Vec::new();
        if self.citizen.is_none() {
            kinds.push(CardKind::Citizen);
        }
        if self.organization.is_none() {
            kinds.push(CardKind::Organization);
        }
        kinds
    }
}

/// Key identifiers from entries that are certificate files (PEM or DER) or, when no
/// such file exists, hex key identifiers (colons allowed).
fn key_ids(entries: &[String]) -> Result<Option<Vec<Vec<u8>>>, PortalError> {
    let mut ids = Vec::new();
    for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let path = Path::new(entry);
        if !path.is_file() {
            let id = hex::decode(entry.replace(':', ""))
                .ok()
                .filter(|id| !id.is_empty())
                .ok_or_else(|| {
                    PortalError::Config(format!(
                        "{entry}: neither a CA certificate file nor a hex key identifier"
                    ))
                })?;
            ids.push(id);
            continue;
        }
        let bytes = std::fs::read(path).map_err(|source| PortalError::File {
            path: entry.to_owned(),
            source,
        })?;
        for der in pem_blocks(&bytes, "CERTIFICATE")? {
            let ca = ParsedCert::parse(&der)
                .map_err(|e| PortalError::Config(format!("{entry}: not a certificate: {e}")))?;
            ids.push(ca.key_id());
        }
    }
    Ok((!ids.is_empty()).then_some(ids))
}
