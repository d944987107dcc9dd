//! CKR_USER_ALREADY_LOGGED_IN on a real SoftHSM2 token: the login state lives in
//! the process, so the card and a session left logged in must share one. SoftHSM2
//! reads SOFTHSM2_CONF once per process, so the test runs itself again in a child
//! process with the store's config set.

use std::process::Command;

use base64::Engine;
use cryptoki::context::Pkcs11;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use ecpa_agent::{AgentError, CardPin, CardReader, Pkcs11Card};
use zeroize::Zeroizing;

use crate::certs::{DAY, now_unix};
use crate::softhsm::{SoftHsm, module};
use crate::verify::verify_with_cert;

const PIN: &str = "135790";
const TEST: &str = "softhsm_login::a_session_left_logged_in_does_not_let_a_wrong_pin_sign";
/// Set in the child: the token store is ready.
const CHILD: &str = "ECPA_TEST_SOFTHSM_LOGIN_CHILD";

#[test]
fn a_session_left_logged_in_does_not_let_a_wrong_pin_sign() {
    if std::env::var_os(CHILD).is_some() {
        left_logged_in();
        return;
    }
    let hsm = SoftHsm::new();
    let now = now_unix();
    hsm.add_card("citizen-wang", PIN, now - 10 * DAY, now + 700 * DAY);
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", hsm.path("softhsm2.conf"))
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// In the child: another session of this process logs the user in and stays
/// open; the card is then asked to sign with a wrong PIN, and with the right one.
fn left_logged_in() {
    let card = Pkcs11Card::open(&module()).unwrap();
    let slot = card
        .slots()
        .unwrap()
        .into_iter()
        .find(|s| s.token.is_some())
        .unwrap();
    let signing = slot.token.as_ref().unwrap().certificates[0].clone();
    // The same library in the same process: already initialised by the card.
    let other = Pkcs11::new(module()).unwrap();
    let other_slot = other
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| s.id() == slot.slot_id)
        .unwrap();
    let session = other.open_ro_session(other_slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::from(PIN)))
        .unwrap();

    let pin = |p: &str| CardPin::new(Zeroizing::new(p.to_owned()));
    let wrong = card.sign(slot.slot_id, &signing.id, &pin("000000"), b"hello");
    assert!(
        matches!(wrong, Err(AgentError::PinIncorrect { .. })),
        "{wrong:?}"
    );

    session
        .login(UserType::User, Some(&AuthPin::from(PIN)))
        .unwrap();
    let signature = card
        .sign(slot.slot_id, &signing.id, &pin(PIN), b"hello")
        .unwrap();

    let b64 = base64::engine::general_purpose::STANDARD;
    verify_with_cert(&b64.encode(&signing.der), b"hello", &b64.encode(signature));
}
