//! Method 1: from the login page, both card types (scenarios 1–3).

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn citizen_card_registers_without_a_session_then_logs_in() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            shot(browser, "login-page").await?;
            browser.click("cert-login").await?;
            browser
                .wait_for_text("not-registered", "找不到對應的憑證資訊")
                .await?;
            breadcrumb_is(browser, &["首頁", "使用憑證登入", "自然人憑證上傳"]).await?;
            browser.wait_for_id("wizard-login-heading").await?;
            shot(browser, "citizen-sign-in").await?;
            wizard_sign_in(browser, &WANG).await?;
            browser
                .wait_for_text("check-prompt", "「自然人憑證」")
                .await?;
            shot(browser, "citizen-step-1").await?;
            wizard_step1(browser, PIN).await?;
            browser.wait_for_text("cert-type", "自然人憑證").await?;
            browser
                .wait_for_text("cert-subject", "CN=王大明, C=TW")
                .await?;
            browser
                .wait_for_text("step-2-heading", "將憑證註冊到 ECPA")
                .await?;
            shot(browser, "citizen-step-2").await?;
            browser.click("wizard-next").await?;
            anyhow::ensure!(shown_code(browser).await? == "OK", "registration failed");
            browser
                .wait_for_text("result", "憑證上傳成功，您可以使用憑證登入 ECPA 了")
                .await?;
            anyhow::ensure!(
                !browser.page_text().await?.contains("找不到對應的憑證資訊"),
                "the not-registered banner beside 憑證上傳成功"
            );
            shot(browser, "citizen-step-3").await?;
            browser.click("wizard-finish").await?;
            browser.click("logout").await?;
            browser.click("cert-login").await?;
            browser
                .wait_for_text("pin-heading", "請輸入您的 PIN Code")
                .await?;
            shot(browser, "cert-pin").await?;
            browser.fill("pin", PIN).await?;
            browser.click("pin-submit").await?;
            browser.wait_for_text("me-name", WANG.name).await?;
            shot(browser, "citizen-logged-in").await
        },
    )
    .await;
}

/// One organization-card registration by a personnel officer, then the
/// organization login into the personnel-only area.
async fn organization_card_registers_for(officer: &'static Person, shot_prefix: &'static str) {
    scenario(
        StackOptions::default(),
        organization_card(),
        async |browser, _stack| {
            method1_signed_in(browser, officer).await?;
            browser
                .wait_for_text("check-prompt", "「機關憑證」")
                .await?;
            shot(browser, &format!("{shot_prefix}-step-1")).await?;
            wizard_step1(browser, PIN).await?;
            browser.wait_for_text("cert-type", "機關憑證").await?;
            browser.wait_for_text("cert-agency-oid", AGENCY_OID).await?;
            // As the seed and SPEC show a subject: most specific first.
            browser
                .wait_for_text("cert-subject", "OU=人事行政總處, O=行政院, C=TW")
                .await?;
            let code = browser.wait_for_id("agency-code").await?;
            anyhow::ensure!(
                code.prop("value").await?.as_deref() == Some(AGENCY_CODE),
                "agency code not prefilled"
            );
            browser.fill("agency-code", AGENCY_CODE).await?;
            browser.click("agency-lookup").await?;
            browser.wait_for_text("agency-name", AGENCY_NAME).await?;
            shot(browser, &format!("{shot_prefix}-step-2")).await?;
            browser.click("wizard-next").await?;
            anyhow::ensure!(shown_code(browser).await? == "OK", "registration failed");
            shot(browser, &format!("{shot_prefix}-step-3")).await?;
            browser.click("wizard-finish").await?;
            certificate_login(browser).await?;
            browser.wait_for_text("org-area", AGENCY_NAME).await?;
            // The area shows the agency, the officer, the card with its validity, 登出.
            browser.wait_for_text("org-agency", AGENCY_CODE).await?;
            browser.wait_for_text("org-officer", officer.name).await?;
            browser
                .wait_for_text("org-card-subject", "人事行政總處")
                .await?;
            let until = browser
                .wait_for_id("org-card-not-after")
                .await?
                .text()
                .await?;
            anyhow::ensure!(until.len() == 10, "validity shown as {until:?}");
            browser.wait_for_id("logout").await?;
            shot(browser, &format!("{shot_prefix}-area")).await
        },
    )
    .await;
}

#[tokio::test]
async fn organization_card_by_officer_of_category_08() {
    organization_card_registers_for(&LIN, "organization").await;
}

#[tokio::test]
async fn organization_card_by_officer_of_unit_with_renshi() {
    organization_card_registers_for(&CHEN, "organization-unit").await;
}

#[tokio::test]
async fn organization_card_by_officer_of_concurrent_duty_5() {
    organization_card_registers_for(&HUANG, "organization-duty").await;
}

#[tokio::test]
async fn organization_card_refused_for_a_non_officer_and_nothing_registered() {
    scenario(
        StackOptions::default(),
        organization_card(),
        async |browser, stack| {
            // Said right after signing in, before any PIN.
            refused_before_pin(browser, &WANG, "NOT_PERSONNEL_OFFICER").await?;
            browser.wait_for_page_text("人事人員").await?;
            shot(browser, "refused-not-officer").await?;
            browser.goto(&format!("{}/", stack.portal_origin)).await?;
            browser.wait_for_id("my-area").await?;
            browser.wait_for_id("no-certificates").await.map(drop)
        },
    )
    .await;
}
