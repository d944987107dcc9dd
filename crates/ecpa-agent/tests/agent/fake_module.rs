//! A faithful in-memory PKCS#11 module under the agent's real card logic
//! (`ModuleCard`), for the faults a real reader shows and SoftHSM2 cannot: a card
//! pulled out between C_Login and C_Sign, a module answering CKR_DEVICE_ERROR and
//! the like, a call that blocks. It answers as the standard says a module does:
//!
//! * pulling the card out closes every session and logs the user out; C_GetSlotInfo
//!   then shows no token, C_GetTokenInfo and C_OpenSession answer
//!   CKR_TOKEN_NOT_PRESENT, calls on a closed session CKR_SESSION_HANDLE_INVALID;
//! * the card keeps its own PIN counter (3 tries, CKF_USER_PIN_* flags);
//! * C_Login on a token already logged in answers CKR_USER_ALREADY_LOGGED_IN
//!   without checking the PIN; closing a token's last session logs it out.
//!
//! Faults are queued per call and each is used by the next call of that kind.
//! It also records the most calls ever in the module at once (the agent promises
//! one card operation at a time).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cryptoki::context::Function;
use cryptoki::error::{Error as CkError, RvError};
use ecpa_agent::module::{ModuleResult, SlotState, TokenState};
use ecpa_agent::{CardPin, ModuleSession, PinFlags, Pkcs11Module, TokenCertificate};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use sha2::Sha256;

use crate::fake_card::certificate_objects;
use crate::gate::Gate;

/// A card's PIN tries before it locks.
const TRIES: u8 = 3;
pub const SLOT: u64 = 7;
pub const SERIAL: &str = "FAKEMOD0000001";

/// The module calls a fault can be put on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    GetSlotList,
    GetSlotInfo,
    GetTokenInfo,
    OpenSession,
    CloseSession,
    Login,
    Logout,
    FindCertificates,
    Sign,
}

impl Call {
    fn function(self) -> Function {
        match self {
            Self::GetSlotList => Function::GetSlotList,
            Self::GetSlotInfo => Function::GetSlotInfo,
            Self::GetTokenInfo => Function::GetTokenInfo,
            Self::OpenSession => Function::OpenSession,
            Self::CloseSession => Function::CloseSession,
            Self::Login => Function::Login,
            Self::Logout => Function::Logout,
            Self::FindCertificates => Function::FindObjects,
            Self::Sign => Function::Sign,
        }
    }
}

/// What the next call of a kind does instead of its work.
pub enum Fault {
    /// Does its work as usual (a fault for a later call of the kind goes after it).
    Pass,
    /// Answers this CKR_* and changes nothing.
    Answer(RvError),
    /// The card is pulled out as the call runs: the call answers this CKR_*
    /// (CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT...) and the card stays out.
    PullCard(RvError),
    /// The card loses contact and is back at once: sessions closed, user logged
    /// out, the call answers this CKR_*; the next operation finds the card.
    Bounce(RvError),
    /// The call waits in the module until the gate opens, then does its work.
    Block(Gate),
    /// The call panics, as the Rust wrapper around a module might: the agent's
    /// card lock is held at that moment.
    Panic,
}

/// The token's state, as the card and the module keep it.
struct Token {
    present: bool,
    tries_left: u8,
    logged_in: bool,
    open_sessions: HashSet<u64>,
    next_session: u64,
}

struct Shared {
    token: Mutex<Token>,
    faults: Mutex<HashMap<Call, VecDeque<Fault>>>,
    certificates: Vec<TokenCertificate>,
    key: RsaPrivateKey,
    pin: String,
    in_module: AtomicUsize,
    most_in_module: AtomicUsize,
    pins_checked: AtomicUsize,
    signatures: AtomicUsize,
}

/// The module (one reader, slot [`SLOT`], holding one card).
#[derive(Clone)]
pub struct FakeModule(Arc<Shared>);

/// One session on the fake token.
pub struct FakeSession {
    shared: Arc<Shared>,
    handle: u64,
}

impl FakeModule {
    /// A reader with a card in it holding `certificates` (CKA_ID `01`, signing
    /// first) whose key is `key` and PIN `pin`.
    pub fn new(key: RsaPrivateKey, pin: &str, certificates: Vec<Vec<u8>>) -> Self {
        let certificates = certificate_objects(certificates);
        Self(Arc::new(Shared {
            token: Mutex::new(Token {
                present: true,
                tries_left: TRIES,
                logged_in: false,
                open_sessions: HashSet::new(),
                next_session: 1,
            }),
            faults: Mutex::new(HashMap::new()),
            certificates,
            key,
            pin: pin.into(),
            in_module: AtomicUsize::new(0),
            most_in_module: AtomicUsize::new(0),
            pins_checked: AtomicUsize::new(0),
            signatures: AtomicUsize::new(0),
        }))
    }

    /// Queues `fault` for the next call of kind `call`.
    pub fn inject(&self, call: Call, fault: Fault) {
        self.0
            .faults
            .lock()
            .unwrap()
            .entry(call)
            .or_default()
            .push_back(fault);
    }

    /// Faults queued and not used yet.
    pub fn faults_left(&self) -> usize {
        self.0
            .faults
            .lock()
            .unwrap()
            .values()
            .map(VecDeque::len)
            .sum()
    }

    /// Puts the card (back) in the reader.
    pub fn insert_card(&self) {
        self.0.token.lock().unwrap().present = true;
    }

    pub fn tries_left(&self) -> u8 {
        self.0.token.lock().unwrap().tries_left
    }

    pub fn is_logged_in(&self) -> bool {
        self.0.token.lock().unwrap().logged_in
    }

    pub fn open_sessions(&self) -> usize {
        self.0.token.lock().unwrap().open_sessions.len()
    }

    /// PINs the card compared (C_Login calls that reached the card's check).
    pub fn pins_checked(&self) -> usize {
        self.0.pins_checked.load(Ordering::SeqCst)
    }

    pub fn signatures(&self) -> usize {
        self.0.signatures.load(Ordering::SeqCst)
    }

    /// The most module calls that ever ran at once.
    pub fn most_calls_at_once(&self) -> usize {
        self.0.most_in_module.load(Ordering::SeqCst)
    }
}

/// Counts a call in the module until dropped.
struct InModule<'a>(&'a Shared);

impl Drop for InModule<'_> {
    fn drop(&mut self) {
        self.0.in_module.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Shared {
    /// Enters the module for `call`: runs the call's queued fault if there is one.
    fn enter(&self, call: Call) -> ModuleResult<InModule<'_>> {
        let now = self.in_module.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_module.fetch_max(now, Ordering::SeqCst);
        let inside = InModule(self);
        let fault = self
            .faults
            .lock()
            .unwrap()
            .get_mut(&call)
            .and_then(VecDeque::pop_front);
        let answer = |rv| Err(CkError::Pkcs11(rv, call.function()));
        match fault {
            None | Some(Fault::Pass) => Ok(inside),
            Some(Fault::Answer(rv)) => answer(rv),
            Some(Fault::PullCard(rv)) => {
                self.lose_card(false);
                answer(rv)
            }
            Some(Fault::Bounce(rv)) => {
                self.lose_card(true);
                answer(rv)
            }
            Some(Fault::Block(gate)) => {
                gate.pass();
                Ok(inside)
            }
            Some(Fault::Panic) => panic!("injected panic in {call:?}"),
        }
    }

    fn lose_card(&self, back_at_once: bool) {
        let mut token = self.token.lock().unwrap();
        token.present = back_at_once;
        token.logged_in = false;
        token.open_sessions.clear();
    }

    fn not_present(call: Call) -> CkError {
        CkError::Pkcs11(RvError::TokenNotPresent, call.function())
    }
}

impl Pkcs11Module for FakeModule {
    type Session = FakeSession;

    fn slot_ids(&self) -> ModuleResult<Vec<u64>> {
        let _in = self.0.enter(Call::GetSlotList)?;
        Ok(vec![SLOT])
    }

    fn slot_state(&self, slot: u64) -> ModuleResult<SlotState> {
        let _in = self.0.enter(Call::GetSlotInfo)?;
        check_slot(slot, Call::GetSlotInfo)?;
        Ok(SlotState {
            description: "Fake PC/SC reader 0".into(),
            token_present: self.0.token.lock().unwrap().present,
        })
    }

    fn token_state(&self, slot: u64) -> ModuleResult<TokenState> {
        let _in = self.0.enter(Call::GetTokenInfo)?;
        check_slot(slot, Call::GetTokenInfo)?;
        let token = self.0.token.lock().unwrap();
        if !token.present {
            return Err(Shared::not_present(Call::GetTokenInfo));
        }
        Ok(TokenState {
            initialized: true,
            serial_number: SERIAL.into(),
            label: "fake module card".into(),
            pin_flags: PinFlags {
                count_low: token.tries_left < TRIES,
                final_try: token.tries_left == 1,
                locked: token.tries_left == 0,
            },
            pin_length: 6..=8,
        })
    }

    fn open_session(&self, slot: u64, _read_write: bool) -> ModuleResult<FakeSession> {
        let _in = self.0.enter(Call::OpenSession)?;
        check_slot(slot, Call::OpenSession)?;
        let mut token = self.0.token.lock().unwrap();
        if !token.present {
            return Err(Shared::not_present(Call::OpenSession));
        }
        let handle = token.next_session;
        token.next_session += 1;
        token.open_sessions.insert(handle);
        Ok(FakeSession {
            shared: self.0.clone(),
            handle,
        })
    }
}

fn check_slot(slot: u64, call: Call) -> ModuleResult<()> {
    if slot == SLOT {
        Ok(())
    } else {
        Err(CkError::Pkcs11(RvError::SlotIdInvalid, call.function()))
    }
}

impl FakeSession {
    /// Enters the module for a call on this session, refused once the session
    /// was closed (by pulling the card out).
    fn enter(&self, call: Call) -> ModuleResult<InModule<'_>> {
        let inside = self.shared.enter(call)?;
        if self
            .shared
            .token
            .lock()
            .unwrap()
            .open_sessions
            .contains(&self.handle)
        {
            Ok(inside)
        } else {
            Err(CkError::Pkcs11(
                RvError::SessionHandleInvalid,
                call.function(),
            ))
        }
    }
}

impl ModuleSession for FakeSession {
    fn login(&self, pin: &CardPin) -> ModuleResult<()> {
        let _in = self.enter(Call::Login)?;
        let refused = |rv| Err(CkError::Pkcs11(rv, Function::Login));
        let mut token = self.shared.token.lock().unwrap();
        if token.tries_left == 0 {
            return refused(RvError::PinLocked);
        }
        if token.logged_in {
            return refused(RvError::UserAlreadyLoggedIn);
        }
        self.shared.pins_checked.fetch_add(1, Ordering::SeqCst);
        if pin.expose() != self.shared.pin {
            token.tries_left -= 1;
            return refused(RvError::PinIncorrect);
        }
        token.tries_left = TRIES;
        token.logged_in = true;
        Ok(())
    }

    fn logout(&self) -> ModuleResult<()> {
        let _in = self.enter(Call::Logout)?;
        let mut token = self.shared.token.lock().unwrap();
        if !token.logged_in {
            return Err(CkError::Pkcs11(RvError::UserNotLoggedIn, Function::Logout));
        }
        token.logged_in = false;
        Ok(())
    }

    fn certificates(&self) -> ModuleResult<Vec<TokenCertificate>> {
        let _in = self.enter(Call::FindCertificates)?;
        Ok(self.shared.certificates.clone())
    }

    fn sign(&self, key_id: &[u8], data: &[u8]) -> ModuleResult<Option<Vec<u8>>> {
        let _in = self.enter(Call::Sign)?;
        if !self.shared.token.lock().unwrap().logged_in {
            return Err(CkError::Pkcs11(RvError::UserNotLoggedIn, Function::Sign));
        }
        if key_id != [1] {
            return Ok(None);
        }
        self.shared.signatures.fetch_add(1, Ordering::SeqCst);
        Ok(Some(
            SigningKey::<Sha256>::new(self.shared.key.clone())
                .sign(data)
                .to_vec(),
        ))
    }

    fn set_pin(&self, _old: &CardPin, _new: &CardPin) -> ModuleResult<()> {
        Err(CkError::Pkcs11(
            RvError::FunctionNotSupported,
            Function::SetPIN,
        ))
    }
}

/// C_CloseSession; closing the token's last session logs the user out.
impl Drop for FakeSession {
    fn drop(&mut self) {
        let Ok(_in) = self.shared.enter(Call::CloseSession) else {
            return;
        };
        let mut token = self.shared.token.lock().unwrap();
        if token.open_sessions.remove(&self.handle) && token.open_sessions.is_empty() {
            token.logged_in = false;
        }
    }
}
