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

/// Method 2 with WANG's card, from 我的專區 after a password login, up to 步驟三's
/// offer of a passkey.
async fn card_registered_at_step_3(browser: &Browser) -> Result<()> {
    browser.click("upload-citizen").await?;
    wizard_step1(browser, PIN).await?;
    browser.wait_for_text("cert-subject", "CN=王大明").await?;
    browser.click("wizard-next").await?;
    ensure!(shown_code(browser).await? == "OK", "registration failed");
    browser
        .wait_for_text("passkey-offer", "新增通行密鑰")
        .await
        .map(drop)
}

/// 步驟三's 「使用憑證登入」 with the card just registered.
async fn card_login_from_step_3(browser: &Browser) -> Result<()> {
    browser.click("passkey-cert-login").await?;
    browser
        .wait_for_text("pin-heading", "請輸入您的 PIN Code")
        .await?;
    browser.fill("pin", PIN).await?;
    browser.click("pin-submit").await
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
            card_registered_at_step_3(browser).await?;
            shot(browser, "passkey-step-3").await?;
            card_login_from_step_3(browser).await?;

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

/// Records the `mediation` of every `navigator.credentials.get` the page makes from
/// now on (in `window.passkeyRequests`).
const RECORD_REQUESTS: &str = "window.passkeyRequests = [];
    const container = navigator.credentials;
    const get = container.get.bind(container);
    container.get = options => {
        window.passkeyRequests.push(options.mediation || 'optional');
        return get(options);
    };";

#[tokio::test]
async fn the_account_fields_autofill_logs_in_with_the_passkey() {
    scenario(
        StackOptions::default(),
        citizen_card(&WANG),
        async |browser, _stack| {
            browser.add_virtual_authenticator().await?;
            password_login(browser, &WANG).await?;
            card_registered_at_step_3(browser).await?;
            card_login_from_step_3(browser).await?;
            browser.click("passkey-add").await?;
            browser
                .wait_for_text("passkey-added", "已新增通行密鑰")
                .await?;

            // Log out with nothing pressed after: the login page's conditional request
            // is the only one, and the virtual authenticator answers it as a user
            // picking the passkey among the 帳號 field's suggestions.
            browser
                .client()
                .execute(RECORD_REQUESTS, Vec::new())
                .await?;
            browser.click("logout").await?;
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
            let session = loop {
                let session = me(browser).await?;
                if session["login_method"] == "passkey" {
                    break session;
                }
                ensure!(
                    tokio::time::Instant::now() < deadline,
                    "no passkey login: {session}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            };
            ensure!(session["name"] == WANG.name, "{session}");
            browser.wait_for_id("my-area").await?;
            let requests = browser
                .client()
                .execute("return window.passkeyRequests;", Vec::new())
                .await?;
            ensure!(
                requests == serde_json::json!(["conditional"]),
                "the page asked {requests}"
            );
            Ok(())
        },
    )
    .await;
}
