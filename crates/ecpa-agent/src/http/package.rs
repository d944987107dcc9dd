//! The `tbsPackage` form field, read as the HiPKI agent reads it: the request
//! body is URL-decoded exactly once, and the field's value is the JSON package.
//! Nothing inside the JSON is decoded again, so a client that writes `+` as
//! `%2B` (ChtICToken.js) or runs `tbs` and `pin` through `encodeURIComponent`
//! (the HiPKI sample pages) relies on this one decoding, as a form post does.

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::{AgentError, SlotView, TokenView};

/// The fields of a package the agent uses; others (`nonce`, `withCardSN`,
/// `readername`, …) are accepted and ignored.
#[derive(Deserialize)]
pub(super) struct Package {
    #[serde(default)]
    pub func: String,
    #[serde(rename = "signatureType", default)]
    pub signature_type: Option<String>,
    #[serde(default)]
    pub tbs: Option<String>,
    #[serde(rename = "tbsEncoding", default)]
    pub tbs_encoding: Option<String>,
    #[serde(rename = "hashAlgorithm", default)]
    pub hash_algorithm: Option<String>,
    #[serde(default)]
    pub pin: String,
    #[serde(rename = "slotDescription", default)]
    pub slot_description: Option<String>,
    /// The card's serial number (ChtICToken.js sends the one `pkcs11info` gave).
    #[serde(default)]
    pub cardid: Option<String>,
    /// `changeUserPINCode`: the PIN now, and the one wanted.
    #[serde(rename = "currentPIN", default)]
    pub current_pin: String,
    #[serde(default)]
    pub newpin: String,
}

impl Package {
    /// The package in a form body, decoded once.
    pub fn read(body: &[u8]) -> Result<Self, AgentError> {
        let json = form_urlencoded::parse(body)
            .find(|(key, _)| key == "tbsPackage")
            .map(|(_, value)| Zeroizing::new(value.into_owned()))
            .ok_or(AgentError::BadParameter("tbsPackage"))?;
        serde_json::from_str(&json).map_err(|e| {
            if e.is_data() {
                AgentError::BadParameter("tbsPackage")
            } else {
                AgentError::BadJson
            }
        })
    }

    /// Takes the PIN out, to be wiped after use.
    pub fn take_pin(&mut self) -> Zeroizing<String> {
        Zeroizing::new(std::mem::take(&mut self.pin))
    }

    /// Takes the current and the new PIN out, to be wiped after use.
    pub fn take_pin_change(&mut self) -> (Zeroizing<String>, Zeroizing<String>) {
        (
            Zeroizing::new(std::mem::take(&mut self.current_pin)),
            Zeroizing::new(std::mem::take(&mut self.newpin)),
        )
    }
}

/// The slot a package names (`slotDescription`), or else the first slot holding a
/// card; and its card, which must be the one `cardid` names when given.
pub(super) fn chosen_card<'a>(
    slots: &'a [SlotView],
    description: Option<&str>,
    card_id: Option<&str>,
) -> Result<(&'a SlotView, &'a TokenView), AgentError> {
    if slots.is_empty() {
        return Err(AgentError::NoReader);
    }
    let slot = match description {
        Some(name) => slots.iter().find(|s| s.description == name),
        None => slots.iter().find(|s| s.token.is_some()),
    };
    let slot = slot.ok_or(AgentError::NoCard)?;
    let token = slot.token.as_ref().ok_or(AgentError::NoCard)?;
    if card_id.is_some_and(|id| id != token.serial_number) {
        return Err(AgentError::NoCard);
    }
    Ok((slot, token))
}

/// `Some(value)` unless it is absent or empty.
pub(super) fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}
