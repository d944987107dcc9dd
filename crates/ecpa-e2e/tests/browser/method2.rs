//! Method 2: after a password login, 我的專區 → 自然人憑證上傳 (scenario 4), and
//! 機關憑證上傳 for a personnel officer.

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn citizen_card_from_my_area() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            // The login page loads the screens after it once the user starts typing.
            browser.wait_for_id("login-heading").await?;
            let login_page = browser.network_requests().await?;
            anyhow::ensure!(
                !login_page.iter().any(|r| r.contains(FULL_MODULE)),
                "the login page alone loads no full module: {login_page:#?}"
            );
            browser.fill("account", WANG.account).await?;
            wait_for_request(browser, FULL_MODULE).await?;
            password_login(browser, &WANG).await?;
            breadcrumb_is(browser, &["首頁", "我的專區"]).await?;
            // The login page's module removed its screen when it handed the page over.
            let frames = browser
                .client()
                .execute(
                    "return document.querySelectorAll('#main, #login').length",
                    Vec::new(),
                )
                .await?;
            anyhow::ensure!(
                frames == serde_json::json!(1),
                "one page after the hand-over, not {frames}"
            );
            // Reloaded while logged in: the login page's module hands 我的專區 over at once.
            browser.client().refresh().await?;
            browser.wait_for_id("my-area").await?;
            breadcrumb_is(browser, &["首頁", "我的專區"]).await?;
            // Not a personnel officer: no organization upload.
            anyhow::ensure!(
                browser
                    .client()
                    .find(fantoccini::Locator::Id("upload-organization"))
                    .await
                    .is_err(),
                "機關憑證上傳 offered to a non-officer"
            );
            shot(browser, "my-area").await?;
            browser.click("upload-citizen").await?;
            breadcrumb_is(browser, &["首頁", "我的專區", "自然人憑證上傳"]).await?;
            browser.wait_for_id("step-1-heading").await?;
            shot(browser, "method2-citizen-step-1").await?;
            wizard_step1(browser, PIN).await?;
            browser.wait_for_text("cert-subject", "CN=王大明").await?;
            shot(browser, "method2-citizen-step-2").await?;
            browser.click("wizard-next").await?;
            anyhow::ensure!(shown_code(browser).await? == "OK", "registration failed");
            shot(browser, "method2-citizen-step-3").await?;
            browser.click("wizard-finish").await?;
            browser
                .wait_for_text("my-certificates", "自然人憑證")
                .await
                .map(drop)
        },
    )
    .await;
}

#[tokio::test]
async fn organization_card_from_my_area_of_an_officer() {
    scenario(
        StackOptions::default(),
        organization_card(),
        async |browser, _stack| {
            password_login(browser, &LIN).await?;
            shot(browser, "my-area-officer").await?;
            browser.click("upload-organization").await?;
            breadcrumb_is(browser, &["首頁", "我的專區", "機關憑證上傳"]).await?;
            browser
                .wait_for_text("check-prompt", "「機關憑證」")
                .await?;
            shot(browser, "method2-organization-step-1").await?;
            wizard_step1(browser, PIN).await?;
            browser.wait_for_text("cert-type", "機關憑證").await?;
            browser.click("agency-lookup").await?;
            browser.wait_for_text("agency-name", AGENCY_NAME).await?;
            shot(browser, "method2-organization-step-2").await?;
            browser.click("wizard-next").await?;
            anyhow::ensure!(shown_code(browser).await? == "OK", "registration failed");
            shot(browser, "method2-organization-step-3").await?;
            browser.click("wizard-finish").await?;
            browser
                .wait_for_text("my-certificates", "機關憑證")
                .await
                .map(drop)
        },
    )
    .await;
}

#[tokio::test]
async fn organization_card_refused_on_the_citizen_page() {
    scenario(
        StackOptions::default(),
        organization_card(),
        async |browser, _stack| {
            password_login(browser, &LIN).await?;
            browser.click("upload-citizen").await?;
            browser
                .wait_for_text("check-prompt", "「自然人憑證」")
                .await?;
            browser.fill("pin", PIN).await?;
            browser.click("wizard-next").await?;
            if browser.wait_for_id("step-2-heading").await.is_ok() {
                browser.click("wizard-next").await?;
            }
            let code = shown_code(browser).await?;
            anyhow::ensure!(code == "WRONG_CERT_TYPE", "got {code}");
            shot(browser, "refused-wrong-card-type").await
        },
    )
    .await;
}
