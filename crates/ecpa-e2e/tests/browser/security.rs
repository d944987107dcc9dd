//! Security through the browser (scenario 7).

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn a_page_from_another_origin_gets_nothing_from_the_agent() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, stack| {
            // The same page served from 127.0.0.1 instead of localhost is another,
            // untrusted origin.
            let other = stack.portal_origin.replace("localhost", "127.0.0.1");
            browser.goto(&format!("{other}/")).await?;
            browser.click("cert-login").await?;
            browser
                .wait_for_page_text("請先將 ECPA 網站加入信任的網站")
                .await?;
            let script = format!(
                "const done = arguments[0];
             fetch('{}/pkcs11info?withcert=true')
               .then(r => r.text()).then(t => done('read: ' + t))
               .catch(e => done('refused: ' + e));",
                stack.agent_origin
            );
            let answer = browser.client().execute_async(&script, Vec::new()).await?;
            let answer = answer.as_str().unwrap_or_default().to_owned();
            anyhow::ensure!(
                answer.starts_with("refused"),
                "the page read the agent: {answer}"
            );
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn the_pin_reaches_neither_the_portal_nor_any_log() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, stack| {
            method1_through_step1(browser, &WANG).await?;
            browser.wait_for_id("step-2-heading").await?;
            browser.click("wizard-next").await?;
            anyhow::ensure!(shown_code(browser).await? == "OK", "registration failed");
            let requests = browser.network_requests().await?;
            anyhow::ensure!(
                requests
                    .iter()
                    .any(|r| r.contains(&format!("{}/api/registrations", stack.portal_origin))),
                "the network log saw no registration request: {requests:#?}"
            );
            for request in &requests {
                anyhow::ensure!(
                    !(request.contains(&stack.portal_origin) && request.contains(PIN)),
                    "the PIN went to the portal: {request}"
                );
            }
            anyhow::ensure!(!stack.logs().contains(PIN), "the PIN is in a log");
            Ok(())
        },
    )
    .await;
}
