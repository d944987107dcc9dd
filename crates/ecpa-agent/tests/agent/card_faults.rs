//! Card faults under the agent's real card logic (`ModuleCard`) over the fake
//! PKCS#11 module (`fake_module.rs`): a card pulled out mid-signature, a module
//! answering errors, a blocked call, and a hundred requests at once with faults
//! among them. SoftHSM2 cannot pull its token out or fail on demand.

use std::sync::Arc;
use std::time::Duration;

use cryptoki::error::RvError;
use ecpa_agent::{CARD_ERROR, ModuleCard, Origin, TrustedSites};
use ecpa_wire::agent::{AgentFailure, Pkcs11Info, SignResult, ret};

use crate::certs::{DAY, now_unix};
use crate::fake_module::{Call, FakeModule, Fault, SERIAL};
use crate::gate::gate;
use crate::in_process::{
    FAKE_KEY, PIN, PORTAL, TestAgent, agent_over, citizen_certificates, package,
};
use crate::verify::verify_with_cert;

type ModuleAgent = TestAgent<ModuleCard<FakeModule>>;

/// Any wait on the agent longer than this is taken as a hang: a liveness bound,
/// not a speed figure.
const HANG: Duration = Duration::from_secs(300);

fn module_agent() -> (ModuleAgent, FakeModule) {
    let now = now_unix();
    let module = FakeModule::new(
        FAKE_KEY.clone(),
        PIN,
        citizen_certificates(now - 30 * DAY, now + 300 * DAY),
    );
    let trusted = TrustedSites::in_memory(vec![Origin::parse(PORTAL).unwrap()]);
    (
        agent_over(ModuleCard::over(module.clone()), trusted),
        module,
    )
}

async fn sign(agent: &ModuleAgent, pin: &str) -> SignResult {
    bounded(agent.sign(Some(PORTAL), &package("hello", pin)))
        .await
        .json()
}

async fn info(agent: &ModuleAgent) -> Pkcs11Info {
    bounded(agent.get("/pkcs11info", Some(PORTAL))).await.json()
}

async fn bounded<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, work)
        .await
        .unwrap_or_else(|_| panic!("the agent did not answer within {HANG:?}"))
}

/// What the SPA reads from a sign answer.
fn meaning(result: &SignResult) -> Option<AgentFailure> {
    AgentFailure::from_codes(result.ret_code, result.last_error)
}

/// Nothing of a failed operation is left on the card: not logged in, no session
/// open, no PIN try spent.
fn card_left_clean(module: &FakeModule) {
    assert!(!module.is_logged_in(), "the token was left logged in");
    assert_eq!(module.open_sessions(), 0, "a session was left open");
    assert_eq!(module.tries_left(), 3, "a PIN try was spent");
}

async fn signs_again(agent: &ModuleAgent) {
    let signed = sign(agent, PIN).await;
    assert_eq!((signed.ret_code, signed.last_error), (ret::OK, 0));
    verify_with_cert(&signed.certb64, b"hello", &signed.signature);
    assert_eq!(signed.card_sn, SERIAL);
}

#[tokio::test]
async fn a_card_pulled_out_between_login_and_sign_answers_no_card() {
    // DEVICE_REMOVED and SESSION_CLOSED: pulled out during C_Sign; TOKEN_NOT_PRESENT
    // and SESSION_HANDLE_INVALID: pulled out before it (the session closed by then).
    for rv in [
        RvError::DeviceRemoved,
        RvError::TokenNotPresent,
        RvError::SessionClosed,
        RvError::SessionHandleInvalid,
    ] {
        let (agent, module) = module_agent();
        module.inject(Call::Sign, Fault::PullCard(rv));

        let pulled = sign(&agent, PIN).await;
        assert_eq!(
            (pulled.ret_code, pulled.last_error),
            (ret::NO_CARD, 0),
            "{rv:?}"
        );
        assert_eq!(meaning(&pulled), Some(AgentFailure::NoCard));
        assert_eq!(module.pins_checked(), 1, "{rv:?}: the PIN was checked once");
        card_left_clean(&module);

        let listed = info(&agent).await;
        assert_eq!(listed.ret_code, ret::NO_CARD, "{rv:?}");
        assert_eq!(listed.slots.len(), 1);
        assert!(listed.slots[0].token.is_none());
        let absent = sign(&agent, PIN).await;
        assert_eq!(absent.ret_code, ret::NO_CARD);

        module.insert_card();
        signs_again(&agent).await;
        // The card's counter was never touched: a wrong PIN finds all three tries.
        let wrong = sign(&agent, "111111").await;
        assert_eq!(wrong.last_error, ret::PIN_INCORRECT_2_LEFT, "{rv:?}");
        assert_eq!(module.signatures(), 1);
    }
}

#[tokio::test]
async fn a_card_pulled_out_before_the_pin_is_checked_spends_no_try() {
    for (call, rv) in [
        (Call::GetTokenInfo, RvError::TokenNotPresent),
        (Call::OpenSession, RvError::TokenNotPresent),
        (Call::Login, RvError::DeviceRemoved),
        (Call::Login, RvError::SessionHandleInvalid),
    ] {
        let (agent, module) = module_agent();
        // `/sign` lists the card first; it goes in `call` of the signature itself.
        for _ in 0..listing_calls(call) {
            module.inject(call, Fault::Pass);
        }
        module.inject(call, Fault::PullCard(rv));

        let pulled = sign(&agent, PIN).await;
        assert_eq!(
            (pulled.ret_code, pulled.last_error),
            (ret::NO_CARD, 0),
            "{call:?} {rv:?}"
        );
        assert_eq!(
            module.pins_checked(),
            0,
            "{call:?}: no PIN reached the card"
        );
        card_left_clean(&module);
        module.insert_card();
        signs_again(&agent).await;
    }
}

/// How many calls of `call` the listing ahead of a signature makes.
fn listing_calls(call: Call) -> usize {
    match call {
        Call::GetTokenInfo | Call::OpenSession => 1,
        _ => 0,
    }
}

#[tokio::test]
async fn a_card_pulled_out_while_its_certificates_are_read_is_no_card() {
    for rv in [RvError::DeviceRemoved, RvError::SessionHandleInvalid] {
        let (agent, module) = module_agent();
        module.inject(Call::FindCertificates, Fault::PullCard(rv));
        let listed = info(&agent).await;
        assert_eq!(listed.ret_code, ret::NO_CARD, "{rv:?}");
        assert_eq!(listed.slots.len(), 1, "the reader is still listed");
        assert!(listed.slots[0].token.is_none());
        card_left_clean(&module);
        module.insert_card();
        assert_eq!(info(&agent).await.ret_code, ret::OK);
    }
}

#[tokio::test]
async fn module_errors_answer_the_card_error_code_and_leave_nothing_behind() {
    let cases = [
        (Call::GetSlotList, RvError::DeviceError),
        (Call::GetSlotList, RvError::GeneralError),
        (Call::GetSlotInfo, RvError::DeviceError),
        (Call::GetTokenInfo, RvError::FunctionFailed),
        (Call::FindCertificates, RvError::DeviceMemory),
        (Call::OpenSession, RvError::DeviceError),
        (Call::Login, RvError::DeviceError),
        (Call::Login, RvError::FunctionFailed),
        (Call::Login, RvError::GeneralError),
        (Call::Sign, RvError::DeviceError),
        (Call::Sign, RvError::FunctionFailed),
        (Call::Sign, RvError::GeneralError),
    ];
    for (call, rv) in cases {
        let (agent, module) = module_agent();
        module.inject(call, Fault::Answer(rv));
        let failed = sign(&agent, PIN).await;
        assert_eq!(
            (failed.ret_code, failed.last_error),
            (CARD_ERROR, 0),
            "{call:?} {rv:?}"
        );
        assert_eq!(meaning(&failed), Some(AgentFailure::Other(CARD_ERROR)));
        assert!(failed.signature.is_empty() && failed.certb64.is_empty());
        card_left_clean(&module);
        assert_eq!(module.faults_left(), 0);
        signs_again(&agent).await;
    }
    // The listing alone: the same code, then served again.
    for (call, rv) in [
        (Call::GetSlotList, RvError::DeviceError),
        (Call::GetSlotInfo, RvError::GeneralError),
        (Call::GetTokenInfo, RvError::DeviceError),
        (Call::OpenSession, RvError::FunctionFailed),
        (Call::FindCertificates, RvError::GeneralError),
    ] {
        let (agent, module) = module_agent();
        module.inject(call, Fault::Answer(rv));
        let failed = info(&agent).await;
        assert_eq!(failed.ret_code, CARD_ERROR, "{call:?} {rv:?}");
        assert!(failed.slots.is_empty());
        card_left_clean(&module);
        assert_eq!(info(&agent).await.ret_code, ret::OK);
    }
}

#[tokio::test]
async fn a_login_left_standing_by_a_failed_logout_never_signs_for_a_wrong_pin() {
    let (agent, module) = module_agent();
    // C_Logout and C_CloseSession fail after the first signature: the token stays
    // logged in, as a module that lost its session state would leave it.
    module.inject(Call::Logout, Fault::Answer(RvError::DeviceError));
    module.inject(Call::CloseSession, Fault::Answer(RvError::DeviceError));
    signs_again(&agent).await;
    assert!(module.is_logged_in());

    let wrong = sign(&agent, "111111").await;
    assert_eq!(
        (wrong.ret_code, wrong.last_error),
        (ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT_2_LEFT)
    );
    assert_eq!(module.signatures(), 1, "the standing login signed nothing");
    assert!(!module.is_logged_in());
    signs_again(&agent).await;
}

#[tokio::test]
async fn a_panic_under_the_card_lock_does_not_lock_the_card_out() {
    let (agent, module) = module_agent();
    module.inject(Call::Sign, Fault::Panic);
    let failed = sign(&agent, PIN).await;
    assert_eq!(failed.ret_code, CARD_ERROR);
    for _ in 0..2 {
        signs_again(&agent).await;
        assert_eq!(info(&agent).await.ret_code, ret::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blocked_module_call_holds_only_the_card() {
    let (agent, module) = module_agent();
    let agent = Arc::new(agent);
    let (held, key) = gate();
    module.inject(Call::Sign, Fault::Block(held));

    let signing = tokio::spawn({
        let agent = agent.clone();
        async move { sign(&agent, PIN).await }
    });
    let key = bounded(key.call_waiting()).await;
    // C_Sign is held: the pages are still served, and a listing queues behind it.
    let page = bounded(agent.get("/", None)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("version:"));
    let listing = tokio::spawn({
        let agent = agent.clone();
        async move { info(&agent).await }
    });
    key.open();

    let signed = bounded(signing).await.unwrap();
    assert_eq!((signed.ret_code, signed.last_error), (ret::OK, 0));
    assert_eq!(bounded(listing).await.unwrap().ret_code, ret::OK);
    assert_eq!(module.most_calls_at_once(), 1);
    card_left_clean(&module);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_requests_at_once_with_faults_all_answer_clearly() {
    let (agent, module) = module_agent();
    let agent = Arc::new(agent);
    // 10 module errors on the slot list (listing or signing), 5 on C_Login, 5 cards
    // that lose contact in C_Sign and are back at once, and one C_Sign held until
    // the batch is under way.
    for _ in 0..10 {
        module.inject(Call::GetSlotList, Fault::Answer(RvError::DeviceError));
    }
    for _ in 0..5 {
        module.inject(Call::Login, Fault::Answer(RvError::FunctionFailed));
    }
    let (held, key) = gate();
    module.inject(Call::Sign, Fault::Block(held));
    for _ in 0..5 {
        module.inject(Call::Sign, Fault::Bounce(RvError::DeviceRemoved));
    }
    let opener = tokio::spawn(async move { key.call_waiting().await.open() });

    let mut requests = Vec::new();
    for i in 0..100 {
        let agent = agent.clone();
        requests.push(tokio::spawn(async move {
            if i % 2 == 0 {
                let listed: Pkcs11Info = agent.get("/pkcs11info", Some(PORTAL)).await.json();
                (false, listed.ret_code)
            } else {
                let signed: SignResult = agent
                    .sign(Some(PORTAL), &package("hello", PIN))
                    .await
                    .json();
                if signed.ret_code == ret::OK {
                    verify_with_cert(&signed.certb64, b"hello", &signed.signature);
                }
                (true, signed.ret_code)
            }
        }));
    }
    let answers = bounded(async {
        let mut answers = Vec::new();
        for request in requests {
            answers.push(request.await.unwrap());
        }
        opener.await.unwrap();
        answers
    })
    .await;

    let count = |code| answers.iter().filter(|(_, c)| *c == code).count();
    assert_eq!(count(CARD_ERROR), 15, "{answers:?}");
    assert_eq!(count(ret::NO_CARD), 5, "{answers:?}");
    assert_eq!(count(ret::OK), 80, "{answers:?}");
    let signed = answers.iter().filter(|(s, c)| *s && *c == ret::OK).count();
    assert_eq!(module.signatures(), signed);
    assert_eq!(module.faults_left(), 0);
    assert_eq!(module.most_calls_at_once(), 1, "card operations overlapped");
    card_left_clean(&module);
    // And the agent still serves.
    signs_again(&agent).await;
    assert_eq!(info(&agent).await.ret_code, ret::OK);
}
