//! Passkeys on chromedriver's virtual authenticator: added after a card login,
//! used to log in, listed in 我的專區, removed, and then refused.

use anyhow::{Context, Result, ensure};
use ecpa_e2e::{Browser, StackOptions};

use crate::support::*;

/// The id (`passkey-{id}`) of the first passkey in 我的專區's list, once there is one.
async fn first_passkey(browser: &Browser) -> Result<String> {
    const SCRIPT: &str = "const item = document.querySelector('#passkey-list li.passkey');
        return item ? item.id : null;";
    script_text(browser, SCRIPT)
        .await
        .context("no passkey is listed")
}

/// `GET /api/me` as the page's session sees it.
async fn me(browser: &Browser) -> Result<serde_json::Value> {
    const SCRIPT: &str = "const done = arguments[arguments.length - 1];
        fetch('/api/me').then(r => r.json()).then(done, () => done(null));";
    Ok(browser.client().execute_async(SCRIPT, Vec::new()).await?)
}

/// Logs out while the authenticator refuses user verification (the login page's
/// autofill request is then refused quietly), and lets it verify again.
async fn log_out_without_autofill(browser: &Browser, authenticator: &str) -> Result<()> {
    browser.set_user_verified(authenticator, false).await?;
    browser.click("logout").await?;
    browser.wait_for_id("passkey-login").await?;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    browser.set_user_verified(authenticator, true).await
}

#[tokio::test]
async fn passkey_added_after_a_card_login_logs_in_until_it_is_removed() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            let authenticator = browser.add_virtual_authenticator().await?;

            // A password login may not add a passkey: the page says the card comes first.
            password_login(browser, &WANG).await?;
            browser
                .wait_for_text("passkey-step-up", "請先使用憑證登入")
                .await?;
            ensure!(
                browser
                    .client()
                    .find(fantoccini::Locator::Id("passkey-add"))
                    .await
                    .is_err(),
                "新增通行密鑰 offered after a password login"
            );

            // Method 2, then 步驟三 offers a passkey once the card has logged in.
            browser.click("upload-citizen").await?;
            wizard_step1(browser, PIN).await?;
            browser.wait_for_text("cert-subject", "CN=王大明").await?;
            browser.click("wizard-next").await?;
            ensure!(shown_code(browser).await? == "OK", "registration failed");
            browser
                .wait_for_text("passkey-offer", "新增通行密鑰")
                .await?;
            shot(browser, "passkey-step-3").await?;
            browser.click("passkey-cert-login").await?;
            browser
                .wait_for_text("pin-heading", "請輸入您的 PIN Code")
                .await?;
            browser.fill("pin", PIN).await?;
            browser.click("pin-submit").await?;

            // 我的專區 after the card login: 新增通行密鑰.
            browser.click("passkey-add").await?;
            browser
                .wait_for_text("passkey-added", "已新增通行密鑰")
                .await?;
            let item = first_passkey(browser).await?;
            browser.wait_for_text(&item, "尚未使用").await?;
            shot(browser, "passkey-added").await?;
            let held = browser.authenticator_credentials(&authenticator).await?;
            ensure!(held.len() == 1, "the authenticator holds {held:?}");
            ensure!(
                held[0]["isResidentCredential"] == true,
                "not a discoverable credential: {:?}",
                held[0]
            );

            // Log out, then 使用通行密鑰登入: no account typed, no card. The virtual
            // authenticator answers the account field's passkey autofill by itself, so
            // it fails user verification until the button is pressed.
            log_out_without_autofill(browser, &authenticator).await?;
            shot(browser, "passkey-login-page").await?;
            browser.click("passkey-login").await?;
            browser.wait_for_text("me-name", WANG.name).await?;
            let session = me(browser).await?;
            ensure!(
                session["login_method"] == "passkey" && session["can_add_passkey"] == false,
                "{session}"
            );
            browser.wait_for_text(&item, "上次使用 20").await?;
            browser.wait_for_id("passkey-step-up").await?;
            shot(browser, "passkey-my-area").await?;

            // 移除, asked first in the page.
            let id = item.trim_start_matches("passkey-");
            browser.click(&format!("passkey-remove-{id}")).await?;
            browser
                .wait_for_text(
                    &format!("passkey-remove-question-{id}"),
                    "確定要移除通行密鑰",
                )
                .await?;
            shot(browser, "passkey-remove").await?;
            browser
                .click(&format!("passkey-remove-confirm-{id}"))
                .await?;
            browser.wait_for_id("no-passkeys").await?;

            // The authenticator still holds it, but ECPA no longer knows it.
            log_out_without_autofill(browser, &authenticator).await?;
            browser.click("passkey-login").await?;
            let code = shown_code(browser).await?;
            ensure!(code == "PASSKEY_UNKNOWN", "got {code}");
            browser.set_user_verified(&authenticator, false).await?;
            browser
                .wait_for_text("error", "此通行密鑰未在 ECPA 登錄或已被移除")
                .await?;
            browser.wait_for_id("login").await?;
            shot(browser, "passkey-refused").await
        },
    )
    .await;
}
