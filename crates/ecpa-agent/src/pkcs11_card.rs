//! The real card: any PKCS#11 module (a smart-card middleware, or SoftHSM2),
//! loaded at run time through cryptoki.

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::AgentError;
use crate::card::{CardPin, CardReader, PinFlags, SlotView, TokenCertificate, TokenView};
use crate::login::{LoginAnswer, TokenLogin, log_in};

/// A PKCS#11 module. One card operation at a time: every call holds `busy`.
pub struct Pkcs11Card {
    context: Pkcs11,
    busy: Mutex<()>,
}

impl Pkcs11Card {
    /// Loads and initialises the module at `module`.
    pub fn open(module: &Path) -> Result<Self, AgentError> {
        let context = Pkcs11::new(module).map_err(card_error)?;
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(card_error)?;
        Ok(Self {
            context,
            busy: Mutex::new(()),
        })
    }

    fn slot(&self, slot_id: u64) -> Result<Slot, AgentError> {
        let slots = self.context.get_all_slots().map_err(card_error)?;
        slots
            .into_iter()
            .find(|s| s.id() == slot_id)
            .ok_or(AgentError::NoCard)
    }

    fn token_view(&self, slot: Slot) -> Result<Option<TokenView>, AgentError> {
        let info = match self.context.get_token_info(slot) {
            Ok(info) => info,
            Err(CkError::Pkcs11(
                RvError::TokenNotPresent | RvError::TokenNotRecognized | RvError::DeviceRemoved,
                _,
            )) => return Ok(None),
            Err(e) => return Err(card_error(e)),
        };
        if !info.token_initialized() {
            return Ok(None);
        }
        let session = self.context.open_ro_session(slot).map_err(card_error)?;
        let certificates = read_certificates(&session)?;
        Ok(Some(TokenView {
            serial_number: info.serial_number().trim().to_owned(),
            label: info.label().trim().to_owned(),
            certificates,
        }))
    }

    fn pin_flags(&self, slot: Slot) -> PinFlags {
        match self.context.get_token_info(slot) {
            Ok(info) => PinFlags {
                count_low: info.user_pin_count_low(),
                final_try: info.user_pin_final_try(),
                locked: info.user_pin_locked(),
            },
            Err(_) => PinFlags::default(),
        }
    }
}

impl CardReader for Pkcs11Card {
    fn slots(&self) -> Result<Vec<SlotView>, AgentError> {
        let _one_at_a_time = self.busy.lock().map_err(|_| poisoned())?;
        let slots = self.context.get_all_slots().map_err(card_error)?;
        let mut views = Vec::with_capacity(slots.len());
        for slot in slots {
            let info = self.context.get_slot_info(slot).map_err(card_error)?;
            let token = if info.token_present() {
                self.token_view(slot)?
            } else {
                None
            };
            views.push(SlotView {
                slot_id: slot.id(),
                description: info.slot_description().trim().to_owned(),
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
        let _one_at_a_time = self.busy.lock().map_err(|_| poisoned())?;
        let slot = self.slot(slot_id)?;
        self.check_pins(slot, &[pin])?;
        let session = self.context.open_ro_session(slot).map_err(token_error)?;
        self.login(&session, slot, pin)?;
        let signed = sign_with_key(&session, key_id, data);
        if let Err(e) = session.logout() {
            tracing::warn!(error = %e, "logout after signing failed");
        }
        signed
    }

    fn change_pin(&self, slot_id: u64, old: &CardPin, new: &CardPin) -> Result<(), AgentError> {
        let _one_at_a_time = self.busy.lock().map_err(|_| poisoned())?;
        let slot = self.slot(slot_id)?;
        self.check_pins(slot, &[old, new])?;
        let session = self.context.open_rw_session(slot).map_err(token_error)?;
        self.login(&session, slot, old)?;
        let changed = session
            .set_pin(&AuthPin::from(old.expose()), &AuthPin::from(new.expose()))
            .map_err(|e| match e {
                CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => {
                    AgentError::PinLength
                }
                other => token_error(other),
            });
        if let Err(e) = session.logout() {
            tracing::warn!(error = %e, "logout after changing the PIN failed");
        }
        changed
    }
}

impl Pkcs11Card {
    /// Refuses a locked token, and PINs outside the token's length range, before
    /// a try is spent.
    fn check_pins(&self, slot: Slot, pins: &[&CardPin]) -> Result<(), AgentError> {
        let info = self.context.get_token_info(slot).map_err(token_error)?;
        if info.user_pin_locked() {
            return Err(AgentError::PinLocked);
        }
        let range = info.min_pin_length()..=info.max_pin_length();
        if pins.iter().any(|pin| !range.contains(&pin.expose().len())) {
            return Err(AgentError::PinLength);
        }
        Ok(())
    }

    /// Logs the user in with `pin`, checked by the token (see [`crate::login`]).
    fn login(&self, session: &Session, slot: Slot, pin: &CardPin) -> Result<(), AgentError> {
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

/// C_Login and C_Logout on one session; a rejected PIN reads the tries left.
struct SessionLogin<'a> {
    card: &'a Pkcs11Card,
    session: &'a Session,
    slot: Slot,
}

impl TokenLogin for SessionLogin<'_> {
    fn login(&self, pin: &CardPin) -> LoginAnswer {
        let secret = AuthPin::from(pin.expose());
        LoginAnswer::Refused(match self.session.login(UserType::User, Some(&secret)) {
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

fn sign_with_key(session: &Session, key_id: &[u8], data: &[u8]) -> Result<Vec<u8>, AgentError> {
    let keys = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(key_id.to_vec()),
        ])
        .map_err(token_error)?;
    let key = keys
        .first()
        .copied()
        .ok_or(AgentError::NoSigningCertificate)?;
    session
        .sign(&Mechanism::Sha256RsaPkcs, key, data)
        .map_err(token_error)
}

fn read_certificates(session: &Session) -> Result<Vec<TokenCertificate>, AgentError> {
    let handles = session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .map_err(card_error)?;
    let mut certificates = Vec::with_capacity(handles.len());
    for handle in handles {
        let attributes = session
            .get_attributes(
                handle,
                &[
                    AttributeType::Label,
                    AttributeType::Id,
                    AttributeType::Value,
                ],
            )
            .map_err(card_error)?;
        let mut certificate = TokenCertificate {
            label: String::new(),
            id: Vec::new(),
            der: Vec::new(),
        };
        for attribute in attributes {
            match attribute {
                Attribute::Label(label) => {
                    certificate.label = String::from_utf8_lossy(&label).into_owned();
                }
                Attribute::Id(id) => certificate.id = id,
                Attribute::Value(der) => certificate.der = der,
                _ => {}
            }
        }
        if !certificate.der.is_empty() {
            certificates.push(certificate);
        }
    }
    Ok(certificates)
}

/// A token that went away mid-operation reads as "no card".
fn token_error(e: CkError) -> AgentError {
    match e {
        CkError::Pkcs11(
            RvError::TokenNotPresent
            | RvError::DeviceRemoved
            | RvError::SlotIdInvalid
            | RvError::TokenNotRecognized,
            _,
        ) => AgentError::NoCard,
        other => card_error(other),
    }
}

fn card_error(e: CkError) -> AgentError {
    AgentError::Card(e.to_string())
}

fn poisoned() -> AgentError {
    AgentError::Card("card lock poisoned".into())
}
