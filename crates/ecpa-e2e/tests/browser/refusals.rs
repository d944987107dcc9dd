//! Refusals shown to the user (scenario 5): each ends on the message for its code.

use ecpa_e2e::StackOptions;

use crate::support::*;

/// Method 1 with `person` and `card` up to the outcome; expects `code`.
async fn refused(
    person: &'static Person,
    card: Vec<String>,
    code: &'static str,
    shot_name: &'static str,
) {
    scenario(StackOptions::default(), card, async |browser, _stack| {
        method1_through_step1(browser, person).await?;
        let shown = wait_outcome_after_confirm(browser).await?;
        anyhow::ensure!(shown == code, "expected {code}, got {shown}");
        shot(browser, shot_name).await
    })
    .await;
}

/// Confirms step 2 when the wizard gets there, then reads the outcome code.
async fn wait_outcome_after_confirm(browser: &ecpa_e2e::Browser) -> anyhow::Result<String> {
    const SCRIPT: &str = "return !!document.getElementById('step-2-heading') || !!document.querySelector('#result[data-code], #error [data-code]');";
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        if browser.client().execute(SCRIPT, Vec::new()).await? == serde_json::Value::Bool(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if browser
        .client()
        .find(fantoccini::Locator::Id("step-2-heading"))
        .await
        .is_ok()
    {
        browser.click("wizard-next").await?;
    }
    shown_code(browser).await
}

fn with(mut card: Vec<String>, extra: &[&str]) -> Vec<String> {
    card.extend(extra.iter().map(|s| (*s).to_owned()));
    card
}

#[tokio::test]
async fn departed_employee() {
    scenario(
        StackOptions::default(),
        citizen_card(&WU),
        async |browser, _stack| {
            // A departed person cannot sign in at all, so the wizard stops at its login.
            method1_signed_in(browser, &WU).await?;
            let shown = shown_code(browser).await?;
            anyhow::ensure!(shown == "NOT_CURRENT_EMPLOYEE", "got {shown}");
            anyhow::ensure!(
                browser
                    .client()
                    .find(fantoccini::Locator::Id("pin"))
                    .await
                    .is_err(),
                "a PIN field is shown to a departed person"
            );
            browser.wait_for_page_text("請洽服務機關人事單位").await?;
            shot(browser, "refused-departed").await
        },
    )
    .await;
}

#[tokio::test]
async fn method2_says_no_on_entering_the_wizard() {
    scenario(
        StackOptions::default(),
        citizen_card(&HSU),
        async |browser, _stack| {
            password_login(browser, &HSU).await?;
            browser.click("upload-citizen").await?;
            expect_refusal_before_pin(browser, "NOT_YET_EFFECTIVE").await?;
            browser.click("wizard-finish").await?;
            browser.wait_for_id("my-area").await.map(drop)
        },
    )
    .await;
}

#[tokio::test]
async fn expired_card() {
    let card = with(
        citizen_card(&WANG),
        &["--not-before", "2020-01-01", "--not-after", "2021-01-01"],
    );
    scenario(StackOptions::default(), card, async |browser, _stack| {
        // The agent itself refuses to sign with an expired certificate, before the PIN
        // is tried; the portal would refuse it too (CERT_EXPIRED, in its API tests).
        method1_through_step1(browser, &WANG).await?;
        let shown = shown_code(browser).await?;
        anyhow::ensure!(shown == "CARD_CERT_EXPIRED", "got {shown}");
        browser.wait_for_page_text("過期").await?;
        shot(browser, "refused-expired").await
    })
    .await;
}

#[tokio::test]
async fn untrusted_issuer() {
    refused(
        &WANG,
        with(citizen_card(&WANG), &["--issuer", "untrusted"]),
        "UNTRUSTED_ISSUER",
        "refused-untrusted",
    )
    .await;
}

#[tokio::test]
async fn revoked_card() {
    refused(
        &WANG,
        with(citizen_card(&WANG), &["--revoked"]),
        "CERT_REVOKED",
        "refused-revoked",
    )
    .await;
}

#[tokio::test]
async fn id_last4_mismatch() {
    refused(
        &CHENG,
        citizen_card(&WANG),
        "ID_MISMATCH",
        "refused-id-mismatch",
    )
    .await;
}

#[tokio::test]
async fn filed_today_works_tomorrow() {
    scenario(
        StackOptions::default(),
        citizen_card(&HSU),
        async |browser, stack| {
            refused_before_pin(browser, &HSU, "NOT_YET_EFFECTIVE").await?;
            shot(browser, "refused-filed-today").await?;
            stack.shift_portal_clock(1)?;
            browser.goto(&format!("{}/", stack.portal_origin)).await?;
            method1_through_step1(browser, &HSU).await?;
            let shown = wait_outcome_after_confirm(browser).await?;
            anyhow::ensure!(shown == "OK", "the next day: got {shown}");
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn certificate_already_registered_to_someone_else() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            password_login(browser, &WANG).await?;
            browser.click("upload-citizen").await?;
            wizard_step1(browser, PIN).await?;
            anyhow::ensure!(
                wait_outcome_after_confirm(browser).await? == "OK",
                "first registration failed"
            );
            browser.click("wizard-finish").await?;
            browser.click("logout").await?;
            password_login(browser, &CHENG).await?;
            browser.click("upload-citizen").await?;
            wizard_step1(browser, PIN).await?;
            let shown = wait_outcome_after_confirm(browser).await?;
            anyhow::ensure!(shown == "CERT_ALREADY_REGISTERED", "got {shown}");
            shot(browser, "refused-already-registered").await
        },
    )
    .await;
}

#[tokio::test]
async fn agency_code_unknown_then_not_yours() {
    scenario(
        StackOptions::default(),
        organization_card(),
        async |browser, _stack| {
            method1_through_step1(browser, &LIN).await?;
            browser.wait_for_id("step-2-heading").await?;
            browser.fill("agency-code", "9999999").await?;
            browser.click("agency-lookup").await?;
            browser.wait_for_page_text("查無此機關代碼").await?;
            shot(browser, "refused-agency-unknown").await?;
            browser.fill("agency-code", OTHER_AGENCY_CODE).await?;
            browser.click("agency-lookup").await?;
            browser.wait_for_text("agency-name", "臺北市政府").await?;
            // Said at once on looking it up; the portal still refuses the upload.
            browser
                .wait_for_text("agency-refusal", "不是您服務的機關")
                .await?;
            browser.click("wizard-next").await?;
            let shown = shown_code(browser).await?;
            anyhow::ensure!(shown == "AGENCY_NOT_YOURS", "got {shown}");
            shot(browser, "refused-agency-not-yours").await
        },
    )
    .await;
}
