//! The passkey parts: the list, the step-up explanation, the messages, rename and
//! the removal question, 步驟三's offer and the login page's button.

use ecpa_web::failure::{BrowserPasskey, Failure};
use ecpa_web::flows::{AppState, Page, PasskeyActions, PasskeyState, Passkeys};
use ecpa_web::messages::Lang;
use ecpa_web::view::app::Shell;
use ecpa_web::view::passkeys::{PasskeyAdd, PasskeysSection};
use ecpa_web::view::wizard::WizardView;
use ecpa_wire::ErrorCode;
use ecpa_wire::api::{CardKind, Passkey};
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{
    AGENT, CITIZEN_PEM, Mounted, active_id, confirm_state, mount, recording_actions, registration,
};

/// What the passkey parts asked the page to do.
#[derive(Clone, Copy)]
struct Asked {
    adds: RwSignal<u32>,
    cert_logins: RwSignal<u32>,
    renames: RwSignal<Vec<(i64, String)>>,
    removals: RwSignal<Vec<i64>>,
}

fn recording_passkeys(can_add: bool, list: Vec<Passkey>) -> (Passkeys, Asked, RwSignal<bool>) {
    let asked = Asked {
        adds: RwSignal::new(0),
        cert_logins: RwSignal::new(0),
        renames: RwSignal::new(vec![]),
        removals: RwSignal::new(vec![]),
    };
    let can_add = RwSignal::new(can_add);
    let state = PasskeyState::new(can_add.into());
    state.list.set(Some(list));
    let actions = PasskeyActions {
        add: Callback::new(move |()| asked.adds.update(|n| *n += 1)),
        cert_login: Callback::new(move |()| asked.cert_logins.update(|n| *n += 1)),
        rename: Callback::new(move |renamed| asked.renames.update(|r| r.push(renamed))),
        remove: Callback::new(move |id| asked.removals.update(|r| r.push(id))),
        login_again: Callback::new(|()| {}),
    };
    (Passkeys { state, actions }, asked, can_add)
}

fn laptop() -> Passkey {
    Passkey {
        id: 7,
        name: "公務筆電".into(),
        created_at: "2026-12-02T10:15:43Z".into(),
        last_used_at: None,
    }
}

fn phone() -> Passkey {
    Passkey {
        id: 9,
        name: "手機".into(),
        created_at: "2026-11-30T16:00:00Z".into(),
        last_used_at: Some("2026-12-01T01:02:03.456Z".into()),
    }
}

fn mount_section(passkeys: Passkeys, lang: RwSignal<Lang>) -> Mounted {
    mount(move || view! { <PasskeysSection passkeys lang /> })
}

#[wasm_bindgen_test]
async fn the_list_shows_name_added_and_last_used_in_taiwan_time() {
    let (passkeys, _, _) = recording_passkeys(true, vec![laptop(), phone()]);
    let page = mount_section(passkeys, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(page.text("passkeys-heading"), "通行密鑰");
    assert_eq!(page.text("passkey-name-7"), "公務筆電");
    let laptop = page.text("passkey-7");
    assert!(laptop.contains("新增於 2026-12-02 18:15:43"), "{laptop}");
    assert!(laptop.contains("上次使用 尚未使用"), "{laptop}");
    let phone = page.text("passkey-9");
    assert!(phone.contains("新增於 2026-12-01 00:00:00"), "{phone}");
    assert!(phone.contains("上次使用 2026-12-01 09:02:03"), "{phone}");
    assert!(page.find("no-passkeys").is_none());

    passkeys.state.list.set(Some(vec![]));
    tick().await;
    assert_eq!(page.text("no-passkeys"), "尚未新增通行密鑰");
    assert!(page.find("passkey-7").is_none());
}

#[wasm_bindgen_test]
async fn without_a_fresh_card_login_the_page_says_why_and_offers_it() {
    let (passkeys, asked, can_add) = recording_passkeys(false, vec![]);
    let page = mount_section(passkeys, RwSignal::new(Lang::Zh));
    tick().await;
    assert!(
        page.find("passkey-add").is_none(),
        "no add button after a password login"
    );
    let explanation = page.text("passkey-step-up");
    assert!(explanation.contains("請先使用憑證登入"), "{explanation}");
    assert!(explanation.contains("5 分鐘"), "{explanation}");
    assert_eq!(page.text("passkey-cert-login"), "使用憑證登入");
    page.click("passkey-cert-login");
    tick().await;
    assert_eq!(asked.cert_logins.get_untracked(), 1);

    // Back from the card login: the session may add one now.
    can_add.set(true);
    tick().await;
    assert!(page.find("passkey-step-up").is_none());
    assert_eq!(page.text("passkey-add"), "新增通行密鑰");
    page.click("passkey-add");
    tick().await;
    assert_eq!(asked.adds.get_untracked(), 1);

    // While the browser's prompt is open: no second request, and a status line.
    passkeys.state.adding.set(true);
    tick().await;
    assert!(page.get("passkey-add").has_attribute("disabled"));
    assert!(
        page.text("passkeys")
            .contains("請依瀏覽器的提示建立通行密鑰")
    );
    passkeys.state.adding.set(false);
    passkeys.state.added.set(Some(laptop()));
    tick().await;
    assert_eq!(
        page.text("passkey-added"),
        "已新增通行密鑰「公務筆電」，下次可以直接用它登入。"
    );
}

#[wasm_bindgen_test]
async fn failures_are_announced_with_their_next_step_in_both_languages() {
    let (passkeys, _, _) = recording_passkeys(true, vec![]);
    let lang = RwSignal::new(Lang::Zh);
    let page = mount_section(passkeys, lang);
    tick().await;
    let alert = page.get("passkey-error");
    assert_eq!(alert.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(page.text("passkey-error"), "");

    let cases = [
        (
            Failure::Passkey(BrowserPasskey::Cancelled),
            "PASSKEY_CANCELLED",
            "通行密鑰的操作已取消或逾時。",
            "cancelled or timed out",
        ),
        (
            Failure::Passkey(BrowserPasskey::NoAuthenticator),
            "PASSKEY_NO_AUTHENTICATOR",
            "找不到可以保存通行密鑰的裝置",
            "No authenticator",
        ),
        (
            Failure::Passkey(BrowserPasskey::Unsupported),
            "PASSKEY_UNSUPPORTED",
            "此瀏覽器無法在這個網址使用通行密鑰。",
            "cannot use passkeys",
        ),
        (
            Failure::Api(ErrorCode::PASSKEY_STEP_UP_REQUIRED),
            "PASSKEY_STEP_UP_REQUIRED",
            ErrorCode::PASSKEY_STEP_UP_REQUIRED.message_zh(),
            ErrorCode::PASSKEY_STEP_UP_REQUIRED.message_en(),
        ),
        (
            Failure::Api(ErrorCode::PASSKEY_CEREMONY_EXPIRED),
            "PASSKEY_CEREMONY_EXPIRED",
            ErrorCode::PASSKEY_CEREMONY_EXPIRED.message_zh(),
            ErrorCode::PASSKEY_CEREMONY_EXPIRED.message_en(),
        ),
    ];
    for (failure, code, zh, en) in cases {
        let browser_side = matches!(failure, Failure::Passkey(_));
        lang.set(Lang::Zh);
        passkeys.state.failure.set(Some(failure));
        tick().await;
        let shown = alert.query_selector("[data-code]").unwrap().unwrap();
        assert_eq!(shown.get_attribute("data-code").as_deref(), Some(code));
        let text = page.text("passkey-error");
        assert!(text.contains(zh), "{text}");
        if browser_side {
            assert!(text.contains("下一步："), "{code}: {text}");
        }
        lang.set(Lang::En);
        tick().await;
        let text = page.text("passkey-error");
        assert!(text.contains(en), "{text}");
    }
}

#[wasm_bindgen_test]
async fn removal_is_asked_in_the_page_first() {
    let (passkeys, asked, _) = recording_passkeys(true, vec![laptop(), phone()]);
    let page = mount_section(passkeys, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(page.text("passkey-remove-7"), "移除");
    page.click("passkey-remove-7");
    tick().await;
    assert_eq!(
        page.text("passkey-remove-question-7"),
        "確定要移除通行密鑰「公務筆電」嗎？移除後就不能再用它登入。"
    );
    assert_eq!(
        active_id(),
        "passkey-remove-cancel-7",
        "the safe choice is focused"
    );
    assert!(page.find("passkey-remove-question-9").is_none());
    page.click("passkey-remove-cancel-7");
    tick().await;
    assert!(page.find("passkey-remove-question-7").is_none());
    assert!(
        asked.removals.get_untracked().is_empty(),
        "nothing removed on 取消"
    );

    page.click("passkey-remove-9");
    tick().await;
    assert_eq!(page.text("passkey-remove-confirm-9"), "確定移除");
    page.click("passkey-remove-confirm-9");
    tick().await;
    assert_eq!(asked.removals.get_untracked(), vec![9]);
    assert!(page.find("passkey-remove-question-9").is_none());
}

#[wasm_bindgen_test]
async fn rename_checks_the_name_before_sending_it() {
    let (passkeys, asked, _) = recording_passkeys(true, vec![laptop()]);
    let page = mount_section(passkeys, RwSignal::new(Lang::Zh));
    tick().await;
    page.click("passkey-rename-7");
    tick().await;
    assert_eq!(page.label_of("passkey-new-name-7"), "通行密鑰名稱");
    assert_eq!(page.input("passkey-new-name-7").value(), "公務筆電");
    assert_eq!(active_id(), "passkey-new-name-7");

    page.input("passkey-new-name-7").set_value("   ");
    page.click("passkey-rename-save-7");
    tick().await;
    assert!(asked.renames.get_untracked().is_empty());
    assert!(
        page.text("passkey-error")
            .contains("通行密鑰名稱須為 1 至 64 個字元")
    );

    page.input("passkey-new-name-7").set_value("  家裡的電腦 ");
    page.click("passkey-rename-save-7");
    tick().await;
    assert_eq!(
        asked.renames.get_untracked(),
        vec![(7, "家裡的電腦".to_owned())]
    );
    assert!(page.find("passkey-new-name-7").is_none(), "the form closes");
}

#[wasm_bindgen_test]
async fn step_three_offers_a_passkey_after_a_citizen_card_only() {
    for (kind, offered) in [(CardKind::Citizen, true), (CardKind::Organization, false)] {
        let (w, _) = confirm_state(CardKind::Citizen, CITIZEN_PEM).confirm();
        let state = RwSignal::new(w.registered(Ok(registration(kind))));
        let (actions, _) = recording_actions();
        let (passkeys, asked, _) = recording_passkeys(false, vec![]);
        let page = mount(move || {
            view! { <WizardView state lang=Lang::Zh agent_origin=AGENT.to_owned() actions passkeys /> }
        });
        tick().await;
        assert_eq!(page.find("passkey-offer").is_some(), offered, "{kind:?}");
        if offered {
            assert!(page.text("passkey-offer").contains("新增通行密鑰"));
            page.click("passkey-cert-login");
            tick().await;
            assert_eq!(asked.cert_logins.get_untracked(), 1);
        }
    }
    // A refused upload offers nothing.
    let (w, _) = confirm_state(CardKind::Citizen, CITIZEN_PEM).confirm();
    let state = RwSignal::new(w.registered(Err(Failure::Api(ErrorCode::NOT_YET_EFFECTIVE))));
    let (actions, _) = recording_actions();
    let (passkeys, _, _) = recording_passkeys(true, vec![]);
    let page = mount(move || {
        view! { <WizardView state lang=Lang::Zh agent_origin=AGENT.to_owned() actions passkeys /> }
    });
    tick().await;
    assert!(page.find("passkey-offer").is_none());
    assert!(page.find("passkey-add").is_none());
}

#[wasm_bindgen_test]
async fn the_add_button_alone_has_its_own_alert() {
    let (passkeys, _, _) = recording_passkeys(true, vec![]);
    let page = mount(move || view! { <PasskeyAdd passkeys lang=Lang::En /> });
    tick().await;
    assert_eq!(page.text("passkey-add"), "Add a passkey");
    passkeys
        .state
        .failure
        .set(Some(Failure::Passkey(BrowserPasskey::AlreadyRegistered)));
    tick().await;
    assert!(
        page.text("passkey-error")
            .contains("already holds your ECPA passkey")
    );
    assert!(
        page.find("error").is_none(),
        "the screen's #error is not taken"
    );
}

#[wasm_bindgen_test]
async fn login_page_offers_passkeys_on_a_button_and_in_the_account_field() {
    let app = AppState::new();
    app.page.set(Page::Login);
    let page = mount(move || view! { <Shell app /> });
    tick().await;
    assert_eq!(page.text("passkey-login"), "使用通行密鑰登入");
    assert_eq!(
        page.get("account").get_attribute("autocomplete").as_deref(),
        Some("username webauthn")
    );
    // A portal refusal of a passkey login is said on the login page.
    app.show(Failure::Api(ErrorCode::PASSKEY_UNKNOWN));
    tick().await;
    assert!(
        page.text("error")
            .contains(ErrorCode::PASSKEY_UNKNOWN.message_zh())
    );
    page.click("lang");
    tick().await;
    assert_eq!(page.text("passkey-login"), "Log in with a passkey");
}
