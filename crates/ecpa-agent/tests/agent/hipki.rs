//! Drop-in HiPKI compatibility: packages written as deployed clients write them
//! (ChtICToken.js, the HiPKI sample pages, the SPA), decoded exactly once;
//! PKCS#7; what the agent refuses, and with which code.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_wire::agent::{
    DecryptResult, PROTOCOL_VERSION, Pkcs11Info, SignResult, TbsPackage, encode_uri_component, ret,
};

use crate::certs::TEST_PKI;
use crate::in_process::{PIN, PORTAL, agent_with, fake_card, fake_card_with_pin};
use crate::verify::{verify_pkcs7, verify_with_cert};

/// Bytes whose base64 is `++++` and `////`, so the tbs ChtICToken.js sends is full of them.
fn plus_heavy_bytes() -> Vec<u8> {
    [[0xFB, 0xEF, 0xBE], [0xFF, 0xFF, 0xFF], [0x01, 0x02, 0x03]]
        .repeat(20)
        .concat()
}

/// The fake card's serial number and signing certificate, as `pkcs11info` gives them.
async fn card_identity(agent: &crate::in_process::TestAgent) -> (String, String, String) {
    let info: Pkcs11Info = agent
        .get("/pkcs11info?withcert=true", Some(PORTAL))
        .await
        .json();
    let slot = &info.slots[0];
    let token = slot.token.as_ref().unwrap();
    let signing = token.certs.iter().find(|c| c.is_signing()).unwrap();
    (
        slot.slot_description.clone(),
        token.serial_number.clone(),
        signing.certb64.clone().unwrap(),
    )
}

#[tokio::test]
async fn cht_ictoken_package_with_plus_written_as_2b() {
    let agent = agent_with(fake_card());
    let (slot, serial, cert) = card_identity(&agent).await;
    let data = plus_heavy_bytes();
    let tbs = STANDARD.encode(&data);
    assert!(tbs.matches('+').count() >= 80, "{tbs}");
    // ChtICToken.js getInfo(): every field, JSON.stringify, then `+` → `%2B`;
    // its popup posts `tbsPackage=` + that text as it is.
    let package = serde_json::json!({
        "tbs": tbs, "tbsEncoding": "base64", "hashAlgorithm": "SHA256", "pin": PIN,
        "func": "MakeSignature", "signatureType": "PKCS1", "readername": slot,
        "slotDescription": slot, "currentPIN": "", "newpin": "", "sid": "", "caname": "",
        "msresponse": "", "cmsresponse": "", "cardid": serial,
    })
    .to_string()
    .replace('+', "%2B");
    let answer = agent
        .post("/sign", Some(PORTAL), format!("tbsPackage={package}"))
        .await;
    let result: SignResult = answer.json();
    assert_eq!((result.ret_code, result.last_error), (ret::OK, 0));
    assert_eq!(result.func, "sign");
    assert_eq!(result.card_sn, serial, "ChtICToken.js compares cardSN");
    assert_eq!(result.certb64, cert);
    verify_with_cert(&result.certb64, &data, &result.signature);

    // Another card's serial number: refused before the PIN reaches the card.
    let other = package.replace(&serial, "OTHER0000000001");
    let result: SignResult = agent
        .post("/sign", Some(PORTAL), format!("tbsPackage={other}"))
        .await
        .json();
    assert_eq!(result.ret_code, ret::NO_CARD);
    assert_eq!(agent.card.login_attempts(), 1);
}

#[tokio::test]
async fn sample_page_package_with_encoded_tbs_and_pin_signs_pkcs7() {
    let pin = "Pw+%&=#1";
    let agent = agent_with(fake_card_with_pin(pin));
    let (_, serial, cert) = card_identity(&agent).await;
    let text = "中文簽章 1+1=2 a/b 100% & 「測試」";
    // The HiPKI sample page: tbs and pin through encodeURIComponent, PKCS7.
    let package = serde_json::json!({
        "tbs": encode_uri_component(text), "tbsEncoding": "NONE",
        "hashAlgorithm": "SHA256", "withCardSN": "true",
        "pin": encode_uri_component(pin), "nonce": "", "func": "MakeSignature",
        "signatureType": "PKCS7",
    })
    .to_string();
    let result: SignResult = agent
        .post("/sign", Some(PORTAL), format!("tbsPackage={package}"))
        .await
        .json();
    assert_eq!((result.ret_code, result.last_error), (ret::OK, 0));
    assert_eq!(result.card_sn, serial);
    assert_eq!(result.certb64, cert);
    verify_pkcs7(
        &result.signature,
        text.as_bytes(),
        &STANDARD.decode(&cert).unwrap(),
        &TEST_PKI.trust_anchors_pem(),
    );
}

#[tokio::test]
async fn the_spa_package_means_the_same_to_the_agent() {
    let agent = agent_with(fake_card());
    let text = "ECPA 註冊\nhttp://localhost:8080/a+b/c?x=100%&y=%2B\n中文「簽章」";
    let package = TbsPackage::make_signature(text.into(), PIN.into(), Some("Fake reader 0".into()));
    // Through the bridge: the package text as it is, after `tbsPackage=`.
    let body = format!("tbsPackage={}", package.to_bridge_text());
    let result: SignResult = agent.post("/sign", Some(PORTAL), body).await.json();
    assert_eq!((result.ret_code, result.last_error), (ret::OK, 0));
    verify_with_cert(&result.certb64, text.as_bytes(), &result.signature);
}

#[tokio::test]
async fn sha1_and_unknown_types_are_refused_without_touching_the_pin() {
    let agent = agent_with(fake_card());
    let with = |key: &str, value: &str| {
        let mut package: serde_json::Value =
            serde_json::from_str(&crate::in_process::package("hello", PIN)).unwrap();
        package[key] = value.into();
        package.to_string()
    };
    for (key, value, code) in [
        ("hashAlgorithm", "SHA1", ret::UNSUPPORTED),
        ("hashAlgorithm", "sha-1", ret::UNSUPPORTED),
        ("hashAlgorithm", "MD5", ret::BAD_PARAMETER),
        ("signatureType", "CMS-ish", ret::BAD_PARAMETER),
        ("tbsEncoding", "hex", ret::BAD_PARAMETER),
        ("func", "Sign", ret::BAD_PARAMETER),
    ] {
        let result: SignResult = agent.sign(Some(PORTAL), &with(key, value)).await.json();
        assert_eq!(result.ret_code, code, "{key}={value}");
        assert!(result.signature.is_empty());
    }
    assert_eq!(agent.card.login_attempts(), 0);
    // Case as clients write it.
    let result: SignResult = agent
        .sign(Some(PORTAL), &with("signatureType", "pkcs7"))
        .await
        .json();
    assert_eq!(result.ret_code, ret::OK);
}

#[tokio::test]
async fn decrypt_data_is_answered_not_supported() {
    let agent = agent_with(fake_card());
    let package = serde_json::json!({
        "cipher": "MIIB", "cipherType": "PKCS7", "plainEncoding": "NONE",
        "pin": PIN, "func": "DecryptData",
    })
    .to_string();
    let result: DecryptResult = agent
        .post("/decrypt", Some(PORTAL), format!("tbsPackage={package}"))
        .await
        .json();
    assert_eq!(result.func, "decrypt");
    assert_eq!(result.ret_code, ret::UNSUPPORTED);
    assert!(result.plain.is_empty());
    let result: DecryptResult = agent
        .post(
            "/decrypt",
            Some("https://evil.example"),
            format!("tbsPackage={package}"),
        )
        .await
        .json();
    assert_eq!(result.ret_code, ret::SITE_NOT_TRUSTED);
    assert_eq!(agent.card.touches(), 0);
}

#[tokio::test]
async fn server_version_is_the_protocol_level_and_the_page_shows_ours() {
    let agent = agent_with(fake_card());
    let info: Pkcs11Info = agent.get("/pkcs11info", Some(PORTAL)).await.json();
    assert_eq!(info.server_version, PROTOCOL_VERSION);
    assert_eq!(PROTOCOL_VERSION, "1.3.4.103328");
    let page = agent.get("/", None).await.body;
    assert!(page.contains("version:1.3.4.103328"), "{page}");
    assert!(
        page.contains(&format!("ecpa-agent {}", env!("CARGO_PKG_VERSION"))),
        "{page}"
    );
}

#[tokio::test]
async fn both_bridge_pages_are_served_under_both_host_names() {
    let agent = agent_with(fake_card());
    for host in ["127.0.0.1:61161", "localhost:61161"] {
        for path in ["/popupForm", "/ChtPopupForm"] {
            let request = axum::http::Request::get(path)
                .header(axum::http::header::HOST, host)
                .body(axum::body::Body::empty())
                .unwrap();
            let page = agent.send(request).await;
            assert_eq!(page.status, axum::http::StatusCode::OK, "{host}{path}");
            for func in [
                "CheckEnvir",
                "GetUserCert",
                "MakeSignature",
                "DecryptData",
                "changeUserPINCode",
            ] {
                assert!(page.body.contains(func), "{path} lacks {func}");
            }
        }
    }
}
