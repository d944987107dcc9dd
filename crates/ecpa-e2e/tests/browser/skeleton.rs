//! The thread through all three programs: the page reads the card through the
//! agent's popup bridge and asks the portal whether the certificate is registered.

use ecpa_e2e::{Browser, Stack, StackOptions};

use crate::support::{SCREENSHOTS, serial};

#[tokio::test]
async fn page_reads_the_card_through_the_agent_and_asks_the_portal() {
    let _one_browser_at_a_time = serial().await;
    let mut stack = Stack::new(StackOptions::default()).unwrap();
    stack
        .add_card(
            "citizen-wang",
            "123456",
            &[
                "--kind",
                "citizen",
                "--name",
                "王大明",
                "--national-id",
                "A123456789",
            ],
        )
        .unwrap();
    stack.start_agent().unwrap();
    stack.start_portal().unwrap();

    let browser = Browser::start(stack.dir()).await.unwrap();
    let outcome = async {
        browser.goto(&format!("{}/", stack.portal_origin)).await?;
        browser.click("cert-login").await?;
        browser.wait_for_page_text("CN=王大明").await?;
        browser.wait_for_page_text("找不到對應的憑證資訊").await?;
        browser
            .screenshot(&SCREENSHOTS.join("skeleton-card-read.png"))
            .await
    }
    .await;
    browser.close().await.unwrap();
    if let Err(error) = outcome {
        panic!("{error:#}\n--- logs ---\n{}", stack.logs());
    }
}
