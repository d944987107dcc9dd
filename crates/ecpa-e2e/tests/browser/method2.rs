//! Method 2: after a password login, 我的專區 → 自然人憑證上傳 (scenario 4).

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn citizen_card_from_my_area() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            password_login(browser, &WANG).await?;
            shot(browser, "my-area").await?;
            browser.click("upload-citizen").await?;
            wizard_step1(browser, PIN).await?;
            browser.wait_for_text("cert-subject", "CN=王大明").await?;
            browser.click("wizard-next").await?;
            anyhow::ensure!(shown_code(browser).await? == "OK", "registration failed");
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
