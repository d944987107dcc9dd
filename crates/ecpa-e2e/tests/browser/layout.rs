//! The page as a phone shows it, and in English.

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn wizard_fits_a_phone_and_switches_to_english() {
    scenario(StackOptions::default(), citizen_card(&WANG), async |browser, _stack| {
        browser.client().set_window_size(390, 844).await?;
        method1_signed_in(browser, &WANG).await?;
        wizard_step1(browser, PIN).await?;
        browser.wait_for_text("step-2-heading", "將憑證註冊到 ECPA").await?;
        let overflow = browser
            .client()
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                Vec::new(),
            )
            .await?;
        anyhow::ensure!(
            overflow.as_i64().is_some_and(|px| px <= 0),
            "the page is wider than a phone by {overflow} px"
        );
        shot(browser, "phone-step-2").await?;
        browser.click("lang").await?;
        browser.wait_for_text("step-2-heading", "Step 2. Register it with ECPA").await?;
        browser.wait_for_text("cert-subject", "CN=王大明").await?;
        shot(browser, "phone-step-2-english").await
    })
    .await;
}
