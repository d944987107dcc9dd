//! The protocol against a real SoftHSM2 token through the real `ecpa-agent` binary.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_wire::agent::{AgentFailure, CardCommandResult, SignResult, TbsEncoding, TbsPackage, ret};

use crate::certs::{DAY, now_unix};
use crate::in_process::PORTAL;
use crate::softhsm::{RunningAgent, SoftHsm};
use crate::verify::verify_with_cert;

const PIN: &str = "135790";

/// Signs `package` from the trusted portal; the agent's log explains a failure.
async fn signed(hsm: &SoftHsm, agent: &RunningAgent, package: &TbsPackage) -> SignResult {
    let result = agent
        .sign(&serde_json::to_string(package).unwrap(), PORTAL)
        .await;
    assert_eq!(
        (result.ret_code, result.last_error),
        (ret::OK, 0),
        "{}",
        hsm.agent_log()
    );
    result
}

fn valid_card(hsm: &SoftHsm) -> crate::softhsm::Provisioned {
    let now = now_unix();
    hsm.add_card("citizen-wang", PIN, now - 10 * DAY, now + 700 * DAY)
}

#[tokio::test]
async fn pkcs11info_describes_the_card_and_its_certificates() {
    let hsm = SoftHsm::new();
    let card = valid_card(&hsm);
    let agent = hsm.start_agent(&[PORTAL]);

    let info = agent.pkcs11info(false, PORTAL).await;
    assert_eq!(info.ret_code, ret::OK);
    assert!(
        info.server_version.split('.').count() == 4,
        "{}",
        info.server_version
    );
    // SoftHSM2 always adds one free slot: it is listed without a token.
    assert_eq!(info.slots.len(), 2, "{info:?}");
    assert!(info.slots.iter().any(|s| s.token.is_none()));
    let slot = info.slots.iter().find(|s| s.token.is_some()).unwrap();
    assert!(
        slot.slot_description.starts_with("SoftHSM slot"),
        "{}",
        slot.slot_description
    );
    let token = slot.token.as_ref().unwrap();
    assert_eq!(token.label, "citizen-wang");
    assert!(!token.serial_number.is_empty());
    assert_eq!(token.certs.len(), 2);

    let signing = token.certs.iter().find(|c| c.is_signing()).unwrap();
    assert_eq!(signing.usage, "digitalSignature");
    assert_eq!(signing.label, "signature");
    assert_eq!(signing.id, "01");
    assert_eq!(signing.sn, "0abcdef1");
    assert_eq!(signing.subject_cn, "王大明");
    assert_eq!(
        signing.subject_dn,
        "C=TW, CN=王大明, serialNumber=0000123456789012"
    );
    assert_eq!(signing.subject_id, "6789");
    assert_eq!(
        signing.issuer_dn,
        "C=TW, O=行政院, OU=(測試用) 內政部憑證管理中心"
    );
    assert_eq!(signing.not_before_t.len(), 15);
    assert!(signing.not_before_t.ends_with('Z') && signing.not_after_t.ends_with('Z'));
    assert!(signing.not_before_t < signing.not_after_t);
    assert_eq!(signing.certb64, None);

    let encryption = token.certs.iter().find(|c| !c.is_signing()).unwrap();
    assert_eq!(encryption.usage, "keyEncipherment");
    assert_eq!(encryption.id, "02");
    assert_eq!(encryption.sn, "0abcdef2");

    let with_certs = agent.pkcs11info(true, PORTAL).await;
    let token = with_certs
        .slots
        .iter()
        .find_map(|s| s.token.as_ref())
        .unwrap();
    let signing = token.certs.iter().find(|c| c.is_signing()).unwrap();
    let encryption = token.certs.iter().find(|c| !c.is_signing()).unwrap();
    assert_eq!(
        signing.certb64.as_deref(),
        Some(STANDARD.encode(&card.signing_der).as_str())
    );
    assert_eq!(
        encryption.certb64.as_deref(),
        Some(STANDARD.encode(&card.encryption_der).as_str())
    );
}

#[tokio::test]
async fn a_slot_without_a_card_reads_as_no_card() {
    let hsm = SoftHsm::new();
    let agent = hsm.start_agent(&[PORTAL]);

    let info = agent.pkcs11info(true, PORTAL).await;
    assert_eq!(info.ret_code, ret::NO_CARD);
    assert_eq!(info.slots.len(), 1);
    assert_eq!(info.slots[0].token, None);

    let tbs = TbsPackage::make_signature("hello".into(), PIN.into(), None);
    let result = agent
        .sign(&serde_json::to_string(&tbs).unwrap(), PORTAL)
        .await;
    assert_eq!(result.ret_code, ret::NO_CARD);
    assert!(result.signature.is_empty());
}

#[tokio::test]
async fn signatures_verify_against_the_returned_certificate() {
    let hsm = SoftHsm::new();
    let card = valid_card(&hsm);
    let agent = hsm.start_agent(&[PORTAL]);
    let serial = agent
        .pkcs11info(false, PORTAL)
        .await
        .slots
        .iter()
        .find_map(|s| s.token.clone())
        .unwrap()
        .serial_number;

    let text = "ECPA 登入\nhttp://localhost:8080\nnonce=00ff";
    let package = TbsPackage::make_signature(text.into(), PIN.into(), None);
    let result = signed(&hsm, &agent, &package).await;
    assert_eq!(result.func, "sign");
    assert_eq!(result.card_sn, serial);
    assert_eq!(STANDARD.decode(&result.certb64).unwrap(), card.signing_der);
    verify_with_cert(&result.certb64, text.as_bytes(), &result.signature);

    let binary: Vec<u8> = (0u8..=255).rev().collect();
    let mut package = TbsPackage::make_signature(STANDARD.encode(&binary), PIN.into(), None);
    package.tbs_encoding = TbsEncoding::Base64;
    let result = agent
        .sign(&serde_json::to_string(&package).unwrap(), PORTAL)
        .await;
    assert_eq!(result.ret_code, ret::OK);
    verify_with_cert(&result.certb64, &binary, &result.signature);

    // The agent's own page (the popup bridge) may sign too, naming the slot.
    let slot = agent
        .pkcs11info(false, PORTAL)
        .await
        .slots
        .into_iter()
        .find(|s| s.token.is_some())
        .unwrap();
    let package = TbsPackage::make_signature("x".into(), PIN.into(), Some(slot.slot_description));
    let own = agent.url("");
    let result = agent
        .sign(&serde_json::to_string(&package).unwrap(), &own)
        .await;
    assert_eq!(result.ret_code, ret::OK);

    assert!(!hsm.agent_log().contains(PIN), "the PIN reached the log");
}

#[tokio::test]
async fn pkcs7_is_signed_on_the_token_and_verifies_with_openssl() {
    let hsm = SoftHsm::new();
    let card = valid_card(&hsm);
    let agent = hsm.start_agent(&[PORTAL]);
    let text = "ECPA 登入 a+b/c 100%";
    let mut package = TbsPackage::make_signature(text.into(), PIN.into(), None);
    package.signature_type = "PKCS7".into();
    let result = signed(&hsm, &agent, &package).await;
    assert_eq!(STANDARD.decode(&result.certb64).unwrap(), card.signing_der);
    crate::verify::verify_pkcs7(
        &result.signature,
        text.as_bytes(),
        &card.signing_der,
        &crate::certs::TEST_PKI.trust_anchors_pem(),
    );
}

#[tokio::test]
async fn change_user_pin_code_changes_the_pin_on_the_token() {
    let hsm = SoftHsm::new();
    valid_card(&hsm);
    let agent = hsm.start_agent(&[PORTAL]);
    let new_pin = "8642+%&=";
    let change = |current: &str, origin: &str| {
        let package = serde_json::json!({
            "func": "changeUserPINCode", "currentPIN": current, "newpin": new_pin,
            "readername": "", "slotDescription": "",
        })
        .to_string();
        let origin = origin.to_owned();
        let agent = &agent;
        async move {
            let result: CardCommandResult = agent
                .post("/CardManagement/sendCardCommand", &package, &origin)
                .await;
            assert_eq!(result.func, "changeUserPINCode");
            result.ret_code
        }
    };
    assert_eq!(
        change(PIN, "https://evil.example").await,
        ret::SITE_NOT_TRUSTED
    );
    assert_eq!(change("000000", PORTAL).await, ret::CARD_LOGIN_FAILED);
    assert_eq!(change(PIN, PORTAL).await, ret::OK, "{}", hsm.agent_log());

    let sign_with = |pin: &str| {
        serde_json::to_string(&TbsPackage::make_signature("hi".into(), pin.into(), None)).unwrap()
    };
    let old = agent.sign(&sign_with(PIN), PORTAL).await;
    assert_eq!(old.ret_code, ret::CARD_LOGIN_FAILED);
    let new = agent.sign(&sign_with(new_pin), PORTAL).await;
    assert_eq!((new.ret_code, new.last_error), (ret::OK, 0));
    let log = hsm.agent_log();
    assert!(
        !log.contains(PIN) && !log.contains(new_pin),
        "a PIN reached the log"
    );
}

#[tokio::test]
async fn wrong_pin_is_a_failed_card_login() {
    let hsm = SoftHsm::new();
    valid_card(&hsm);
    let agent = hsm.start_agent(&[PORTAL]);

    let package = TbsPackage::make_signature("hello".into(), "999999".into(), None);
    let result = agent
        .sign(&serde_json::to_string(&package).unwrap(), PORTAL)
        .await;
    assert_eq!(result.ret_code, ret::CARD_LOGIN_FAILED);
    // SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN (it never locks):
    // read as a three-try card with two tries left.
    assert_eq!(
        AgentFailure::from_codes(result.ret_code, result.last_error),
        Some(AgentFailure::WrongPin {
            tries_left: Some(2)
        })
    );
    assert!(result.signature.is_empty());
    assert!(!hsm.agent_log().contains("999999"));
}

#[tokio::test]
async fn expired_and_future_certificates_are_refused() {
    let now = now_unix();
    let hsm = SoftHsm::new();
    hsm.add_card("expired", PIN, now - 800 * DAY, now - DAY);
    let agent = hsm.start_agent(&[PORTAL]);
    let package = TbsPackage::make_signature("hello".into(), PIN.into(), None);
    let result = agent
        .sign(&serde_json::to_string(&package).unwrap(), PORTAL)
        .await;
    assert_eq!(result.ret_code, ret::CERT_EXPIRED);
    drop(agent);

    let hsm = SoftHsm::new();
    hsm.add_card("future", PIN, now + DAY, now + 800 * DAY);
    let agent = hsm.start_agent(&[PORTAL]);
    let result = agent
        .sign(&serde_json::to_string(&package).unwrap(), PORTAL)
        .await;
    assert_eq!(result.ret_code, ret::CERT_NOT_YET_VALID);
    assert!(hsm.dir().exists());
}

#[test]
fn the_agent_listens_on_loopback_only() {
    for listen in ["0.0.0.0:0", "192.0.2.1:61161", "[::]:0"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ecpa-agent"))
            .args(["serve", "--module"])
            .arg(crate::softhsm::module())
            .args(["--listen", listen])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{listen}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("loopback only"));
    }
}

#[tokio::test]
async fn trusted_sites_default_to_the_users_config_directory() {
    let hsm = SoftHsm::new();
    let work_dir = hsm.path("work");
    std::fs::create_dir(&work_dir).unwrap();
    let confirm = |agent: &RunningAgent| {
        let url = agent.url("/addDomain");
        let own = agent.url("");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("Origin", own)
                .form(&[
                    ("domain", "https://ecpa.example.gov.tw"),
                    ("confirm", "yes"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    // XDG_CONFIG_HOME first; the directory is created on the first confirmed site.
    let xdg = hsm.path("xdg");
    let mut command = hsm.agent_command();
    command
        .current_dir(&work_dir)
        .env("XDG_CONFIG_HOME", &xdg)
        .env("HOME", hsm.path("home"));
    let agent = hsm.spawn_agent(command);
    assert_eq!(confirm(&agent).await, 200, "{}", hsm.agent_log());
    assert_eq!(
        std::fs::read_to_string(xdg.join("ecpa-agent/trusted-sites")).unwrap(),
        "https://ecpa.example.gov.tw\n"
    );
    drop(agent);

    // Without it, ~/.config; never the working directory.
    let home = hsm.path("home");
    let mut command = hsm.agent_command();
    command
        .current_dir(&work_dir)
        .env_remove("XDG_CONFIG_HOME")
        .env("HOME", &home);
    let agent = hsm.spawn_agent(command);
    assert_eq!(confirm(&agent).await, 200, "{}", hsm.agent_log());
    assert_eq!(
        std::fs::read_to_string(home.join(".config/ecpa-agent/trusted-sites")).unwrap(),
        "https://ecpa.example.gov.tw\n"
    );
    assert_eq!(std::fs::read_dir(&work_dir).unwrap().count(), 0);

    // A site trusted there is trusted after a restart.
    drop(agent);
    let mut command = hsm.agent_command();
    command.env_remove("XDG_CONFIG_HOME").env("HOME", &home);
    let agent = hsm.spawn_agent(command);
    let info = agent.pkcs11info(false, "https://ecpa.example.gov.tw").await;
    assert_ne!(info.ret_code, ret::SITE_NOT_TRUSTED);
    let info = agent
        .pkcs11info(false, "https://other.example.gov.tw")
        .await;
    assert_eq!(info.ret_code, ret::SITE_NOT_TRUSTED);
}
