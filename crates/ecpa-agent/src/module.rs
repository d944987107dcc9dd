//! The PKCS#11 calls the card makes, behind a trait. [`CryptokiModule`] is the real
//! one (any module loaded through cryptoki); tests drive the same card logic
//! ([`crate::pkcs11_card::ModuleCard`]) over a fake module to inject what a real
//! token does and SoftHSM2 cannot: a card pulled out mid-operation, a module that
//! answers errors or blocks.
//!
//! Errors are cryptoki's own (`CKR_*` with the function that answered it), so the
//! card maps exactly what a module returns.

use std::ops::RangeInclusive;
use std::path::Path;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::Error as CkError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::card::{CardPin, PinFlags, TokenCertificate};

pub type ModuleResult<T> = Result<T, CkError>;

/// What C_GetSlotInfo says about a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotState {
    pub description: String,
    pub token_present: bool,
}

/// What C_GetTokenInfo says about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenState {
    pub initialized: bool,
    pub serial_number: String,
    pub label: String,
    pub pin_flags: PinFlags,
    /// ulMinPinLen..=ulMaxPinLen.
    pub pin_length: RangeInclusive<usize>,
}

/// A PKCS#11 module's slot and token calls. Blocking, as PKCS#11 is.
pub trait Pkcs11Module: Send + Sync + 'static {
    type Session: ModuleSession;

    /// C_GetSlotList (every slot, with a token or not).
    fn slot_ids(&self) -> ModuleResult<Vec<u64>>;
    /// C_GetSlotInfo.
    fn slot_state(&self, slot: u64) -> ModuleResult<SlotState>;
    /// C_GetTokenInfo.
    fn token_state(&self, slot: u64) -> ModuleResult<TokenState>;
    /// C_OpenSession; the session is closed (C_CloseSession) when dropped.
    fn open_session(&self, slot: u64, read_write: bool) -> ModuleResult<Self::Session>;
}

/// One open session's calls.
pub trait ModuleSession {
    /// C_Login as the user.
    fn login(&self, pin: &CardPin) -> ModuleResult<()>;
    /// C_Logout.
    fn logout(&self) -> ModuleResult<()>;
    /// C_FindObjects for CKO_CERTIFICATE, then C_GetAttributeValue (label, id, value).
    fn certificates(&self) -> ModuleResult<Vec<TokenCertificate>>;
    /// C_FindObjects for the private key whose CKA_ID is `key_id` (`None`: no such
    /// key), then C_SignInit and C_Sign with CKM_SHA256_RSA_PKCS over `data`.
    fn sign(&self, key_id: &[u8], data: &[u8]) -> ModuleResult<Option<Vec<u8>>>;
    /// C_SetPIN.
    fn set_pin(&self, old: &CardPin, new: &CardPin) -> ModuleResult<()>;
}

/// A PKCS#11 library loaded at run time through cryptoki.
pub struct CryptokiModule {
    context: Pkcs11,
}

impl CryptokiModule {
    /// Loads and initialises the module at `path` (C_Initialize, OS locking).
    pub fn open(path: &Path) -> ModuleResult<Self> {
        let context = Pkcs11::new(path)?;
        context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))?;
        Ok(Self { context })
    }
}

impl Pkcs11Module for CryptokiModule {
    type Session = CryptokiSession;

    fn slot_ids(&self) -> ModuleResult<Vec<u64>> {
        Ok(self.context.get_all_slots()?.iter().map(Slot::id).collect())
    }

    fn slot_state(&self, slot: u64) -> ModuleResult<SlotState> {
        let info = self.context.get_slot_info(Slot::try_from(slot)?)?;
        Ok(SlotState {
            description: info.slot_description().trim().to_owned(),
            token_present: info.token_present(),
        })
    }

    fn token_state(&self, slot: u64) -> ModuleResult<TokenState> {
        let info = self.context.get_token_info(Slot::try_from(slot)?)?;
        Ok(TokenState {
            initialized: info.token_initialized(),
            serial_number: info.serial_number().trim().to_owned(),
            label: info.label().trim().to_owned(),
            pin_flags: PinFlags {
                count_low: info.user_pin_count_low(),
                final_try: info.user_pin_final_try(),
                locked: info.user_pin_locked(),
            },
            pin_length: info.min_pin_length()..=info.max_pin_length(),
        })
    }

    fn open_session(&self, slot: u64, read_write: bool) -> ModuleResult<CryptokiSession> {
        let slot = Slot::try_from(slot)?;
        let session = if read_write {
            self.context.open_rw_session(slot)?
        } else {
            self.context.open_ro_session(slot)?
        };
        Ok(CryptokiSession(session))
    }
}

/// A cryptoki session (closed when dropped).
pub struct CryptokiSession(Session);

impl ModuleSession for CryptokiSession {
    fn login(&self, pin: &CardPin) -> ModuleResult<()> {
        self.0
            .login(UserType::User, Some(&AuthPin::from(pin.expose())))
    }

    fn logout(&self) -> ModuleResult<()> {
        self.0.logout()
    }

    fn certificates(&self) -> ModuleResult<Vec<TokenCertificate>> {
        let handles = self
            .0
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])?;
        let mut certificates = Vec::with_capacity(handles.len());
        for handle in handles {
            let attributes = self.0.get_attributes(
                handle,
                &[
                    AttributeType::Label,
                    AttributeType::Id,
                    AttributeType::Value,
                ],
            )?;
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

    fn sign(&self, key_id: &[u8], data: &[u8]) -> ModuleResult<Option<Vec<u8>>> {
        let keys = self.0.find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(key_id.to_vec()),
        ])?;
        let Some(key) = keys.first().copied() else {
            return Ok(None);
        };
        self.0.sign(&Mechanism::Sha256RsaPkcs, key, data).map(Some)
    }

    fn set_pin(&self, old: &CardPin, new: &CardPin) -> ModuleResult<()> {
        self.0
            .set_pin(&AuthPin::from(old.expose()), &AuthPin::from(new.expose()))
    }
}
