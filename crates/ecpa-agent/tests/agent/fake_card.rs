//! A faithful in-memory card for what SoftHSM2 cannot do: SoftHSM2 never counts
//! wrong PINs down and never locks (TOOLCHAIN.md), so tries-left and locked cases
//! run against this fake. It keeps a real card's PIN counter (3 tries), shows the
//! state through the same CKF_USER_PIN_* flags a token reports, signs with a real
//! RSA key (SHA-256, PKCS#1 v1.5) and counts every login attempt. It can also be
//! left logged in, as a token is when an earlier operation of the process did not
//! log out: C_Login then answers CKR_USER_ALREADY_LOGGED_IN without checking the
//! PIN, a state SoftHSM2 shows only inside the one process holding the session.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ecpa_agent::{
    AgentError, CardPin, CardReader, LoginAnswer, PinFlags, SlotView, TokenCertificate, TokenLogin,
    TokenView, log_in,
};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use sha2::Sha256;

/// A card's PIN tries before it locks.
const TRIES: u8 = 3;

pub struct FakeCard {
    slots: Vec<SlotView>,
    key: RsaPrivateKey,
    pin: String,
    tries_left: Mutex<u8>,
    logged_in: Mutex<bool>,
    login_attempts: AtomicUsize,
    slot_reads: AtomicUsize,
}

impl FakeCard {
    /// One reader holding a card with `certificates` (DER, in order: signing first),
    /// CKA_ID `01`, whose key is `key`.
    pub fn new(key: RsaPrivateKey, pin: &str, certificates: Vec<Vec<u8>>) -> Self {
        let certificates = certificate_objects(certificates);
        Self {
            slots: vec![SlotView {
                slot_id: 7,
                description: "Fake reader 0".into(),
                token: Some(TokenView {
                    serial_number: "FAKE0000000001".into(),
                    label: "fake card".into(),
                    certificates,
                }),
            }],
            key,
            pin: pin.into(),
            tries_left: Mutex::new(TRIES),
            logged_in: Mutex::new(false),
            login_attempts: AtomicUsize::new(0),
            slot_reads: AtomicUsize::new(0),
        }
    }

    /// A reader with no card in it.
    pub fn empty_reader(key: RsaPrivateKey) -> Self {
        let mut card = Self::new(key, "000000", Vec::new());
        card.slots[0].token = None;
        card
    }

    /// Leaves the token logged in, as an operation that failed to log out would.
    pub fn leave_logged_in(&self) {
        *self.logged_in.lock().unwrap() = true;
    }

    /// True while the token is logged in.
    pub fn is_logged_in(&self) -> bool {
        *self.logged_in.lock().unwrap()
    }

    /// How many times a PIN was presented to the card (C_Login calls).
    pub fn login_attempts(&self) -> usize {
        self.login_attempts.load(Ordering::SeqCst)
    }

    /// How many times the card was read at all.
    pub fn touches(&self) -> usize {
        self.slot_reads.load(Ordering::SeqCst) + self.login_attempts()
    }

    fn flags(tries_left: u8) -> PinFlags {
        PinFlags {
            count_low: tries_left < TRIES,
            final_try: tries_left == 1,
            locked: tries_left == 0,
        }
    }
}

impl CardReader for FakeCard {
    fn slots(&self) -> Result<Vec<SlotView>, AgentError> {
        self.slot_reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.slots.clone())
    }

    fn sign(
        &self,
        _slot_id: u64,
        key_id: &[u8],
        pin: &CardPin,
        data: &[u8],
    ) -> Result<Vec<u8>, AgentError> {
        log_in(self, pin)?;
        assert_eq!(
            key_id,
            [1],
            "the agent must pick the key by the certificate's CKA_ID"
        );
        let signature = SigningKey::<Sha256>::new(self.key.clone())
            .sign(data)
            .to_vec();
        self.logout()?;
        Ok(signature)
    }
}

/// Certificate objects (DER, in order: signing first), all with CKA_ID `01`, as a
/// citizen card holds its signing and encryption certificates for one key.
pub fn certificate_objects(certificates: Vec<Vec<u8>>) -> Vec<TokenCertificate> {
    certificates
        .into_iter()
        .enumerate()
        .map(|(i, der)| TokenCertificate {
            label: format!("cert{i}"),
            id: vec![1],
            der,
        })
        .collect()
}

/// C_Login / C_Logout as a token answers them.
impl TokenLogin for FakeCard {
    fn login(&self, pin: &CardPin) -> LoginAnswer {
        let mut tries_left = self.tries_left.lock().unwrap();
        if *tries_left == 0 {
            // A locked token refuses C_Login before checking the PIN.
            return LoginAnswer::Refused(AgentError::PinLocked);
        }
        self.login_attempts.fetch_add(1, Ordering::SeqCst);
        let mut logged_in = self.logged_in.lock().unwrap();
        if *logged_in {
            return LoginAnswer::AlreadyLoggedIn;
        }
        if pin.expose() != self.pin {
            *tries_left -= 1;
            return LoginAnswer::Refused(Self::flags(*tries_left).after_wrong_pin());
        }
        *tries_left = TRIES;
        *logged_in = true;
        LoginAnswer::LoggedIn
    }

    fn logout(&self) -> Result<(), AgentError> {
        *self.logged_in.lock().unwrap() = false;
        Ok(())
    }
}
