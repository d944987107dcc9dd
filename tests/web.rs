//! Browser tests: the real components mounted in headless Chromium, elements found
//! by id, label or role. Run with `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ecpa_web::certificate::CardCertificate;
use ecpa_web::failure::Failure;
use ecpa_web::flows::{AppState, Page, WizardActions};
use ecpa_web::messages::Lang;
use ecpa_web::view::app::{LoginShell, Shell};
use ecpa_web::view::common::ErrorBox;
use ecpa_web::view::login::PinForm;
use ecpa_web::view::wizard::WizardView;
use ecpa_web::wizard::{CardRef, Signed, Wizard, WizardContext};
use ecpa_wire::agent::AgentFailure;
use ecpa_wire::api::{Agency, CardKind, Eligibility, RegistrationRequest};
use ecpa_wire::{ErrorCode, Nonce};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/passkeys.rs"]
mod passkeys;

const CITIZEN_PEM: &str = include_str!("data/citizen-moica-test.pem");
const AGENCY_PEM: &str = include_str!("data/agency-gtestca-test.pem");
const AGENT: &str = "http://127.0.0.1:61161";

fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// A fresh container in the page, removed with the mounted view at the end.
struct Mounted {
    root: HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

fn mount<N: IntoView + 'static>(f: impl FnOnce() -> N + 'static) -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), f);
    Mounted {
        root,
        _handle: Box::new(handle),
    }
}

impl Mounted {
    fn find(&self, id: &str) -> Option<Element> {
        self.root.query_selector(&format!("#{id}")).unwrap()
    }

    fn get(&self, id: &str) -> Element {
        self.find(id)
            .unwrap_or_else(|| panic!("#{id} is not on the page"))
    }

    fn text(&self, id: &str) -> String {
        self.get(id).text_content().unwrap_or_default()
    }

    fn input(&self, id: &str) -> HtmlInputElement {
        self.get(id).unchecked_into()
    }

    fn click(&self, id: &str) {
        self.get(id).unchecked_into::<HtmlElement>().click();
    }

    /// Types into an input the way a user does: value, then a bubbling `input` event.
    fn type_into(&self, id: &str, text: &str) {
        let input = self.input(id);
        input.set_value(text);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
        input.dispatch_event(&event).unwrap();
    }

    /// The label text of an input, found through `<label for=…>`.
    fn label_of(&self, id: &str) -> String {
        self.root
            .query_selector(&format!("label[for='{id}']"))
            .unwrap()
            .and_then(|l| l.text_content())
            .unwrap_or_default()
    }
}

fn active_id() -> String {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

/// What the wizard asked the page to do.
#[derive(Clone, Copy)]
struct Recorded {
    pins: RwSignal<Vec<String>>,
    lookups: RwSignal<Vec<String>>,
    uploads: RwSignal<Vec<RegistrationRequest>>,
}

fn recording_actions() -> (WizardActions, Recorded) {
    let recorded = Recorded {
        pins: RwSignal::new(vec![]),
        lookups: RwSignal::new(vec![]),
        uploads: RwSignal::new(vec![]),
    };
    let actions = WizardActions {
        sign_in: Callback::new(|_| {}),
        sign: Callback::new(move |pin: ecpa_wire::Pin| {
            recorded.pins.update(|p| p.push(pin.expose().to_owned()))
        }),
        lookup: Callback::new(move |code: ecpa_wire::AgencyCode| {
            recorded
                .lookups
                .update(|l| l.push(code.as_str().to_owned()))
        }),
        upload: Callback::new(move |r| recorded.uploads.update(|u| u.push(r))),
        finish: Callback::new(|()| {}),
        login_again: Callback::new(|()| {}),
    };
    (actions, recorded)
}

fn context(kind: CardKind, pem: &str) -> WizardContext {
    WizardContext {
        card: Some(CardRef {
            slot: "Reader 0".into(),
            certificate: CardCertificate::read(pem_body(pem)),
        }),
        kind,
        agency_code: Some("3230000".into()),
    }
}

/// The portal's answer to 查詢機關名稱; `refusal` when the officer may not register it.
fn lookup_of(agency: Agency, refusal: Option<ErrorCode>) -> ecpa_wire::api::AgencyLookup {
    ecpa_wire::api::AgencyLookup {
        agency,
        registration: Some(Eligibility::from_refusal(refusal)),
    }
}

/// Signed in, and the portal said this person may register: step 1.
fn at_step1(ctx: WizardContext) -> Wizard {
    Wizard::start(ctx, true).vetted(Ok(Eligibility::from_refusal(None)))
}

/// The wizard at step 2: PIN accepted and signed.
fn confirm_state(kind: CardKind, pem: &str) -> Wizard {
    let (w, _) = at_step1(context(kind, pem)).submit_pin("123456");
    w.signed(
        Signed {
            nonce: Nonce::from_bytes([1; 32]),
            signature: "c2ln".into(),
            certificate: CardCertificate::read(pem_body(pem)),
        },
        Some(kind),
    )
}

/// What the portal answers to an upload of a card of `kind`.
fn registration(kind: CardKind) -> ecpa_wire::api::Registration {
    ecpa_wire::api::Registration {
        id: 1,
        kind,
        serial: "88d0".into(),
        subject: "C=TW, CN=測試人".into(),
        issuer: "C=TW".into(),
        fingerprint: "ab".into(),
        not_before: "2024-07-08T03:21:43Z".into(),
        not_after: "2024-09-08T15:59:59Z".into(),
        agency_code: None,
        registered_at: "2024-07-09T00:00:00Z".into(),
    }
}

fn mount_wizard(state: RwSignal<Wizard>, lang: RwSignal<Lang>) -> (Mounted, Recorded) {
    let (actions, recorded) = recording_actions();
    let mounted = mount(move || {
        view! { <WizardView state lang agent_origin=AGENT.to_owned() actions /> }
    });
    (mounted, recorded)
}

#[wasm_bindgen_test]
async fn wizard_pin_gate_refuses_5_and_9_characters_and_sends_6() {
    let state = RwSignal::new(at_step1(context(CardKind::Citizen, CITIZEN_PEM)));
    let (page, recorded) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(page.label_of("pin"), "憑證密碼");
    assert_eq!(page.input("pin").type_(), "password");
    assert!(page.text("check-prompt").contains("「自然人憑證」"));
    // The card the step asks for is pictured; its subject is shown at step 2 only.
    let picture = page.get("card-picture");
    assert_eq!(
        picture.get_attribute("src").as_deref(),
        Some("/card-citizen.svg")
    );
    assert_eq!(
        picture.get_attribute("alt").as_deref(),
        Some("插入讀卡機的自然人憑證 IC 卡")
    );
    assert!(page.find("card-subject").is_none());

    for refused in ["12345", "123456789"] {
        page.input("pin").set_value(refused);
        page.click("wizard-next");
        tick().await;
        assert!(
            recorded.pins.get_untracked().is_empty(),
            "{refused} was sent"
        );
        assert!(page.text("error").contains("憑證密碼須為 6 至 8 個字元"));
        assert_eq!(page.input("pin").value(), "", "the PIN is not kept");
    }

    page.input("pin").set_value("123456");
    page.click("wizard-next");
    tick().await;
    assert_eq!(recorded.pins.get_untracked(), vec!["123456".to_owned()]);
    assert_eq!(page.text("error"), "");
    assert!(
        page.get("wizard-next").has_attribute("disabled"),
        "no second signature while the card signs"
    );
}

#[wasm_bindgen_test]
async fn login_pin_prompt_has_the_same_gate() {
    let sent = RwSignal::new(Vec::<String>::new());
    let refused = RwSignal::new(None::<Failure>);
    let page = mount(move || {
        view! {
            <PinForm
                lang=Lang::Zh
                busy=false
                on_pin=Callback::new(move |p: ecpa_wire::Pin| sent.update(|s| s.push(p.expose().to_owned())))
                on_refused=Callback::new(move |f| refused.set(Some(f)))
                on_cancel=Callback::new(|()| {})
            />
        }
    });
    tick().await;
    for bad in ["12345", "123456789"] {
        page.input("pin").set_value(bad);
        page.click("pin-submit");
        tick().await;
        assert!(sent.get_untracked().is_empty());
        assert_eq!(
            refused.get_untracked().map(|f| f.code()),
            Some("PIN_FORMAT".to_owned())
        );
    }
    page.input("pin").set_value("12345678");
    page.click("pin-submit");
    tick().await;
    assert_eq!(sent.get_untracked(), vec!["12345678".to_owned()]);
}

fn current_steps(page: &Mounted) -> Vec<u8> {
    (1..=3)
        .filter(|n| {
            page.get(&format!("step-indicator-{n}"))
                .get_attribute("aria-current")
                .as_deref()
                == Some("step")
        })
        .collect()
}

#[wasm_bindgen_test]
async fn step_indicator_follows_the_wizard_and_focus_moves_to_each_heading() {
    let state = RwSignal::new(at_step1(context(CardKind::Citizen, CITIZEN_PEM)));
    let (page, _) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(current_steps(&page), vec![1]);
    assert_eq!(page.text("step-1-heading"), "步驟一. 憑證檢測");
    assert_eq!(active_id(), "step-1-heading");
    assert!(
        page.text("step-indicator")
            .contains("步驟二. 將憑證註冊到 ECPA")
    );

    state.set(confirm_state(CardKind::Citizen, CITIZEN_PEM));
    tick().await;
    assert_eq!(current_steps(&page), vec![2]);
    assert_eq!(active_id(), "step-2-heading");
    assert!(page.find("step-1-heading").is_none());
    // The current step's name is its heading, inside the indicator, shown once.
    assert!(
        page.get("step-indicator-2")
            .query_selector("#step-2-heading")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        page.root
            .text_content()
            .unwrap_or_default()
            .matches("步驟二. 將憑證註冊到 ECPA")
            .count(),
        1
    );

    page.click("wizard-next");
    tick().await;
    state.update(|w| {
        *w = w
            .clone()
            .registered(Err(Failure::Api(ErrorCode::CERT_ALREADY_REGISTERED)))
    });
    tick().await;
    assert_eq!(current_steps(&page), vec![3]);
    assert_eq!(active_id(), "step-3-heading");

    page.click("wizard-back");
    tick().await;
    assert_eq!(current_steps(&page), vec![1]);
}

fn has_class(element: &Element, class: &str) -> bool {
    element
        .get_attribute("class")
        .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
}

/// The numbered notes of step 2, in order.
fn notes(page: &Mounted) -> Vec<String> {
    let list = page.get("step-2-notes");
    assert_eq!(list.tag_name(), "OL");
    std::iter::successors(list.first_element_child(), Element::next_element_sibling)
        .map(|item| item.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn step_two_shows_a_citizen_certificate() {
    let state = RwSignal::new(confirm_state(CardKind::Citizen, CITIZEN_PEM));
    let (page, recorded) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(page.text("cert-type"), "自然人憑證");
    assert_eq!(page.text("cert-serial"), "88d05a1c8bcd280ac7387ec8f40260d4");
    assert_eq!(
        page.text("cert-subject"),
        "serialNumber=1061720472004809, CN=測試人, C=TW"
    );
    assert_eq!(page.text("cert-not-before"), "2024-07-08 11:21:43");
    assert_eq!(page.text("cert-not-after"), "2024-09-08 23:59:59");
    assert!(page.find("cert-agency-oid").is_none());
    assert!(page.find("agency-code").is_none());
    assert_eq!(
        notes(&page),
        vec!["請確認憑證資料是否正確", "智慧卡請勿移除"]
    );
    assert_eq!(page.text("keep-card"), "智慧卡請勿移除");

    page.click("wizard-next");
    tick().await;
    let uploads = recorded.uploads.get_untracked();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].kind, CardKind::Citizen);
    assert_eq!(uploads[0].agency_code, None);
}

#[wasm_bindgen_test]
async fn step_two_shows_an_organization_certificate_with_agency_lookup() {
    let state = RwSignal::new(confirm_state(CardKind::Organization, AGENCY_PEM));
    let (page, recorded) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(page.text("cert-type"), "機關憑證");
    assert_eq!(page.text("cert-serial"), "b9069b4a201c48958f292bcf1b615f59");
    assert_eq!(page.text("cert-subject"), "O=測試機關1, L=苗栗縣, C=TW");
    assert!(page.text("cert-agency-oid").starts_with("2.16.886."));
    assert_eq!(page.text("cert-not-before"), "2023-09-07 09:21:23");

    // The agency code: labelled, prefilled, editable, looked up.
    assert_eq!(page.label_of("agency-code"), "機關代碼");
    assert_eq!(page.input("agency-code").value(), "3230000");
    assert_eq!(
        notes(&page),
        vec![
            "請確認憑證資料是否正確",
            "智慧卡請勿移除",
            "請輸入此機關憑證要對應的機關代碼"
        ]
    );
    page.type_into("agency-code", "a09000000e");
    tick().await;
    page.click("agency-lookup");
    tick().await;
    assert_eq!(
        recorded.lookups.get_untracked(),
        vec!["A09000000E".to_owned()]
    );
    assert_eq!(page.text("agency-name"), "查詢中…");

    let code = ecpa_wire::AgencyCode::parse("A09000000E").unwrap();
    let agency = Agency {
        code: "A09000000E".into(),
        name: "測試機關1".into(),
        oid: None,
    };
    state.update(|w| {
        *w = w
            .clone()
            .agency_looked_up(&code, Ok(lookup_of(agency, None)))
    });
    tick().await;
    assert_eq!(page.text("agency-name"), "測試機關1");
    assert!(page.find("agency-refusal").is_none());

    // Another agency: its name, and at once that this officer may not register it.
    page.type_into("agency-code", "3790000");
    page.click("agency-lookup");
    tick().await;
    let other = ecpa_wire::AgencyCode::parse("3790000").unwrap();
    let taipei = Agency {
        code: "3790000".into(),
        name: "臺北市政府".into(),
        oid: None,
    };
    let refused = lookup_of(taipei, Some(ErrorCode::AGENCY_NOT_YOURS));
    state.update(|w| *w = w.clone().agency_looked_up(&other, Ok(refused)));
    tick().await;
    assert_eq!(page.text("agency-name"), "臺北市政府");
    let refusal = page.get("agency-refusal");
    assert_eq!(refusal.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(
        refusal.get_attribute("data-code").as_deref(),
        Some("AGENCY_NOT_YOURS")
    );
    assert_eq!(
        page.text("agency-refusal"),
        ErrorCode::AGENCY_NOT_YOURS.message_zh()
    );

    page.type_into("agency-code", "9999999");
    page.click("agency-lookup");
    tick().await;
    let unknown = ecpa_wire::AgencyCode::parse("9999999").unwrap();
    state.update(|w| {
        *w = w
            .clone()
            .agency_looked_up(&unknown, Err(Failure::Api(ErrorCode::AGENCY_UNKNOWN)))
    });
    tick().await;
    assert_eq!(page.text("agency-name"), "查無此機關代碼");

    // A malformed code is refused here, nothing is asked.
    page.type_into("agency-code", "3-2");
    page.click("agency-lookup");
    tick().await;
    assert_eq!(recorded.lookups.get_untracked().len(), 3);
    assert_eq!(page.text("agency-name"), "機關代碼格式不正確");

    page.type_into("agency-code", "3230000");
    page.click("wizard-next");
    tick().await;
    let uploads = recorded.uploads.get_untracked();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].kind, CardKind::Organization);
    assert_eq!(
        uploads[0]
            .agency_code
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        Some("3230000".into())
    );
}

#[wasm_bindgen_test]
async fn errors_are_announced_with_their_next_step() {
    let failure = RwSignal::new(Some(Failure::Agent(AgentFailure::SiteNotTrusted)));
    let lang = RwSignal::new(Lang::Zh);
    let page = mount(move || {
        view! { <ErrorBox failure lang agent_origin=AGENT.to_owned() /> }
    });
    tick().await;
    let error = page.get("error");
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(
        error.get_attribute("aria-live").as_deref(),
        Some("assertive")
    );
    assert!(
        page.text("error")
            .contains("請先將 ECPA 網站加入信任的網站")
    );
    assert_eq!(page.text("add-site"), "將 ECPA 網站加入信任的網站");

    failure.set(Some(Failure::Agent(AgentFailure::WrongPin {
        tries_left: Some(1),
    })));
    tick().await;
    assert!(page.text("error").contains("還可以再試 1 次"));
    assert!(page.find("add-site").is_none());

    failure.set(Some(Failure::AgentNotRunning));
    lang.set(Lang::En);
    tick().await;
    assert!(page.text("error").contains("card component"));

    failure.set(None);
    tick().await;
    assert_eq!(page.text("error"), "");
}

#[wasm_bindgen_test]
async fn step_three_names_the_outcome_in_data_code() {
    let (w, _) = confirm_state(CardKind::Citizen, CITIZEN_PEM).confirm();
    let state = RwSignal::new(w.registered(Err(Failure::Api(ErrorCode::NOT_YET_EFFECTIVE))));
    let (page, _) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    let result = page.get("result");
    assert_eq!(
        result.get_attribute("data-code").as_deref(),
        Some("NOT_YET_EFFECTIVE")
    );
    assert!(page.text("result").contains("明天起生效"));
    assert!(page.find("wizard-back").is_some());
    // A refusal looks like one: announced, and the step marked failed, not done.
    assert_eq!(result.get_attribute("role").as_deref(), Some("alert"));
    assert!(has_class(&result, "failed"));
    assert!(has_class(&page.get("step-indicator-3"), "failed"));
}

#[wasm_bindgen_test]
async fn the_not_registered_banner_is_only_shown_before_the_steps() {
    let state = RwSignal::new(at_step1(context(CardKind::Citizen, CITIZEN_PEM)));
    let (actions, _) = recording_actions();
    let page = mount(move || {
        view! { <WizardView state lang=Lang::Zh agent_origin=AGENT.to_owned() not_registered=true actions /> }
    });
    tick().await;
    assert!(page.text("not-registered").contains("找不到對應的憑證資訊"));
    let (w, _) = confirm_state(CardKind::Citizen, CITIZEN_PEM).confirm();
    let done = w.registered(Ok(registration(CardKind::Citizen)));
    state.set(done);
    tick().await;
    assert!(page.text("result").contains("憑證上傳成功"));
    assert!(
        page.find("not-registered").is_none(),
        "never beside 憑證上傳成功"
    );
    assert_eq!(
        page.get("result").get_attribute("role").as_deref(),
        Some("status")
    );
    assert!(!has_class(&page.get("step-indicator-3"), "failed"));
}

#[wasm_bindgen_test]
async fn organization_sign_in_page_names_its_purpose_and_ecpa_fields() {
    let ctx = context(CardKind::Organization, AGENCY_PEM);
    let state = RwSignal::new(Wizard::start(ctx, false));
    let (page, _) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    assert_eq!(
        page.text("wizard-login-heading"),
        "機關憑證上傳：請輸入帳號密碼登入"
    );
    assert_eq!(page.label_of("account"), "ECPA 帳號");
    assert_eq!(page.label_of("password"), "ECPA 密碼");
}

#[wasm_bindgen_test]
async fn a_refusal_before_the_pin_shows_its_reason_and_no_pin_field() {
    let state = RwSignal::new(Wizard::start(context(CardKind::Citizen, CITIZEN_PEM), true));
    let (page, _) = mount_wizard(state, RwSignal::new(Lang::Zh));
    tick().await;
    assert!(page.find("vetting").is_some());
    assert!(page.find("pin").is_none(), "no PIN before the answer");

    let refusal = Eligibility::from_refusal(Some(ErrorCode::NOT_CURRENT_EMPLOYEE));
    state.update(|w| *w = w.clone().vetted(Ok(refusal)));
    tick().await;
    assert!(page.find("pin").is_none());
    assert!(page.find("step-1-heading").is_none());
    assert_eq!(active_id(), "refused-heading");
    let shown = page
        .get("error")
        .query_selector("[data-code]")
        .unwrap()
        .unwrap();
    assert_eq!(
        shown.get_attribute("data-code").as_deref(),
        Some("NOT_CURRENT_EMPLOYEE")
    );
    assert!(
        page.text("error")
            .contains(ErrorCode::NOT_CURRENT_EMPLOYEE.message_zh())
    );
    assert!(
        page.text("error").contains("請洽服務機關人事單位"),
        "the next step"
    );
    assert!(page.find("wizard-finish").is_some());
}

#[wasm_bindgen_test]
async fn login_page_ids_and_language_switch() {
    let app = AppState::new();
    app.page.set(Page::Login);
    let page = mount(move || view! { <Shell app /> });
    tick().await;
    assert_eq!(page.label_of("account"), "ECPA 帳號");
    assert_eq!(page.label_of("password"), "ECPA 密碼");
    assert_eq!(page.text("cert-login"), "使用憑證登入");
    assert_eq!(page.text("login-heading"), "請輸入帳號密碼登入");
    assert!(page.find("login-submit").is_some());

    // The frame: the service's identity, where the user is, the footer.
    assert!(
        page.root
            .text_content()
            .unwrap_or_default()
            .contains("行政院人事行政總處")
    );
    assert_eq!(page.text("breadcrumb"), "現在位置：首頁登入");
    assert!(page.text("site-footer").contains("無障礙聲明"));
    assert!(page.text("site-footer").contains("隱私權保護政策"));
    // Before the first certificate login: trust the site, with the link that does it.
    assert!(page.text("trust-first").contains("信任網站"));
    assert!(
        page.get("add-site-link")
            .get_attribute("href")
            .unwrap_or_default()
            .contains("/addDomain?domain=")
    );

    page.click("lang");
    tick().await;
    assert_eq!(page.text("cert-login"), "Log in with a certificate");
    assert_eq!(page.text("breadcrumb"), "You are here: HomeLog in");
    let html_lang = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap()
        .get_attribute("lang");
    assert_eq!(html_lang.as_deref(), Some("en"));
    page.click("lang");
    tick().await;
    assert_eq!(page.text("cert-login"), "使用憑證登入");
}

#[wasm_bindgen_test]
async fn my_area_opens_the_citizen_wizard_asking_before_the_pin() {
    let app = AppState::new();
    app.me.set(Some(ecpa_wire::api::Principal::Employee {
        name: "王大明".into(),
        national_id_masked: "A12345****".into(),
        agency_code: "3230000".into(),
        agency_name: Some("行政院人事行政總處".into()),
        is_personnel_officer: false,
        login_method: ecpa_wire::api::LoginMethod::Password,
        can_add_passkey: false,
    }));
    app.page.set(Page::MyArea);
    let page = mount(move || view! { <Shell app /> });
    tick().await;
    assert_eq!(page.text("me-name"), "王大明");
    assert_eq!(page.text("me-officer"), "否");
    assert_eq!(page.text("upload-citizen"), "自然人憑證上傳");
    assert_eq!(page.text("breadcrumb"), "現在位置：首頁我的專區");
    // Sections of personal functions; 機關憑證上傳 only for a personnel officer.
    for section in ["my-data", "certificate-upload", "my-certificates-section"] {
        assert!(page.find(section).is_some(), "#{section}");
    }
    assert!(page.find("upload-organization").is_none());
    page.click("upload-citizen");
    tick().await;
    assert!(page.find("my-area").is_none());
    assert_eq!(current_steps(&page), vec![1]);
    // Whether this employee may register is asked first; no PIN field meanwhile.
    assert!(page.find("vetting").is_some());
    assert!(page.find("pin").is_none());
    assert!(page.find("card-subject").is_none(), "no card read yet");
    assert_eq!(
        page.text("breadcrumb"),
        "現在位置：首頁我的專區自然人憑證上傳"
    );
}

#[wasm_bindgen_test]
async fn an_officer_may_upload_an_organization_card_from_my_area() {
    let app = AppState::new();
    app.me.set(Some(ecpa_wire::api::Principal::Employee {
        name: "林美華".into(),
        national_id_masked: "B22000****".into(),
        agency_code: "3230000".into(),
        agency_name: Some("行政院人事行政總處".into()),
        is_personnel_officer: true,
        login_method: ecpa_wire::api::LoginMethod::Password,
        can_add_passkey: false,
    }));
    app.page.set(Page::MyArea);
    let page = mount(move || view! { <Shell app /> });
    tick().await;
    assert_eq!(page.text("upload-organization"), "機關憑證上傳");
    page.click("upload-organization");
    tick().await;
    assert_eq!(
        page.text("breadcrumb"),
        "現在位置：首頁我的專區機關憑證上傳"
    );
    assert!(page.find("vetting").is_some());
}

#[wasm_bindgen_test]
async fn the_personnel_area_shows_the_agency_officer_and_card() {
    let app = AppState::new();
    app.me.set(Some(ecpa_wire::api::Principal::Organization {
        agency_code: "3230000".into(),
        agency_name: Some("行政院人事行政總處".into()),
        officer_name: "林美華".into(),
        card: Some(ecpa_wire::api::Registration {
            id: 7,
            kind: CardKind::Organization,
            serial: "1a2b".into(),
            subject: "C=TW, O=行政院, OU=人事行政總處".into(),
            issuer: "C=TW, O=行政院, OU=政府憑證管理中心".into(),
            fingerprint: "00".into(),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2031-01-01T00:00:00Z".into(),
            agency_code: Some("3230000".into()),
            registered_at: "2026-06-01T00:00:00Z".into(),
        }),
    }));
    app.page.set(Page::OrgArea);
    let page = mount(move || view! { <Shell app /> });
    tick().await;
    assert_eq!(page.text("org-agency"), "行政院人事行政總處（3230000）");
    assert_eq!(page.text("org-officer"), "林美華");
    assert_eq!(page.text("org-card-serial"), "1a2b");
    assert_eq!(page.text("org-card-not-before"), "2026-01-01");
    assert_eq!(page.text("org-card-not-after"), "2031-01-01");
    assert!(page.find("logout").is_some());
    assert_eq!(
        page.text("breadcrumb"),
        "現在位置：首頁人事專用應用管理系統"
    );
}

#[wasm_bindgen_test]
async fn several_cards_are_offered_by_holder_and_reader() {
    let card = |holder: &str, slot: &str| ecpa_web::cards::CardChoice {
        card: CardRef {
            slot: slot.into(),
            certificate: CardCertificate::read(pem_body(CITIZEN_PEM)),
        },
        holder: holder.into(),
        token_serial: format!("{slot}-sn"),
    };
    let app = AppState::new();
    app.page.set(Page::ChooseCard {
        cards: vec![card("王大明", "Reader 0"), card("測試機關1", "Reader 1")],
    });
    let page = mount(move || view! { <Shell app /> });
    tick().await;
    assert_eq!(
        page.text("choose-card-heading"),
        "偵測到多張卡片，請選擇要使用的卡片"
    );
    assert_eq!(active_id(), "choose-card-heading");
    assert_eq!(page.text("card-choice-0"), "王大明 — Reader 0");
    assert_eq!(page.text("card-choice-1"), "測試機關1 — Reader 1");
    assert!(page.find("card-choice-2").is_none());
}

/// A message from the agent's origin that does not come from the bridge's own popup
/// (here the page itself posts it, as another window or frame of that origin could)
/// is not taken for the bridge's: the bridge still waits for its greeting.
#[wasm_bindgen_test]
async fn the_bridge_takes_messages_only_from_its_popup() {
    let agent = "http://127.0.0.1:9";
    let bridge = ecpa_web::bridge::Bridge::open(agent).expect("the popup opens");
    let window = web_sys::window().unwrap();
    let init = web_sys::MessageEventInit::new();
    init.set_data(&wasm_bindgen::JsValue::from_str(
        r#"{"func":"pkcs11info","ret_code":0,"slots":[]}"#,
    ));
    init.set_origin(agent);
    init.set_source(Some(window.as_ref()));
    let forged = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
    window.dispatch_event(&forged).unwrap();
    let answer = bridge.exchange(r#"{"func":"pkcs11info"}"#).await;
    assert!(
        matches!(answer, Err(Failure::AgentNotRunning)),
        "{:?}",
        answer.map_err(|f| f.code())
    );
}

/// The test page's origin serves no certificate reader (its script is not found): a
/// read is refused as a network failure, and the next read tries a new worker and is
/// refused the same way; neither waits forever.
#[wasm_bindgen_test]
async fn a_certificate_reader_that_cannot_load_is_a_network_failure() {
    for _ in 0..2 {
        let read = ecpa_web::certificate_reader::read_all(vec![pem_body(CITIZEN_PEM)]).await;
        assert_eq!(read, Err(Failure::Network));
    }
}

/// The test page's origin serves no full module: the login page's module, handing the
/// page over after a login, stays on the login page (busy while it tries) and shows a
/// network failure there; nothing hangs and the login page can be used again.
#[wasm_bindgen_test]
async fn a_full_module_that_cannot_load_leaves_the_login_page_with_a_network_failure() {
    let app = AppState::login_only(ecpa_web::handover::hand_over, ecpa_web::handover::prepare);
    app.page.set(Page::Login);
    let page = mount(move || view! { <LoginShell app /> });
    tick().await;
    app.go_home(Some(ecpa_wire::api::Principal::Organization {
        agency_code: "A58000000A".into(),
        agency_name: None,
        officer_name: "王大明".into(),
        card: None,
    }));
    assert!(app.busy.get_untracked(), "busy while the full module loads");
    assert!(matches!(app.page.get_untracked(), Page::Login));
    for _ in 0..200 {
        if !app.busy.get_untracked() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(25).await;
    }
    tick().await;
    assert!(!app.busy.get_untracked(), "the attempt ends");
    assert_eq!(app.error.get_untracked(), Some(Failure::Network));
    assert!(matches!(app.page.get_untracked(), Page::Login));
    assert!(page.find("login").is_some());
    assert!(page.find("error").is_some());
    assert!(page.find("org-area").is_none());
}
