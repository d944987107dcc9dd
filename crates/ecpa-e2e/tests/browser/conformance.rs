//! Conformance with the HiPKI client families deployed sites use: small client
//! pages written for these tests (`clients/`) drive the real agent over a real
//! SoftHSM2 token in headless Chromium exactly as each family does, and every
//! answer is checked field by field, every signature over the bytes meant.
//!
//! * ChtICToken.js: `/ChtPopupForm`, CheckEnvir → GetUserCert → MakeSignature
//!   (a base64 tbs full of `+`, written as `%2B`), the cardSN check, and
//!   changeUserPINCode followed by a signature with the new PIN;
//! * `/popupForm` pages: pkcs11info, MakeSignature (PKCS7 and PKCS1) with an
//!   encodeURIComponent'd Chinese tbs and a PIN with symbols, DecryptData, and the
//!   3.5 s give-up when no agent answers;
//! * direct form POSTs of `tbsPackage` to `/sign` and `/pkcs11info`.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_e2e::{Browser, PageServer, Stack, StackOptions};
use ecpa_wire::agent::{PROTOCOL_VERSION, ret};
use serde_json::Value;

use crate::support::{WANG, citizen_card, serial};

/// PINs with the characters a form body must not lose: `+`, `%`, `&`, `=`, `/`.
const CHT_PIN: &str = "Ch+9/%x=";
/// The new PIN the ChtICToken.js page's changeUserPINCode asks for.
const CHT_NEW_PIN: &str = "99887766";
const POPUP_PIN: &str = "Pw+%&=#1";
const FORM_PIN: &str = "Fm&+1%2=";

const CLIENT_PAGES: [(&str, &str); 3] = [
    (
        "/cht_ictoken.html",
        include_str!("clients/cht_ictoken.html"),
    ),
    ("/popup_form.html", include_str!("clients/popup_form.html")),
    ("/form_post.html", include_str!("clients/form_post.html")),
];

/// A stack with WANG's citizen card (PIN `pin`) and the agent running; the client
/// pages served on the agent's trusted site origin; a fresh Chromium there.
async fn conformance(pin: &str, body: impl AsyncFnOnce(&Browser, &mut Stack, &str) -> Result<()>) {
    let _one_browser_at_a_time = serial().await;
    let mut stack = Stack::new(StackOptions::default()).unwrap();
    let card = citizen_card(&WANG);
    let card: Vec<&str> = card.iter().map(String::as_str).collect();
    stack.add_card("card", pin, &card).unwrap();
    stack.start_agent().unwrap();
    let port = stack.agent_port().to_string();
    let pages: HashMap<String, String> = CLIENT_PAGES
        .iter()
        .map(|(path, html)| ((*path).to_owned(), html.replace("__AGENT_PORT__", &port)))
        .collect();
    let server = PageServer::start(stack.portal_port(), pages).await.unwrap();
    let site = stack.portal_origin.clone();
    let browser = Browser::start(stack.dir()).await.unwrap();
    let outcome = body(&browser, &mut stack, &site).await;
    let page = browser.page_text().await.unwrap_or_default();
    let console = browser.console_log().await.join("\n");
    browser.close().await.unwrap();
    drop(server);
    if let Err(error) = outcome {
        panic!(
            "{error:#}\n--- page ---\n{page}\n--- console ---\n{console}\n--- logs ---\n{}",
            stack.logs()
        );
    }
}

/// Clicks `id` and waits for the page's next entry in `window.outcomes`.
async fn outcome_of(browser: &Browser, id: &str) -> Result<Value> {
    let before = outcomes(browser).await?.len();
    browser.click(id).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::time::Instant::now() < deadline {
        let all = outcomes(browser).await?;
        if let Some(outcome) = all.get(before) {
            return Ok(outcome.clone());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("#{id} gave no outcome")
}

async fn outcomes(browser: &Browser) -> Result<Vec<Value>> {
    let value = browser
        .client()
        .execute("return JSON.stringify(window.outcomes || []);", Vec::new())
        .await?;
    Ok(serde_json::from_str(value.as_str().unwrap_or("[]"))?)
}

/// The agent's answer as the page received it (the raw text it was posted).
fn raw_answer(outcome: &Value) -> Result<Value> {
    let raw = outcome["raw"]
        .as_str()
        .context("the outcome has no raw answer")?;
    Ok(serde_json::from_str(raw)?)
}

/// The slot holding a card, and its signing certificate, in a pkcs11info answer.
fn card_slot(info: &Value) -> Result<(&Value, &Value)> {
    let slot = info["slots"]
        .as_array()
        .context("no slots")?
        .iter()
        .find(|s| s["token"].is_object())
        .context("no slot holds a card")?;
    let certs = slot["token"]["certs"].as_array().context("no certs")?;
    ensure!(
        certs.len() == 2,
        "two certificates on a citizen card: {certs:?}"
    );
    let signing = certs
        .iter()
        .find(|c| c["usage"] == "digitalSignature")
        .context("no signing certificate")?;
    ensure!(
        certs.iter().any(|c| c["usage"] == "keyEncipherment"),
        "no encryption certificate"
    );
    Ok((slot, signing))
}

/// Checks the fields of WANG's signing certificate in a pkcs11info answer.
fn check_signing_certificate(signing: &Value) -> Result<()> {
    ensure!(signing["subjectCN"] == WANG.name, "{signing}");
    ensure!(signing["subjectID"] == "6789", "{signing}");
    ensure!(
        signing["subjectDN"]
            .as_str()
            .is_some_and(|dn| dn.starts_with("C=TW, CN=王大明")),
        "{signing}"
    );
    for time in ["notBeforeT", "notAfterT"] {
        ensure!(
            signing[time].as_str().is_some_and(|t| t.len() == 15),
            "{time}: {signing}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn cht_ictoken_check_envir_get_user_cert_make_signature() {
    conformance(CHT_PIN, async |browser, stack, site| {
        browser.goto(&format!("{site}/cht_ictoken.html")).await?;

        let envir = outcome_of(browser, "check-envir").await?;
        ensure!(
            envir["func"] == "pkcs11info" && envir["ret_code"] == 0,
            "{envir}"
        );
        ensure!(
            envir["versionAccepted"] == true,
            "ChtICToken.js refuses {envir}"
        );
        ensure!(envir["cards"] == 1, "{envir}");
        let info = raw_answer(&envir)?;
        ensure!(info["serverVersion"] == PROTOCOL_VERSION, "{info}");
        let (slot, signing) = card_slot(&info)?;
        ensure!(
            envir["slotDescription"] == slot["slotDescription"],
            "{envir}"
        );
        let serial = slot["token"]["serialNumber"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        ensure!(
            !serial.is_empty() && envir["serialNumber"] == serial.as_str(),
            "{envir}"
        );
        check_signing_certificate(signing)?;
        ensure!(
            signing.get("certb64").is_none(),
            "CheckEnvir gives no certificates"
        );

        let cert = outcome_of(browser, "get-cert").await?;
        ensure!(
            cert["func"] == "pkcs11info" && cert["ret_code"] == 0,
            "{cert}"
        );
        ensure!(cert["serialMatches"] == true, "{cert}");
        let certificate = cert["certificate"].as_str().unwrap_or_default().to_owned();
        let with_certs = raw_answer(&cert)?;
        let (_, signing) = card_slot(&with_certs)?;
        ensure!(signing["certb64"] == certificate.as_str() && !certificate.is_empty());
        verify_chain(stack, &certificate)?;

        // A tbs whose base64 is full of `+` (and `/`), signed as bytes.
        let data: Vec<u8> = [[0xFB, 0xEF, 0xBE], [0xFF, 0xFF, 0xFF], [0x45, 0x43, 0x50]]
            .repeat(16)
            .concat();
        let tbs = STANDARD.encode(&data);
        ensure!(tbs.matches('+').count() >= 64);
        browser.fill("tbs", &tbs).await?;
        browser.fill("pin", CHT_PIN).await?;
        let signed = outcome_of(browser, "sign").await?;
        ensure!(
            signed["func"] == "sign" && signed["ret_code"] == 0,
            "{signed}"
        );
        ensure!(
            signed["last_error"] == 0 && signed["cardSnMatches"] == true,
            "{signed}"
        );
        let answer = raw_answer(&signed)?;
        ensure!(answer["cardSN"] == serial.as_str(), "{answer}");
        ensure!(answer["certb64"] == certificate.as_str(), "{answer}");
        let signature = signed["signature"].as_str().unwrap_or_default();
        verify_pkcs1(stack.dir(), &certificate, &data, signature)?;

        // changeUserPINCode, then a signature with the new PIN.
        let change = outcome_of(browser, "change-pin").await?;
        ensure!(change["func"] == "changeUserPINCode", "{change}");
        ensure!(change["ret_code"] == 0, "{change}");
        browser.fill("pin", CHT_NEW_PIN).await?;
        let again = outcome_of(browser, "sign").await?;
        ensure!(
            again["ret_code"] == 0 && again["cardSnMatches"] == true,
            "{again}"
        );
        let signature = again["signature"].as_str().unwrap_or_default();
        verify_pkcs1(stack.dir(), &certificate, &data, signature)?;

        // The card is swapped after CheckEnvir: the package names the old card
        // (cardid), so the agent signs nothing with the new one.
        stack.remove_cards()?;
        let card = citizen_card(&WANG);
        let card: Vec<&str> = card.iter().map(String::as_str).collect();
        stack.add_card("another", CHT_PIN, &card)?;
        stack.start_agent()?;
        let refused = outcome_of(browser, "sign").await?;
        ensure!(refused["func"] == "sign", "{refused}");
        ensure!(refused["ret_code"] == ret::NO_CARD, "{refused}");
        ensure!(refused["signature"] == "", "{refused}");
        let logs = stack.logs();
        ensure!(
            !logs.contains(CHT_PIN) && !logs.contains(CHT_NEW_PIN),
            "a PIN is in a log"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn popup_form_pages_with_encoded_chinese_tbs_and_symbol_pin() {
    conformance(POPUP_PIN, async |browser, stack, site| {
        browser.goto(&format!("{site}/popup_form.html")).await?;

        let read = outcome_of(browser, "read-cards").await?;
        let info = &read["answer"];
        ensure!(
            info["func"] == "pkcs11info" && info["ret_code"] == 0,
            "{read}"
        );
        ensure!(info["serverVersion"] == PROTOCOL_VERSION, "{info}");
        let (slot, signing) = card_slot(info)?;
        check_signing_certificate(signing)?;
        let serial = slot["token"]["serialNumber"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let certificate = signing["certb64"].as_str().context("withcert")?.to_owned();

        let text = "中文簽章 ECPA 1+1=2 a/b 100% & 「測試」";
        browser.fill("tbs", text).await?;
        browser.fill("pin", POPUP_PIN).await?;
        for kind in ["PKCS7", "PKCS1"] {
            let id = format!("sign-{}", kind.to_lowercase());
            let signed = outcome_of(browser, &id).await?;
            let answer = &signed["answer"];
            ensure!(
                answer["func"] == "sign" && answer["ret_code"] == 0,
                "{signed}"
            );
            ensure!(answer["last_error"] == 0, "{signed}");
            ensure!(answer["cardSN"] == serial.as_str(), "{signed}");
            ensure!(answer["certb64"] == certificate.as_str(), "{signed}");
            let signature = answer["signature"].as_str().unwrap_or_default();
            if kind == "PKCS7" {
                verify_pkcs7(stack, signature, text.as_bytes(), &certificate)?;
            } else {
                verify_pkcs1(stack.dir(), &certificate, text.as_bytes(), signature)?;
            }
        }

        let decrypt = outcome_of(browser, "decrypt").await?;
        ensure!(decrypt["answer"]["func"] == "decrypt", "{decrypt}");
        ensure!(
            decrypt["answer"]["ret_code"] == ret::UNSUPPORTED,
            "{decrypt}"
        );
        ensure!(!stack.logs().contains(POPUP_PIN), "the PIN is in a log");

        // No agent: the page gives up after its 3.5 s, as these pages do.
        stack.stop_agent();
        let started = tokio::time::Instant::now();
        let missing = outcome_of(browser, "read-cards").await?;
        ensure!(missing["error"] == "尚未安裝元件", "{missing}");
        ensure!(started.elapsed() < Duration::from_secs(10));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn direct_form_posts_to_sign_and_pkcs11info() {
    conformance(FORM_PIN, async |browser, stack, site| {
        let form = format!("{site}/form_post.html");
        browser.goto(&form).await?;
        browser.click("info-submit").await?;
        let info = answer_page(browser).await?;
        ensure!(info["ret_code"] == 0, "{info}");
        ensure!(info["serverVersion"] == PROTOCOL_VERSION, "{info}");
        let (slot, signing) = card_slot(&info)?;
        check_signing_certificate(signing)?;
        let certificate = signing["certb64"].as_str().context("withcert")?.to_owned();
        let serial = slot["token"]["serialNumber"].clone();

        let text = "Form POST 表單 a+b/c 100% &x=y";
        let package = serde_json::json!({
            "func": "MakeSignature", "signatureType": "PKCS1", "tbs": text,
            "tbsEncoding": "NONE", "hashAlgorithm": "SHA256", "pin": FORM_PIN,
            "withCardSN": "true",
        })
        .to_string();
        browser.goto(&form).await?;
        browser.fill("sign-package", &package).await?;
        browser.click("sign-submit").await?;
        let answer = answer_page(browser).await?;
        ensure!(
            answer["func"] == "sign" && answer["ret_code"] == 0,
            "{answer}"
        );
        ensure!(
            answer["last_error"] == 0 && answer["cardSN"] == serial,
            "{answer}"
        );
        ensure!(answer["certb64"] == certificate.as_str(), "{answer}");
        let signature = answer["signature"].as_str().unwrap_or_default();
        verify_pkcs1(stack.dir(), &certificate, text.as_bytes(), signature)?;
        ensure!(!stack.logs().contains(FORM_PIN), "the PIN is in a log");
        Ok(())
    })
    .await;
}

/// The agent's JSON answer that replaced the page after a form POST.
async fn answer_page(browser: &Browser) -> Result<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        let text = browser
            .client()
            .execute(
                "const pre = document.querySelector('pre'); \
                 return pre ? pre.textContent : document.body.innerText;",
                Vec::new(),
            )
            .await?;
        if let Ok(value) = serde_json::from_str::<Value>(text.as_str().unwrap_or_default()) {
            return Ok(value);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the agent's answer never replaced the page")
}

/// Runs `openssl` with `args`; its stdout on success.
fn openssl(args: &[&str]) -> Result<String> {
    let output = Command::new("openssl").args(args).output()?;
    ensure!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes)?;
    Ok(path.display().to_string())
}

/// A PKCS#1 v1.5 SHA-256 signature over `data` by the key of `cert_b64`.
fn verify_pkcs1(dir: &Path, cert_b64: &str, data: &[u8], signature_b64: &str) -> Result<()> {
    let cert = write(dir, "signer.der", &STANDARD.decode(cert_b64)?)?;
    let public_key = openssl(&["x509", "-inform", "DER", "-in", &cert, "-pubkey", "-noout"])?;
    let key = write(dir, "signer.pub.pem", public_key.as_bytes())?;
    let signature = write(dir, "signature.bin", &STANDARD.decode(signature_b64)?)?;
    let data = write(dir, "signed-data.bin", data)?;
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        &key,
        "-signature",
        &signature,
        &data,
    ])?;
    ensure!(out.contains("Verified OK"), "{out}");
    Ok(())
}

/// `openssl cms -verify` against the demo PKI's anchors; the content must be
/// `data` and the signer `cert_b64`.
fn verify_pkcs7(stack: &Stack, p7_b64: &str, data: &[u8], cert_b64: &str) -> Result<()> {
    let dir = stack.dir();
    let p7 = write(dir, "signature.p7", &STANDARD.decode(p7_b64)?)?;
    let anchors = stack.path("pki/trust-anchors.pem").display().to_string();
    let content = dir.join("content.bin").display().to_string();
    let signer = dir.join("p7-signer.pem").display().to_string();
    openssl(&[
        "cms", "-verify", "-binary", "-inform", "DER", "-in", &p7, "-CAfile", &anchors, "-out",
        &content, "-signer", &signer,
    ])?;
    ensure!(
        std::fs::read(&content)? == data,
        "the PKCS#7 content is not the tbs"
    );
    let expected = STANDARD.decode(cert_b64)?;
    let cert = write(dir, "expected-signer.der", &expected)?;
    let fingerprint = |args: &[&str]| openssl(args);
    ensure!(
        fingerprint(&["x509", "-in", &signer, "-noout", "-fingerprint", "-sha256"])?
            == fingerprint(&[
                "x509",
                "-inform",
                "DER",
                "-in",
                &cert,
                "-noout",
                "-fingerprint",
                "-sha256"
            ])?,
        "the PKCS#7 signer is not the card's certificate"
    );
    Ok(())
}

/// The certificate chains to the demo PKI's trust anchors.
fn verify_chain(stack: &Stack, cert_b64: &str) -> Result<()> {
    let der = write(stack.dir(), "chain-leaf.der", &STANDARD.decode(cert_b64)?)?;
    let pem = stack.path("chain-leaf.pem").display().to_string();
    openssl(&["x509", "-inform", "DER", "-in", &der, "-out", &pem])?;
    let anchors = stack.path("pki/trust-anchors.pem").display().to_string();
    let out = openssl(&["verify", "-CAfile", &anchors, &pem])?;
    ensure!(out.contains(": OK"), "{out}");
    Ok(())
}
