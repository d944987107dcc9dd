//! Method 1 with the keyboard alone (WebDriver key actions: Tab, Enter and typing):
//! focus moves to each new step's heading, and errors are announced (role="alert").

use anyhow::{Result, bail, ensure};
use ecpa_e2e::{Browser, StackOptions};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};

use crate::support::*;

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';

/// Presses and releases each key of `keys` on the keyboard.
async fn press(browser: &Browser, keys: &str) -> Result<()> {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    browser.client().perform_actions(actions).await?;
    Ok(())
}

/// The id of the focused element.
async fn focused(browser: &Browser) -> Result<String> {
    let id = browser
        .client()
        .execute(
            "return document.activeElement ? document.activeElement.id : '';",
            Vec::new(),
        )
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

/// Waits until focus is on `#id` (moved there by the page).
async fn focus_moves_to(browser: &Browser, id: &str) -> Result<()> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut now = String::new();
    while tokio::time::Instant::now() < deadline {
        now = focused(browser).await?;
        if now == id {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("focus never moved to #{id}; it is on #{now}")
}

/// Presses Tab until `#id` has focus.
async fn tab_to(browser: &Browser, id: &str) -> Result<()> {
    for _ in 0..25 {
        if focused(browser).await? == id {
            return Ok(());
        }
        press(browser, &TAB.to_string()).await?;
    }
    bail!("Tab never reached #{id}")
}

#[tokio::test]
async fn method1_with_the_keyboard_alone() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            focus_moves_to(browser, "login-heading").await?;
            tab_to(browser, "cert-login").await?;
            press(browser, &ENTER.to_string()).await?;

            focus_moves_to(browser, "wizard-login-heading").await?;
            tab_to(browser, "account").await?;
            press(browser, WANG.account).await?;
            tab_to(browser, "password").await?;
            press(browser, &format!("{}{ENTER}", WANG.password)).await?;

            focus_moves_to(browser, "step-1-heading").await?;
            tab_to(browser, "pin").await?;
            // A PIN too short: the error is announced, focus goes back to the PIN.
            press(browser, &format!("12345{ENTER}")).await?;
            browser.wait_for_text("error", "6 至 8").await?;
            let role = browser.wait_for_id("error").await?.attr("role").await?;
            ensure!(role.as_deref() == Some("alert"), "#error has role {role:?}");
            focus_moves_to(browser, "pin").await?;
            press(browser, &format!("{PIN}{ENTER}")).await?;

            focus_moves_to(browser, "step-2-heading").await?;
            tab_to(browser, "wizard-next").await?;
            press(browser, &ENTER.to_string()).await?;

            focus_moves_to(browser, "step-3-heading").await?;
            ensure!(shown_code(browser).await? == "OK", "registration failed");
            tab_to(browser, "wizard-finish").await?;
            press(browser, &ENTER.to_string()).await?;
            focus_moves_to(browser, "my-area-heading").await?;
            browser
                .wait_for_text("my-certificates", "自然人憑證")
                .await
                .map(drop)
        },
    )
    .await;
}
