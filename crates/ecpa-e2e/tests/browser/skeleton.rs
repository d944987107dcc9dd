//! The thread through all three programs: the page reads the card through the
//! agent's popup bridge and asks the portal whether the certificate is registered.
//! The card's certificate is read by the certificate reader's worker, which the login
//! page does not download until a card is read; the wizard is drawn by the SPA's full
//! module, which the login page does not download until it hands the page over.

use anyhow::ensure;
use ecpa_e2e::StackOptions;

use crate::support::{FULL_MODULE, WANG, citizen_card, scenario, shot};

/// The worker's script (`ecpa_web::certificate_reader::WORKER_SCRIPT`).
const READER: &str = "/ecpa-cert-reader_loader.js";

#[tokio::test]
async fn page_reads_the_card_through_the_agent_and_asks_the_portal() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            browser.wait_for_id("cert-login").await?;
            let login_page = browser.network_requests().await?;
            ensure!(
                login_page.iter().any(|r| r.contains("_bg.wasm")),
                "the page's own wasm: {login_page:#?}"
            );
            ensure!(
                !login_page.iter().any(|r| r.contains(READER)),
                "the login page loads no certificate reader: {login_page:#?}"
            );
            ensure!(
                !login_page.iter().any(|r| r.contains("ecpa-web-full")),
                "the login page loads no full module: {login_page:#?}"
            );
            browser.click("cert-login").await?;
            // The page asks the portal about the card once the worker has read it.
            // The banner follows the portal's answer for the certificate the agent read.
            browser.wait_for_id("not-registered").await?;
            browser.wait_for_page_text("找不到對應的憑證資訊").await?;
            let card_read = browser.network_requests().await?;
            ensure!(
                card_read.iter().any(|r| r.contains(READER)),
                "the card read loads the certificate reader: {card_read:#?}"
            );
            ensure!(
                card_read.iter().any(|r| r.contains(FULL_MODULE)),
                "the card login loads the full module: {card_read:#?}"
            );
            shot(browser, "skeleton-card-read").await
        },
    )
    .await;
}
