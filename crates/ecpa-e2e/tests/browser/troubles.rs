//! Card and agent troubles (scenario 6).

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn pin_of_5_and_9_characters_blocked_before_sending() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            method1_signed_in(browser, &WANG).await?;
            for pin in ["12345", "123456789"] {
                browser.wait_for_id("step-1-heading").await?;
                browser.fill("pin", pin).await?;
                browser.click("wizard-next").await?;
                browser.wait_for_page_text("6 至 8").await?;
                let windows = browser.client().windows().await?;
                anyhow::ensure!(
                    windows.len() == 1,
                    "a popup opened for a PIN of {} characters",
                    pin.len()
                );
                browser.wait_for_id("step-1-heading").await?;
            }
            shot(browser, "pin-length-refused").await
        },
    )
    .await;
}

#[tokio::test]
async fn wrong_pin() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            method1_signed_in(browser, &WANG).await?;
            wizard_step1(browser, "00000000").await?;
            browser.wait_for_page_text("密碼錯誤").await?;
            browser.wait_for_id("step-1-heading").await?;
            shot(browser, "wrong-pin").await
        },
    )
    .await;
}

#[tokio::test]
async fn site_not_trusted_then_added_then_works() {
    let options = StackOptions {
        portal_untrusted: true,
        ..StackOptions::default()
    };
    scenario(options, citizen_card(&WANG), async |browser, _stack| {
        // Said before the first certificate login, with the link that does it.
        browser.wait_for_text("trust-first", "信任網站").await?;
        let link = browser.wait_for_id("add-site-link").await?;
        let href = link.attr("href").await?.unwrap_or_default();
        anyhow::ensure!(
            href.starts_with(&_stack.agent_origin) && href.contains("/addDomain?domain="),
            "#add-site-link goes to {href}"
        );
        browser.click("cert-login").await?;
        browser
            .wait_for_page_text("請先將 ECPA 網站加入信任的網站")
            .await?;
        shot(browser, "site-not-trusted").await?;
        let main = browser.client().window().await?;
        browser.click("add-site").await?;
        let consent = wait_for_new_window(browser, &main).await?;
        browser.client().switch_to_window(consent).await?;
        let confirm = browser
            .client()
            .wait()
            .for_element(fantoccini::Locator::Css("#confirm:enabled"))
            .await?;
        shot(browser, "add-domain-consent").await?;
        confirm.click().await?;
        browser.wait_for_page_text(&_stack.portal_origin).await?;
        browser.client().close_window().await?;
        browser.client().switch_to_window(main).await?;
        browser.click("cert-login").await?;
        browser.wait_for_id("not-registered").await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn card_removed_after_it_was_read() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, stack| {
            method1_signed_in(browser, &WANG).await?;
            stack.remove_cards()?;
            wizard_step1(browser, PIN).await?;
            let shown = shown_code(browser).await?;
            anyhow::ensure!(shown == "NO_CARD", "got {shown}");
            browser.wait_for_id("step-1-heading").await?;
            shot(browser, "card-removed").await
        },
    )
    .await;
}

#[tokio::test]
async fn agent_not_running() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, stack| {
            stack.stop_agent();
            browser.click("cert-login").await?;
            let code = shown_code(browser).await?;
            anyhow::ensure!(code == "AGENT_NOT_RUNNING", "shown code {code}");
            shot(browser, "agent-not-running").await
        },
    )
    .await;
}

/// Waits for a window other than `main` and returns it.
async fn wait_for_new_window(
    browser: &ecpa_e2e::Browser,
    main: &fantoccini::wd::WindowHandle,
) -> anyhow::Result<fantoccini::wd::WindowHandle> {
    for _ in 0..100 {
        let windows = browser.client().windows().await?;
        if let Some(other) = windows.into_iter().find(|w| w != main) {
            return Ok(other);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("no new window opened")
}
