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

/// Opens the agent's bridge from the current page, asks it to sign `tbs` (sent
/// base64-encoded) with `PIN`, and returns the agent's answer.
async fn sign_through_the_bridge(
    browser: &ecpa_e2e::Browser,
    agent: &str,
    tbs: &str,
) -> anyhow::Result<serde_json::Value> {
    let script = "const [agent, tbs, pin, done] = arguments;
        const popup = window.open(agent + '/popupForm', 'bridge', 'width=400,height=300');
        window.addEventListener('message', function listen(event) {
          if (event.source !== popup) return;
          const data = JSON.parse(event.data);
          if (data.func === 'getTbs') {
            popup.postMessage({ func: 'MakeSignature', signatureType: 'PKCS1',
              tbs: btoa(tbs), tbsEncoding: 'base64', hashAlgorithm: 'SHA256', pin: pin }, agent);
          } else {
            window.removeEventListener('message', listen);
            done(event.data);
          }
        });";
    let answer = browser
        .client()
        .execute_async(script, vec![agent.into(), tbs.into(), PIN.into()])
        .await?;
    Ok(serde_json::from_str(answer.as_str().unwrap_or_default())?)
}

#[tokio::test]
async fn a_site_cannot_get_another_sites_challenge_signed_through_the_bridge() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, stack| {
            // A trusted page that is not the SPA: the portal's API description.
            browser
                .goto(&format!("{}/api/openapi.json", stack.portal_origin))
                .await?;
            let challenge = |origin: &str| {
                format!(
                    "ECPA certificate challenge v1\npurpose=login\norigin={origin}\nnonce={}",
                    "5a".repeat(32)
                )
            };
            let relayed = challenge("https://ecpa.example.gov.tw");
            let answer = sign_through_the_bridge(browser, &stack.agent_origin, &relayed).await?;
            anyhow::ensure!(
                answer["ret_code"] == ecpa_wire::agent::ret::ORIGIN_MISMATCH
                    && answer["signature"] == "",
                "{answer}"
            );
            let own = challenge(&stack.portal_origin);
            let answer = sign_through_the_bridge(browser, &stack.agent_origin, &own).await?;
            anyhow::ensure!(
                answer["ret_code"] == 0 && answer["signature"] != "",
                "{answer}"
            );
            Ok(())
        },
    )
    .await;
}
