//! The page as a phone shows it, and in English.

use ecpa_e2e::StackOptions;

use crate::support::*;

#[tokio::test]
async fn wizard_fits_a_phone_and_switches_to_english() {
    scenario(StackOptions::default(), citizen_card(&WANG), async |browser, _stack| {
        browser.client().set_window_size(390, 844).await?;
        method1_signed_in(browser, &WANG).await?;
        wizard_step1(browser, PIN).await?;
        browser.wait_for_text("step-2-heading", "將憑證註冊到 ECPA").await?;
        let overflow = browser
            .client()
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                Vec::new(),
            )
            .await?;
        anyhow::ensure!(
            overflow.as_i64().is_some_and(|px| px <= 0),
            "the page is wider than a phone by {overflow} px"
        );
        shot(browser, "phone-step-2").await?;
        browser.click("lang").await?;
        browser.wait_for_text("step-2-heading", "Step 2. Register it with ECPA").await?;
        browser.wait_for_text("cert-subject", "CN=王大明").await?;
        shot(browser, "phone-step-2-english").await
    })
    .await;
}

/// Step 2 of an organization card (the tallest step) at 1280×720: the step indicator
/// on one line, the current step's name shown once, both buttons without scrolling.
#[tokio::test]
async fn step_2_fits_a_desktop_screen() {
    scenario(
        StackOptions::default(),
        organization_card(),
        async |browser, _stack| {
            // A 1280×720 viewport: the window is taller by the browser's own frame.
            let frame = browser
                .client()
                .execute(
                    "return window.outerHeight - window.innerHeight;",
                    Vec::new(),
                )
                .await?
                .as_u64()
                .unwrap_or_default();
            let height = 720 + u32::try_from(frame).unwrap_or_default();
            browser.client().set_window_size(1280, height).await?;
            method1_signed_in(browser, &LIN).await?;
            wizard_step1(browser, PIN).await?;
            browser
                .wait_for_text("step-2-heading", "將憑證註冊到 ECPA")
                .await?;
            browser.click("agency-lookup").await?;
            browser.wait_for_text("agency-name", AGENCY_NAME).await?;
            const MEASURE: &str = r#"
            const bottom = (id) => document.getElementById(id).getBoundingClientRect().bottom;
            const tops = [...document.querySelectorAll('#step-indicator > li')]
                .map((li) => Math.round(li.getBoundingClientRect().top));
            const indicator = document.getElementById('step-indicator');
            const name = document.getElementById('step-2-heading').textContent;
            return {
                viewport: window.innerHeight,
                back: bottom('wizard-back'),
                next: bottom('wizard-next'),
                oneLine: tops.every((t) => t === tops[0]),
                clipped: indicator.scrollWidth > indicator.clientWidth,
                nameShown: document.body.innerText.split(name).length - 1,
            };
        "#;
            let m = browser.client().execute(MEASURE, Vec::new()).await?;
            let viewport = m["viewport"].as_f64().unwrap_or_default();
            anyhow::ensure!(viewport >= 719.0, "the viewport is {viewport} px high: {m}");
            for button in ["back", "next"] {
                let bottom = m[button].as_f64().unwrap_or(f64::MAX);
                anyhow::ensure!(bottom <= viewport, "#wizard-{button} below the fold: {m}");
            }
            anyhow::ensure!(
                m["oneLine"] == true && m["clipped"] == false,
                "step indicator: {m}"
            );
            anyhow::ensure!(m["nameShown"] == 1, "the step's name is repeated: {m}");
            shot(browser, "organization-step-2-desktop").await
        },
    )
    .await;
}
