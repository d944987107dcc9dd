//! PIN tries and request checks on the fake card (SoftHSM2 never counts tries down
//! or locks, so these run on the faithful fake; see `fake_card.rs`).

use ecpa_wire::agent::{SignResult, ret};

use crate::certs::{DAY, now_unix};
use crate::fake_card::FakeCard;
use crate::in_process::FAKE_KEY;
use crate::in_process::{PIN, PORTAL, agent_with, fake_card, fake_card_valid, package};
use crate::verify::verify_with_cert;

fn codes(result: &SignResult) -> (u32, u32) {
    (result.ret_code, result.last_error)
}

#[tokio::test]
async fn wrong_pins_count_down_to_a_locked_card() {
    let agent = agent_with(fake_card());
    let wrong = package("hello", "111111");

    let first: SignResult = agent.sign(Some(PORTAL), &wrong).await.json();
    assert_eq!(
        codes(&first),
        (ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT_2_LEFT)
    );
    let second: SignResult = agent.sign(Some(PORTAL), &wrong).await.json();
    assert_eq!(
        codes(&second),
        (ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT_1_LEFT)
    );
    let third: SignResult = agent.sign(Some(PORTAL), &wrong).await.json();
    assert_eq!(codes(&third), (ret::CARD_LOGIN_FAILED, ret::PIN_LOCKED));
    assert_eq!(agent.card.login_attempts(), 3);

    // Locked: even the right PIN is refused, and the card is not asked again.
    let right: SignResult = agent
        .sign(Some(PORTAL), &package("hello", PIN))
        .await
        .json();
    assert_eq!(codes(&right), (ret::CARD_LOGIN_FAILED, ret::PIN_LOCKED));
    assert_eq!(agent.card.login_attempts(), 3);
}

#[tokio::test]
async fn the_right_pin_resets_the_count_and_signs() {
    let agent = agent_with(fake_card());
    let wrong: SignResult = agent
        .sign(Some(PORTAL), &package("hello", "111111"))
        .await
        .json();
    assert_eq!(wrong.last_error, ret::PIN_INCORRECT_2_LEFT);

    let signed: SignResult = agent
        .sign(Some(PORTAL), &package("hello", PIN))
        .await
        .json();
    assert_eq!(codes(&signed), (ret::OK, 0));
    verify_with_cert(&signed.certb64, b"hello", &signed.signature);
    assert_eq!(signed.card_sn, "FAKE0000000001");

    let again: SignResult = agent
        .sign(Some(PORTAL), &package("hello", "111111"))
        .await
        .json();
    assert_eq!(
        again.last_error,
        ret::PIN_INCORRECT_2_LEFT,
        "count restarts after a good PIN"
    );
}

#[tokio::test]
async fn a_percent_encoded_pin_is_decoded() {
    let agent = agent_with(fake_card());
    let encoded: String = PIN.bytes().map(|b| format!("%{b:02X}")).collect();
    // As the HiPKI sample pages post it: encodeURIComponent'd inside the JSON, the
    // JSON as the raw form body, which the agent URL-decodes once.
    let body = format!("tbsPackage={}", package("hello", &encoded));
    let signed: SignResult = agent.post("/sign", Some(PORTAL), body).await.json();
    assert_eq!(codes(&signed), (ret::OK, 0));
    // Decoded once only: still encoded after the form's own decoding, it is
    // another PIN (as with HiPKI's agent).
    let wrong: SignResult = agent
        .sign(Some(PORTAL), &package("hello", &encoded))
        .await
        .json();
    assert_eq!(wrong.ret_code, ret::CARD_LOGIN_FAILED);
}

#[tokio::test]
async fn malformed_requests_never_reach_the_card() {
    let agent = agent_with(fake_card());
    let cases = [
        ("{not json", ret::BAD_JSON),
        (r#"{"func":"MakeSignature"}"#, ret::BAD_PARAMETER),
        (
            &package("hello", PIN).replace("SHA256", "SHA1"),
            ret::UNSUPPORTED,
        ),
        (
            &package("hello", PIN).replace("PKCS1", "PKCS9"),
            ret::BAD_PARAMETER,
        ),
        (
            &package("hello", PIN).replace("MakeSignature", "EncryptData"),
            ret::BAD_PARAMETER,
        ),
        (
            &package("hello", PIN).replace("NONE", "hex"),
            ret::BAD_PARAMETER,
        ),
        (
            &package("!!!", PIN).replace("NONE", "base64"),
            ret::BAD_PARAMETER,
        ),
        (&package("", PIN), ret::BAD_PARAMETER),
        (&package("hello", ""), ret::NO_PIN),
    ];
    for (body, expected) in cases {
        let result: SignResult = agent.sign(Some(PORTAL), body).await.json();
        assert_eq!(result.ret_code, expected, "{body}");
        assert_eq!(result.func, "sign");
    }
    assert_eq!(agent.card.login_attempts(), 0);
}

#[tokio::test]
async fn certificate_dates_are_checked_before_the_pin() {
    let now = now_unix();
    let expired = agent_with(fake_card_valid(now - 900 * DAY, now - DAY));
    let result: SignResult = expired
        .sign(Some(PORTAL), &package("hello", PIN))
        .await
        .json();
    assert_eq!(result.ret_code, ret::CERT_EXPIRED);
    assert_eq!(expired.card.login_attempts(), 0);

    let future = agent_with(fake_card_valid(now + DAY, now + 900 * DAY));
    let result: SignResult = future
        .sign(Some(PORTAL), &package("hello", PIN))
        .await
        .json();
    assert_eq!(result.ret_code, ret::CERT_NOT_YET_VALID);
    assert_eq!(future.card.login_attempts(), 0);
}

#[tokio::test]
async fn an_empty_reader_is_no_card() {
    let agent = agent_with(FakeCard::empty_reader(FAKE_KEY.clone()));
    let result: SignResult = agent
        .sign(Some(PORTAL), &package("hello", PIN))
        .await
        .json();
    assert_eq!(result.ret_code, ret::NO_CARD);
    let info: ecpa_wire::agent::Pkcs11Info = agent.get("/pkcs11info", Some(PORTAL)).await.json();
    assert_eq!(info.ret_code, ret::NO_CARD);
    assert_eq!(info.slots.len(), 1);
}

/// A token left logged in answers CKR_USER_ALREADY_LOGGED_IN without checking the
/// PIN (SoftHSM2 shows that only inside the process holding the session, so this
/// runs on the fake): the agent logs out and makes the token check the PIN.
#[tokio::test]
async fn a_token_left_logged_in_still_checks_the_pin() {
    let agent = agent_with(fake_card());
    agent.card.leave_logged_in();
    let wrong: SignResult = agent
        .sign(Some(PORTAL), &package("hello", "111111"))
        .await
        .json();
    assert_eq!(
        codes(&wrong),
        (ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT_2_LEFT)
    );
    assert!(wrong.signature.is_empty());
    assert!(!agent.card.is_logged_in());

    agent.card.leave_logged_in();
    let right: SignResult = agent
        .sign(Some(PORTAL), &package("hello", PIN))
        .await
        .json();
    assert_eq!(codes(&right), (ret::OK, 0));
    verify_with_cert(&right.certb64, b"hello", &right.signature);
    assert!(!agent.card.is_logged_in(), "logged out after signing");
}
