//! The SPA's certificate reader: a web worker (`ecpa-cert-reader`) that reads card
//! certificates for the page, so that the login page's bundle carries no X.509 code.
//! Both sides speak JSON text: the page sends a [`ReadRequest`], the worker answers
//! with a [`ReadReply`] (once it listens, it first posts [`READY`]).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::{CertProfile, parse_der};

/// What the worker posts once it listens: messages sent before would be lost.
pub const READY: &str = "ready";

/// Certificates to read, as the agent gave them (base64 DER).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    pub id: u32,
    pub certificates: Vec<String>,
}

/// Their profiles, in order; `None` for one that does not decode or parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReply {
    pub id: u32,
    pub profiles: Vec<Option<CertProfile>>,
}

/// The profile of a base64 DER certificate; `None` when it does not decode or parse.
pub fn parse_base64(base64: &str) -> Option<CertProfile> {
    let der = STANDARD.decode(base64.trim()).ok()?;
    parse_der(&der).ok()
}

/// The worker's answer to one message; `None` for a message that is not a request.
pub fn answer(message: &str) -> Option<String> {
    let request: ReadRequest = serde_json::from_str(message).ok()?;
    let reply = ReadReply {
        id: request.id,
        profiles: request
            .certificates
            .iter()
            .map(|base64| parse_base64(base64))
            .collect(),
    };
    serde_json::to_string(&reply).ok()
}
