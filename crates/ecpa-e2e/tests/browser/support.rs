//! What every scenario shares: the people in the personnel data, their cards, and
//! the steps a user takes through the page.

use std::path::PathBuf;
use std::sync::LazyLock;

use anyhow::{Context, Result};
use ecpa_e2e::{Browser, Stack, StackOptions};
use time::{Date, Duration};
use tokio::sync::{Mutex, MutexGuard};

/// Where scenarios save screenshots: `target/e2e-screenshots/`.
pub static SCREENSHOTS: LazyLock<PathBuf> = LazyLock::new(|| {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("e2e-screenshots")))
        .unwrap_or_else(|| std::env::temp_dir().join("ecpa-e2e-screenshots"))
});

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Scenarios run one at a time: each starts a Chromium, and the machine has two cores.
pub async fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

/// Someone in the personnel data, with an ECPA account.
pub struct Person {
    pub account: &'static str,
    pub password: &'static str,
    pub national_id: &'static str,
    pub name: &'static str,
}

pub const AGENCY_CODE: &str = "3230000";
pub const AGENCY_NAME: &str = "行政院人事行政總處";
pub const AGENCY_OID: &str = "2.16.886.101.20003.20012";
pub const OTHER_AGENCY_CODE: &str = "3790000";
/// Letters and digits, so that finding it in a log or a request cannot be chance.
pub const PIN: &str = "q7Zx4m9k";

/// A current employee, not a personnel officer.
pub const WANG: Person = Person {
    account: "wang",
    password: "Wang-pass-2026",
    national_id: "A123456789",
    name: "王大明",
};
/// Personnel officer by category 08.
pub const LIN: Person = Person {
    account: "lin",
    password: "Lin-pass-2026",
    national_id: "B220000000",
    name: "林美華",
};
/// Personnel officer by unit 人事室.
pub const CHEN: Person = Person {
    account: "chen",
    password: "Chen-pass-2026",
    national_id: "C120000009",
    name: "陳志明",
};
/// Personnel officer by concurrent duty 5 兼辦人事.
pub const HUANG: Person = Person {
    account: "huang",
    password: "Huang-pass-2026",
    national_id: "D220000002",
    name: "黃淑芬",
};
/// Departed (卸職).
pub const WU: Person = Person {
    account: "wu",
    password: "Wu-pass-2026",
    national_id: "F220000004",
    name: "吳雅婷",
};
/// Filed today: effective tomorrow.
pub const HSU: Person = Person {
    account: "hsu",
    password: "Hsu-pass-2026",
    national_id: "G120000003",
    name: "許家豪",
};
/// Another current employee (a second registrant).
pub const CHENG: Person = Person {
    account: "cheng",
    password: "Cheng-pass-2026",
    national_id: "H220000006",
    name: "鄭怡君",
};

/// Today's date in Taiwan for the portal under test: the run's date, on which
/// every portal's clock starts (at noon).
pub fn taipei_today() -> Date {
    ecpa_e2e::run_date()
}

/// Imports the agencies, personnel records and accounts every scenario uses.
pub fn import_people(stack: &Stack) -> Result<()> {
    let today = taipei_today();
    let earlier = today - Duration::days(30);
    stack.import(
        "agencies",
        &format!(
            "code,name,oid\n{AGENCY_CODE},{AGENCY_NAME},{AGENCY_OID}\n{OTHER_AGENCY_CODE},臺北市政府,2.16.886.101.20003.20065\n"
        ),
    )?;
    let rows = [
        (&WANG, "資訊室", "01", "", "current", earlier),
        (&LIN, "綜合規劃處", "08", "", "current", earlier),
        (&CHEN, "人事室", "01", "", "current", earlier),
        (&HUANG, "秘書室", "01", "5", "current", earlier),
        (&WU, "資訊室", "01", "", "departed", earlier),
        (&HSU, "人事室", "08", "", "current", today),
        (&CHENG, "資訊室", "01", "", "current", earlier),
    ];
    let mut personnel = String::from(
        "national_id,name,agency_code,service_unit,personnel_category,concurrent_duty,status,filed_on\n",
    );
    let mut accounts = String::from("account,national_id,password\n");
    for (p, unit, category, duty, status, filed) in rows {
        personnel.push_str(&format!(
            "{},{},{AGENCY_CODE},{unit},{category},{duty},{status},{filed}\n",
            p.national_id, p.name
        ));
        accounts.push_str(&format!("{},{},{}\n", p.account, p.national_id, p.password));
    }
    stack.import("personnel", &personnel)?;
    stack.import("accounts", &accounts)
}

/// `ecpa-devcard card` options for a citizen card of `person`.
pub fn citizen_card(person: &Person) -> Vec<String> {
    vec![
        "--kind".into(),
        "citizen".into(),
        "--name".into(),
        person.name.into(),
        "--national-id".into(),
        person.national_id.into(),
    ]
}

/// `ecpa-devcard card` options for the agency's organization card.
pub fn organization_card() -> Vec<String> {
    vec![
        "--kind".into(),
        "organization".into(),
        "--name".into(),
        AGENCY_NAME.into(),
        "--org".into(),
        "行政院".into(),
        "--unit".into(),
        "人事行政總處".into(),
        "--agency-oid".into(),
        AGENCY_OID.into(),
    ]
}

/// A scenario: a fresh stack with the people imported and one card on a token,
/// the agent and the portal running, and a fresh Chromium. `body` drives the page;
/// on failure the test fails with the agent's and the portal's logs.
pub async fn scenario(
    options: StackOptions,
    card: Vec<String>,
    body: impl AsyncFnOnce(&Browser, &mut Stack) -> Result<()>,
) {
    let _one_browser_at_a_time = serial().await;
    let mut stack = Stack::new(options).unwrap();
    import_people(&stack).unwrap();
    let card: Vec<&str> = card.iter().map(String::as_str).collect();
    stack.add_card("card", PIN, &card).unwrap();
    stack.start_agent().unwrap();
    stack.start_portal().unwrap();
    let browser = Browser::start(stack.dir()).await.unwrap();
    browser
        .goto(&format!("{}/", stack.portal_origin))
        .await
        .unwrap();
    let outcome = body(&browser, &mut stack).await;
    let page = browser.page_text().await.unwrap_or_default();
    let console = browser.console_log().await.join("\n");
    browser.close().await.unwrap();
    if let Err(error) = outcome {
        panic!(
            "{error:#}\n--- page ---\n{page}\n--- console ---\n{console}\n--- logs ---\n{}",
            stack.logs()
        );
    }
}

/// A screen the user sees: checked with axe-core in both languages
/// ([`accessible`]), then saved as a screenshot under [`SCREENSHOTS`].
pub async fn shot(browser: &Browser, name: &str) -> Result<()> {
    accessible(browser, name).await?;
    browser
        .screenshot(&SCREENSHOTS.join(format!("{name}.png")))
        .await
}

/// The page's `lang`.
async fn page_lang(browser: &Browser) -> Result<String> {
    let lang = browser
        .client()
        .execute("return document.documentElement.lang;", Vec::new())
        .await?;
    Ok(lang.as_str().unwrap_or_default().to_owned())
}

/// No serious or critical axe-core violation on the screen, in zh-TW and, where the
/// page has the language switch, in English; the page ends in its first language.
pub async fn accessible(browser: &Browser, screen: &str) -> Result<()> {
    let has_switch = browser
        .client()
        .find(fantoccini::Locator::Id("lang"))
        .await
        .is_ok();
    let mut problems = Vec::new();
    for _ in 0..if has_switch { 2 } else { 1 } {
        let lang = page_lang(browser).await?;
        for violation in browser.axe_violations().await? {
            problems.push(format!("[{lang}] {violation}"));
        }
        if has_switch {
            browser.click("lang").await?;
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
            while page_lang(browser).await? == lang {
                anyhow::ensure!(
                    tokio::time::Instant::now() < deadline,
                    "the language switch did nothing"
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
    anyhow::ensure!(
        problems.is_empty(),
        "{screen}: axe-core found serious or critical violations:\n{}",
        problems.join("\n")
    );
    Ok(())
}

/// The SPA's full module (`ecpa_web::handover::FULL_MODULE`): every screen after the
/// login page.
pub const FULL_MODULE: &str = "/ecpa-web-full.js";

/// Waits (up to 5 s) until the page has requested a URL containing `part`.
pub async fn wait_for_request(browser: &Browser, part: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        if browser
            .network_requests()
            .await?
            .iter()
            .any(|r| r.contains(part))
        {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the page did not request {part}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Logs in with account and password on the login page.
pub async fn password_login(browser: &Browser, person: &Person) -> Result<()> {
    browser.fill("account", person.account).await?;
    browser.fill("password", person.password).await?;
    browser.click("login-submit").await?;
    browser.wait_for_id("my-area").await.map(drop)
}

/// In the wizard of Method 1 without a session: signs in first.
pub async fn wizard_sign_in(browser: &Browser, person: &Person) -> Result<()> {
    browser.wait_for_id("wizard-login-heading").await?;
    browser.fill("account", person.account).await?;
    browser.fill("password", person.password).await?;
    browser.click("login-submit").await
}

/// Step 1: types the PIN and lets the agent sign.
pub async fn wizard_step1(browser: &Browser, pin: &str) -> Result<()> {
    browser.wait_for_id("step-1-heading").await?;
    browser.fill("pin", pin).await?;
    browser.click("wizard-next").await
}

/// The code the page shows for the outcome: step 3's `#result[data-code]`, or the
/// `data-code` of the message in `#error`. Waits until one appears.
pub async fn shown_code(browser: &Browser) -> Result<String> {
    const SCRIPT: &str = r#"
        const result = document.getElementById('result');
        if (result && result.dataset.code) return result.dataset.code;
        const error = document.querySelector('#error [data-code]');
        if (error && error.dataset.code) return error.dataset.code;
        return null;
    "#;
    script_text(browser, SCRIPT)
        .await
        .context("the page showed no outcome code")
}

/// Runs `script` until it returns a string (for up to 20 s), and returns that.
pub async fn script_text(browser: &Browser, script: &str) -> Result<String> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        if let Ok(serde_json::Value::String(text)) =
            browser.client().execute(script, Vec::new()).await
        {
            return Ok(text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("the script never returned a string")
}

/// Method 1 up to the end of step 1: 「使用憑證登入」, the card is not registered,
/// sign in with the account, type the PIN.
pub async fn method1_through_step1(browser: &Browser, person: &Person) -> Result<()> {
    method1_signed_in(browser, person).await?;
    wizard_step1(browser, PIN).await
}

/// Method 1 up to step 1: 「使用憑證登入」, the card is not registered, sign in.
pub async fn method1_signed_in(browser: &Browser, person: &Person) -> Result<()> {
    browser.click("cert-login").await?;
    browser.wait_for_id("not-registered").await?;
    wizard_sign_in(browser, person).await
}

/// Logs out, then 「使用憑證登入」 with the registered card and its PIN.
pub async fn certificate_login(browser: &Browser) -> Result<()> {
    browser.click("logout").await?;
    browser.click("cert-login").await?;
    browser
        .wait_for_text("pin-heading", "請輸入您的 PIN Code")
        .await?;
    browser.fill("pin", PIN).await?;
    browser.click("pin-submit").await
}

/// Signs in inside the wizard (Method 1) and expects the refusal `code` at once: the
/// reason is shown, and no PIN field.
pub async fn refused_before_pin(browser: &Browser, person: &Person, code: &str) -> Result<()> {
    method1_signed_in(browser, person).await?;
    expect_refusal_before_pin(browser, code).await
}

/// The wizard shows `code` in `#error` under `#refused-heading`, with no PIN field.
pub async fn expect_refusal_before_pin(browser: &Browser, code: &str) -> Result<()> {
    browser.wait_for_id("refused-heading").await?;
    let shown = shown_code(browser).await?;
    anyhow::ensure!(shown == code, "expected {code}, got {shown}");
    for absent in ["pin", "step-1-heading"] {
        anyhow::ensure!(
            browser
                .client()
                .find(fantoccini::Locator::Id(absent))
                .await
                .is_err(),
            "#{absent} is shown beside the refusal"
        );
    }
    Ok(())
}

/// The breadcrumb after 「現在位置：」 is `crumbs`, the last one the current page.
pub async fn breadcrumb_is(browser: &Browser, crumbs: &[&str]) -> Result<()> {
    const SCRIPT: &str = r#"
        const items = [...document.querySelectorAll('#breadcrumb li')];
        const current = document.querySelector('#breadcrumb li[aria-current=page]');
        return items.map((li) => li.textContent).join('>')
            + (current === items[items.length - 1] ? '' : ' (not current)');
    "#;
    let expected = crumbs.join(">");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut shown = String::new();
    while tokio::time::Instant::now() < deadline {
        let answer = browser.client().execute(SCRIPT, Vec::new()).await?;
        shown = answer.as_str().unwrap_or_default().to_owned();
        if shown == expected {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("the breadcrumb shows {shown:?}, not {expected:?}")
}
