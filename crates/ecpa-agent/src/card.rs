//! The card behind a trait: what the protocol needs from a PKCS#11 token.

use zeroize::Zeroizing;

use crate::AgentError;

/// A card PIN on its way to the token: wiped from memory when dropped, never printed.
pub struct CardPin(Zeroizing<String>);

impl CardPin {
    pub fn new(pin: Zeroizing<String>) -> Self {
        Self(pin)
    }

    /// The PIN itself, for the one call that hands it to the token.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CardPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardPin(******)")
    }
}

/// One reader slot, with the token in it if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotView {
    pub slot_id: u64,
    pub description: String,
    /// `None` for an empty reader (or an uninitialised token).
    pub token: Option<TokenView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub serial_number: String,
    pub label: String,
    pub certificates: Vec<TokenCertificate>,
}

/// A certificate object (CKO_CERTIFICATE) on a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCertificate {
    /// CKA_LABEL.
    pub label: String,
    /// CKA_ID: the matching private key has the same.
    pub id: Vec<u8>,
    /// CKA_VALUE: the DER certificate.
    pub der: Vec<u8>,
}

/// The token's user-PIN state flags after a failed login (CKF_USER_PIN_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinFlags {
    pub count_low: bool,
    pub final_try: bool,
    pub locked: bool,
}

impl PinFlags {
    /// What a rejected PIN means, from the flags the token shows afterwards:
    /// locked, one try left (final try), two left (count low), or just wrong.
    /// PKCS#11 gives no count: this reads the flags as a three-try card (as
    /// citizen and organization cards are), where "count low" follows the first miss.
    pub fn after_wrong_pin(self) -> AgentError {
        if self.locked {
            AgentError::PinLocked
        } else if self.final_try {
            AgentError::PinIncorrect {
                tries_left: Some(1),
            }
        } else if self.count_low {
            AgentError::PinIncorrect {
                tries_left: Some(2),
            }
        } else {
            AgentError::PinIncorrect { tries_left: None }
        }
    }
}

/// Access to the card readers. Calls block (PKCS#11 is synchronous); an
/// implementation runs one card operation at a time.
pub trait CardReader: Send + Sync {
    /// Every slot, with its token and the token's certificates (no PIN needed).
    fn slots(&self) -> Result<Vec<SlotView>, AgentError>;

    /// Logs in to the token in `slot_id` with `pin`, signs `data` with SHA-256 and
    /// RSA PKCS#1 v1.5 using the private key whose CKA_ID is `key_id`, and logs out.
    fn sign(
        &self,
        slot_id: u64,
        key_id: &[u8],
        pin: &CardPin,
        data: &[u8],
    ) -> Result<Vec<u8>, AgentError>;

    /// Logs in to the token in `slot_id` with `old` and changes its user PIN to
    /// `new` (C_SetPIN), then logs out. A reader that cannot says so.
    fn change_pin(&self, slot_id: u64, old: &CardPin, new: &CardPin) -> Result<(), AgentError> {
        let _ = (slot_id, old, new);
        Err(AgentError::Unsupported("changeUserPINCode"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_never_printed() {
        let pin = CardPin::new(Zeroizing::new("123456".into()));
        assert!(!format!("{pin:?}").contains("123456"));
    }

    #[test]
    fn flags_give_tries_left() {
        let codes = |flags: PinFlags| {
            let e = flags.after_wrong_pin();
            (e.ret_code(), e.last_error())
        };
        use ecpa_wire::agent::ret;
        assert_eq!(
            codes(PinFlags::default()),
            (ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT)
        );
        let low = PinFlags {
            count_low: true,
            ..PinFlags::default()
        };
        assert_eq!(codes(low).1, ret::PIN_INCORRECT_2_LEFT);
        let last = PinFlags {
            count_low: true,
            final_try: true,
            locked: false,
        };
        assert_eq!(codes(last).1, ret::PIN_INCORRECT_1_LEFT);
        let locked = PinFlags {
            locked: true,
            ..last
        };
        assert_eq!(codes(locked).1, ret::PIN_LOCKED);
    }
}
