//! The login page's module hands the page to the full one. The login page downloads
//! only what its screens need (the login page, the card chooser, the PIN prompt:
//! `ecpa-web`); the wizard, 我的專區 and the organization area are in the full module
//! (`ecpa-web-full`, which has every screen), loaded when the page first needs one of
//! them. The login page's module then removes its screen and gives the full module
//! what it knew, as JSON: the language, the agent's address, who is logged in and the
//! screen it was about to show.

use ecpa_wire::api::{CardKind, Principal};
use serde::{Deserialize, Serialize};

use crate::flows::AppState;
use crate::messages::Lang;
use crate::view::app::Shell;
use crate::wizard::CardRef;

/// The full module's script (wasm-bindgen's `web` output, Trunk's `data-type="worker"`
/// with `data-bindgen-target="web"`, so the login page neither loads nor preloads it).
pub const FULL_MODULE: &str = "/ecpa-web-full.js";

/// What the login page's module hands over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handover {
    pub lang: Lang,
    pub agent_origin: String,
    pub me: Option<Principal>,
    pub next: Next,
}

/// The screen the full module shows first: `"home"` or `{"wizard": {…}}` (externally
/// tagged: read in one pass, without serde's buffering of an internal tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Next {
    /// The screen of whoever is logged in.
    Home,
    /// The registration wizard (Method 1 from the login page: the card already read).
    #[serde(rename_all = "camelCase")]
    Wizard {
        card: Option<CardRef>,
        kind: CardKind,
        agency_code: Option<String>,
        not_registered: bool,
    },
}

/// The handover as the full module reads it; `None` when it is not one.
pub fn parse(json: &str) -> Option<Handover> {
    serde_json::from_str(json).ok()
}

/// The full module's start: draws every screen, from where the login page's module
/// handed over, or from the start when `json` is not a handover.
pub fn take_over(json: &str) {
    let handover = parse(json);
    leptos::mount::mount_to_body(move || {
        let app = AppState::new();
        match handover {
            Some(handover) => crate::flows::resume(app, handover),
            None => crate::flows::start(app),
        }
        leptos::view! { <Shell app /> }
    });
}

/// Starts loading the full module unless it is loading or loaded (the login page calls
/// it when the user starts to log in: the module is then ready when the portal answers).
pub fn prepare() {
    #[cfg(target_arch = "wasm32")]
    browser::prepare();
}

/// The login page's `hand_over` ([`crate::flows::Screens::Login`]): loads the full
/// module (unless [`prepare`] has) and gives it the page. The login page stays, busy,
/// while it loads; when it cannot be loaded, the login page shows
/// [`crate::failure::Failure::Network`] and the next attempt loads it again.
pub fn hand_over(app: AppState, handover: Handover) {
    #[cfg(target_arch = "wasm32")]
    browser::hand_over(app, handover);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (app, handover);
}

/// Keeps the login page's screen mounted until it is handed over (then dropped, which
/// removes it and ends its effects).
pub fn keep_login_page(mounted: impl std::any::Any) {
    LOGIN_PAGE.with(|page| *page.borrow_mut() = Some(Box::new(mounted)));
}

thread_local! {
    static LOGIN_PAGE: std::cell::RefCell<Option<Box<dyn std::any::Any>>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;

    use js_sys::{Function, Promise, Reflect};
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use super::{FULL_MODULE, Handover, LOGIN_PAGE};
    use crate::failure::Failure;
    use crate::flows::AppState;

    #[wasm_bindgen(inline_js = "export function load_module(url) { \
        return import(url).then(module => module.default().then(() => module)); }")]
    extern "C" {
        /// Imports and starts the module at `url`; its namespace.
        fn load_module(url: &str) -> Promise;
    }

    thread_local! {
        /// The full module loading or loaded (its namespace).
        static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
    }

    pub fn prepare() {
        // Awaited at the hand-over; a failure is seen (and the load tried again) there.
        let _ = loading();
    }

    fn loading() -> Promise {
        LOADING.with(|loading| {
            loading
                .borrow_mut()
                .get_or_insert_with(|| load_module(FULL_MODULE))
                .clone()
        })
    }

    pub fn hand_over(app: AppState, handover: Handover) {
        spawn_local(async move {
            let ready = async {
                let json = serde_json::to_string(&handover)
                    .map_err(|_| JsValue::from_str("the handover could not be written"))?;
                Ok::<_, JsValue>((json, full_module_take_over().await?))
            };
            match ready.await {
                Ok((json, take_over)) => {
                    // The login page's screen goes; the full module draws the page.
                    let mounted = LOGIN_PAGE.with(|page| page.borrow_mut().take());
                    drop(mounted);
                    crate::certificate_reader::release();
                    if let Err(error) = take_over.call1(&JsValue::UNDEFINED, &json.into()) {
                        leptos::logging::error!("ecpa-web-full: take_over: {error:?}");
                    }
                }
                Err(error) => {
                    leptos::logging::warn!("ecpa-web-full: not loaded: {error:?}");
                    // The next attempt loads it again.
                    LOADING.with(|loading| loading.borrow_mut().take());
                    app.busy.set(false);
                    app.show(Failure::Network);
                }
            }
        });
    }

    /// The full module, loaded and started: its `take_over`. An early load that
    /// failed is tried once more.
    async fn full_module_take_over() -> Result<Function, JsValue> {
        let module = match JsFuture::from(loading()).await {
            Ok(module) => module,
            Err(_) => {
                LOADING.with(|loading| loading.borrow_mut().take());
                JsFuture::from(loading()).await?
            }
        };
        Reflect::get(&module, &"take_over".into())?.dyn_into()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::cell::RefCell;

    use ecpa_wire::api::LoginMethod;
    use leptos::prelude::*;

    use super::*;
    use crate::certificate::{CardCertificate, pem_body};
    use crate::flows::{self, Page};

    const CITIZEN_PEM: &str = include_str!("../tests/data/citizen-moica-test.pem");

    fn employee() -> Principal {
        Principal::Employee {
            name: "王大明".into(),
            national_id_masked: "A12345****".into(),
            agency_code: "A58000000A".into(),
            agency_name: Some("行政院人事行政總處".into()),
            is_personnel_officer: false,
            login_method: LoginMethod::Certificate,
            can_add_passkey: true,
        }
    }

    fn method1_card() -> CardRef {
        CardRef {
            slot: "HiCOS PKCS#11 Slot 0".into(),
            certificate: CardCertificate::read(pem_body(CITIZEN_PEM)),
        }
    }

    const AGENT: &str = "http://127.0.0.1:61161";

    /// An employee logged in, the page in English: 我的專區 next.
    fn home() -> Handover {
        Handover {
            lang: Lang::En,
            agent_origin: AGENT.into(),
            me: Some(employee()),
            next: Next::Home,
        }
    }

    /// Method 1 from the login page: an unregistered citizen card, nobody logged in.
    fn method1_wizard(agency_code: Option<&str>) -> Handover {
        Handover {
            lang: Lang::Zh,
            agent_origin: AGENT.into(),
            me: None,
            next: Next::Wizard {
                card: Some(method1_card()),
                kind: CardKind::Citizen,
                agency_code: agency_code.map(Into::into),
                not_registered: true,
            },
        }
    }

    thread_local! {
        static HANDED: RefCell<Vec<Handover>> = const { RefCell::new(Vec::new()) };
    }

    fn record(_app: AppState, handover: Handover) {
        HANDED.with(|handed| handed.borrow_mut().push(handover));
    }

    fn handed() -> Vec<Handover> {
        HANDED.with(|handed| handed.borrow_mut().drain(..).collect())
    }

    #[test]
    fn a_handover_reads_back_as_it_was_written() {
        for handover in [home(), method1_wizard(Some("A58000000A"))] {
            let json = serde_json::to_string(&handover).unwrap();
            assert_eq!(parse(&json), Some(handover));
        }
        // The card's facts (what the login page's reader found) were compared too.
        assert!(method1_card().certificate.profile().is_ok());
    }

    #[test]
    fn the_handover_json_names_its_fields() {
        let json =
            r#"{"lang":"zh","agentOrigin":"http://127.0.0.1:61161","me":null,"next":"home"}"#;
        assert_eq!(
            parse(json),
            Some(Handover {
                lang: Lang::Zh,
                agent_origin: AGENT.into(),
                me: None,
                next: Next::Home,
            })
        );
        for not_one in [
            "",
            "null",
            "{}",
            r#"{"lang":"fr","agentOrigin":"","me":null,"next":"home"}"#,
        ] {
            assert_eq!(parse(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn the_login_module_hands_over_a_later_screen_and_keeps_the_login_page() {
        let owner = Owner::new();
        owner.with(|| {
            let app = AppState::login_only(record, || {});
            app.page.set(Page::Login);
            app.lang.set(Lang::En);
            app.agent_origin.set(AGENT.into());

            app.go_home(Some(employee()));
            assert_eq!(handed(), [home()]);
            assert!(matches!(app.page.get_untracked(), Page::Login));
            assert!(
                app.busy.get_untracked(),
                "busy until the full module takes over"
            );
            assert_eq!(app.me.get_untracked(), None);

            // Logged out: the login page is this module's own.
            app.busy.set(false);
            app.go_home(None);
            assert!(handed().is_empty());
            assert!(matches!(app.page.get_untracked(), Page::Login));
            assert!(!app.busy.get_untracked());
        });
    }

    #[test]
    fn the_wizard_is_handed_over_with_its_card_and_kind() {
        let owner = Owner::new();
        owner.with(|| {
            let app = AppState::login_only(record, || {});
            app.page.set(Page::Login);
            app.me.set(Some(employee()));
            flows::upload_citizen(app);
            let [handover] = <[Handover; 1]>::try_from(handed()).unwrap();
            assert_eq!(handover.me, Some(employee()));
            assert_eq!(
                handover.next,
                Next::Wizard {
                    card: None,
                    kind: CardKind::Citizen,
                    agency_code: Some("A58000000A".into()),
                    not_registered: false,
                }
            );
            assert!(matches!(app.page.get_untracked(), Page::Login));
        });
    }

    #[test]
    fn the_full_module_resumes_where_the_login_page_left_off() {
        let owner = Owner::new();
        owner.with(|| {
            let app = AppState::new();
            flows::resume(app, home());
            assert!(matches!(app.page.get_untracked(), Page::MyArea));
            assert_eq!(app.lang.get_untracked(), Lang::En);
            assert_eq!(app.agent_origin.get_untracked(), AGENT);
            assert_eq!(app.me.get_untracked(), Some(employee()));

            let app = AppState::new();
            flows::resume(app, method1_wizard(None));
            let Page::Wizard {
                state,
                not_registered,
            } = app.page.get_untracked()
            else {
                panic!("the wizard is shown");
            };
            assert!(not_registered);
            let ctx = crate::wizard::WizardContext {
                card: Some(method1_card()),
                kind: CardKind::Citizen,
                agency_code: None,
            };
            assert_eq!(
                state.get_untracked(),
                crate::wizard::Wizard::start(ctx, false)
            );
            assert!(handed().is_empty());
        });
    }

    #[test]
    fn every_screen_module_shows_the_later_screen_itself() {
        let owner = Owner::new();
        owner.with(|| {
            let app = AppState::new();
            app.go_home(Some(employee()));
            assert!(handed().is_empty());
            assert!(matches!(app.page.get_untracked(), Page::MyArea));
            assert!(!app.busy.get_untracked());
        });
    }
}
