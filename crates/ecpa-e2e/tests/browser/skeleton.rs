//! The thread through all three programs: the page reads the card through the
//! agent's popup bridge and asks the portal whether the certificate is registered.

use ecpa_e2e::StackOptions;

use crate::support::{WANG, citizen_card, scenario, shot};

#[tokio::test]
async fn page_reads_the_card_through_the_agent_and_asks_the_portal() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            browser.click("cert-login").await?;
            // The banner follows the portal's answer for the certificate the agent read.
            browser.wait_for_id("not-registered").await?;
            browser.wait_for_page_text("找不到對應的憑證資訊").await?;
            shot(browser, "skeleton-card-read").await
        },
    )
    .await;
}
