//! The SPA's certificate reader: a web worker (`ecpa-cert-reader`) that reads card
//! certificates for the page, so that the login page's bundle carries no X.509 code.
//! Both sides speak JSON text: the page sends a [`ReadRequest`], the worker answers
//! with a [`ReadReply`] (once it listens, it first posts [`READY`]). The reply carries
//! only the [`CardFacts`] the page shows, so the page decodes no more than it needs.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_wire::CardKind;
use serde::{Deserialize, Serialize};

use crate::{CertProfile, DistinguishedName, parse_der};

/// What the worker posts once it listens: messages sent before would be lost.
pub const READY: &str = "ready";

/// Certificates to read, as the agent gave them (base64 DER).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    pub id: u32,
    pub certificates: Vec<String>,
}

/// What each one says, in order; `None` for one that does not decode or parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReply {
    pub id: u32,
    pub facts: Vec<Option<CardFacts>>,
}

/// What the page shows of a card certificate, as its [`CertProfile`] says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFacts {
    /// `Some` for a citizen or an organization card certificate.
    pub kind: Option<CardKind>,
    /// Lower-case hex without a leading zero byte.
    pub serial_hex: String,
    pub subject: DistinguishedName,
    /// Unix seconds, UTC.
    pub not_before: i64,
    pub not_after: i64,
    /// Organization cards: the agency OID, dotted.
    pub agency_oid: Option<String>,
}

impl From<CertProfile> for CardFacts {
    fn from(profile: CertProfile) -> Self {
        Self {
            kind: profile.kind,
            serial_hex: profile.serial_hex,
            subject: profile.subject,
            not_before: profile.not_before,
            not_after: profile.not_after,
            agency_oid: profile.agency_oid,
        }
    }
}

/// What a base64 DER certificate says; `None` when it does not decode or parse.
pub fn read_base64(base64: &str) -> Option<CardFacts> {
    let der = STANDARD.decode(base64.trim()).ok()?;
    parse_der(&der).ok().map(CardFacts::from)
}

/// The worker's answer to one message; `None` for a message that is not a request.
pub fn answer(message: &str) -> Option<String> {
    let request: ReadRequest = serde_json::from_str(message).ok()?;
    let reply = ReadReply {
        id: request.id,
        facts: request
            .certificates
            .iter()
            .map(|base64| read_base64(base64))
            .collect(),
    };
    serde_json::to_string(&reply).ok()
}
