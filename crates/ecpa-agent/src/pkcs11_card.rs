//! The real card: any PKCS#11 module (a smart-card middleware, or SoftHSM2),
//! loaded at run time through cryptoki. The card logic ([`ModuleCard`]) is over the
//! module's calls ([`Pkcs11Module`]), so what a module answers is mapped in one place.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use cryptoki::error::{Error as CkError, RvError};

use crate::AgentError;
use crate::card::{CardPin, CardReader, PinFlags, SlotView, TokenView};
use crate::login::{LoginAnswer, TokenLogin, log_in};
use crate::module::{CryptokiModule, ModuleSession, Pkcs11Module};

/// The card over a module loaded through cryptoki.
pub type Pkcs11Card = ModuleCard<CryptokiModule>;

/// A PKCS#11 module as the agent's card. One card operation at a time: every call
/// holds `busy`.
pub struct ModuleCard<M> {
    module: M,
    busy: Mutex<()>,
}

impl Pkcs11Card {
    /// Loads and initialises the module at `module`.
    pub fn open(module: &Path) -> Result<Self, AgentError> {
        Ok(Self::over(
            CryptokiModule::open(module).map_err(card_error)?,
        ))
    }
}

impl<M: Pkcs11Module> ModuleCard<M> {
    /// The card over an opened module.
    pub fn over(module: M) -> Self {
        Self {
            module,
            busy: Mutex::new(()),
        }
    }

    /// The one-operation-at-a-time guard. It guards no data, so a panic in an
    /// earlier operation leaves nothing half-changed: the card stays usable.
    fn one_at_a_time(&self) -> MutexGuard<'_, ()> {
        self.busy.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn slot(&self, slot_id: u64) -> Result<u64, AgentError> {
        let slots = self.module.slot_ids().map_err(card_error)?;
        if slots.contains(&slot_id) {
            Ok(slot_id)
        } else {
            Err(AgentError::NoCard)
        }
    }

    /// The token in `slot` with its certificates; `None` when there is none, or
    /// when it is pulled out while it is read.
    fn token_view(&self, slot: u64) -> Result<Option<TokenView>, AgentError> {
        let read = || {
            let info = self.module.token_state(slot)?;
            if !info.initialized {
                return Ok(None);
            }
            let session = self.module.open_session(slot, false)?;
            let certificates = session.certificates()?;
            Ok(Some(TokenView {
                serial_number: info.serial_number,
                label: info.label,
                certificates,
            }))
        };
        match read() {
            Ok(view) => Ok(view),
            Err(e) if token_gone(&e) => Ok(None),
            Err(e) => Err(card_error(e)),
        }
    }

    fn pin_flags(&self, slot: u64) -> PinFlags {
        self.module
            .token_state(slot)
            .map(|info| info.pin_flags)
            .unwrap_or_default()
    }

    /// Refuses a locked token, and PINs outside the token's length range, before
    /// a try is spent.
    fn check_pins(&self, slot: u64, pins: &[&CardPin]) -> Result<(), AgentError> {
        let info = self.module.token_state(slot).map_err(token_error)?;
        if info.pin_flags.locked {
            return Err(AgentError::PinLocked);
        }
        if pins
            .iter()
            .any(|pin| !info.pin_length.contains(&pin.expose().len()))
        {
            return Err(AgentError::PinLength);
        }
        Ok(())
    }

    /// Logs the user in with `pin`, checked by the token (see [`crate::login`]).
    fn login(&self, session: &M::Session, slot: u64, pin: &CardPin) -> Result<(), AgentError> {
        log_in(
            &SessionLogin {
                card: self,
                session,
                slot,
            },
            pin,
        )
    }
}

impl<M: Pkcs11Module> CardReader for ModuleCard<M> {
    fn slots(&self) -> Result<Vec<SlotView>, AgentError> {
        let _busy = self.one_at_a_time();
        let slots = self.module.slot_ids().map_err(card_error)?;
        let mut views = Vec::with_capacity(slots.len());
        for slot in slots {
            let info = self.module.slot_state(slot).map_err(card_error)?;
            let token = if info.token_present {
                self.token_view(slot)?
            } else {
                None
            };
            views.push(SlotView {
                slot_id: slot,
                description: info.description,
                token,
            });
        }
        Ok(views)
    }

    fn sign(
        &self,
        slot_id: u64,
        key_id: &[u8],
        pin: &CardPin,
        data: &[u8],
    ) -> Result<Vec<u8>, AgentError> {
        let _busy = self.one_at_a_time();
        let slot = self.slot(slot_id)?;
        self.check_pins(slot, &[pin])?;
        let session = self.module.open_session(slot, false).map_err(token_error)?;
        self.login(&session, slot, pin)?;
        let signed = session
            .sign(key_id, data)
            .map_err(token_error)
            .and_then(|signature| signature.ok_or(AgentError::NoSigningCertificate));
        if let Err(e) = session.logout() {
            tracing::warn!(error = %e, "logout after signing failed");
        }
        signed
    }

    fn change_pin(&self, slot_id: u64, old: &CardPin, new: &CardPin) -> Result<(), AgentError> {
        let _busy = self.one_at_a_time();
        let slot = self.slot(slot_id)?;
        self.check_pins(slot, &[old, new])?;
        let session = self.module.open_session(slot, true).map_err(token_error)?;
        self.login(&session, slot, old)?;
        let changed = session.set_pin(old, new).map_err(|e| match e {
            CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => AgentError::PinLength,
            other => token_error(other),
        });
        if let Err(e) = session.logout() {
            tracing::warn!(error = %e, "logout after changing the PIN failed");
        }
        changed
    }
}

/// C_Login and C_Logout on one session; a rejected PIN reads the tries left.
struct SessionLogin<'a, M: Pkcs11Module> {
    card: &'a ModuleCard<M>,
    session: &'a M::Session,
    slot: u64,
}

impl<M: Pkcs11Module> TokenLogin for SessionLogin<'_, M> {
    fn login(&self, pin: &CardPin) -> LoginAnswer {
        LoginAnswer::Refused(match self.session.login(pin) {
            Ok(()) => return LoginAnswer::LoggedIn,
            Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                return LoginAnswer::AlreadyLoggedIn;
            }
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                self.card.pin_flags(self.slot).after_wrong_pin()
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => AgentError::PinLocked,
            Err(CkError::Pkcs11(RvError::PinLenRange, _)) => AgentError::PinLength,
            Err(e) => token_error(e),
        })
    }

    fn logout(&self) -> Result<(), AgentError> {
        self.session.logout().map_err(token_error)
    }
}

/// What a module answers when the token left its reader: during the call
/// (CKR_DEVICE_REMOVED, CKR_SESSION_CLOSED), before it (CKR_TOKEN_NOT_PRESENT,
/// CKR_SESSION_HANDLE_INVALID for a session the removal closed), or for a reader
/// that went with it.
fn token_gone(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::TokenNotPresent
                | RvError::DeviceRemoved
                | RvError::SessionClosed
                | RvError::SessionHandleInvalid
                | RvError::SlotIdInvalid
                | RvError::TokenNotRecognized,
            _,
        )
    )
}

/// A token that went away mid-operation reads as "no card"; anything else the
/// module answers is a card error (its cause logged, not sent).
fn token_error(e: CkError) -> AgentError {
    if token_gone(&e) {
        AgentError::NoCard
    } else {
        card_error(e)
    }
}

fn card_error(e: CkError) -> AgentError {
    AgentError::Card(e.to_string())
}
