//! Every effect of the page: the agent through its bridge, the portal, and the
//! state the views render. Views only render and call these. Each entry point that
//! may open the agent's window runs inside a click handler.

mod areas;
mod passkeys;
mod wizard;

use ecpa_wire::Pin;
use ecpa_wire::agent::Pkcs11Info;
use ecpa_wire::api::{CardKind, CertificateLogin, ChallengePurpose, PasswordLogin, Principal};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::bridge::Bridge;
use crate::cards::{self, CardChoice, signing_cards};
use crate::certificate_reader;
use crate::failure::Failure;
use crate::handover::{Handover, Next};
use crate::messages::Lang;
use crate::protocol::{add_site_url, parse_answer, read_cards_request};
use crate::wizard::{CardRef, Wizard, WizardContext};

pub use areas::{load_my_certificates, withdraw};
pub use passkeys::{
    PasskeyActions, PasskeyAutofill, PasskeyState, Passkeys, load_passkeys, passkey_login, passkeys,
};
pub use wizard::{WizardActions, WizardFlow, wizard_actions};

/// The screens of the page.
#[derive(Debug, Clone)]
pub enum Page {
    Loading,
    Login,
    ChooseCard {
        cards: Vec<CardChoice>,
    },
    /// 「請輸入您的 PIN Code」 for a registered card.
    CertPin {
        card: CardChoice,
    },
    /// The state outlives the screen that opened the wizard, so it is reference
    /// counted rather than owned by that screen.
    Wizard {
        state: ArcRwSignal<Wizard>,
        not_registered: bool,
    },
    MyArea,
    OrgArea,
}

/// Which screens this module draws.
#[derive(Clone, Copy)]
pub enum Screens {
    /// Every screen: the full module (and the tests).
    All,
    /// The login page's module: the login page, the card chooser and the PIN prompt.
    /// A later screen (the wizard, 我的專區, the organization area) is handed to the
    /// full module by `hand_over`, which loads it and gives it the page; `prepare`
    /// starts loading it early, when the user starts to log in.
    Login {
        hand_over: fn(AppState, Handover),
        prepare: fn(),
    },
}

/// The page's shared state.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub agent_origin: RwSignal<String>,
    pub page: RwSignal<Page>,
    pub me: RwSignal<Option<Principal>>,
    /// The failure shown on the current (non-wizard) screen.
    pub error: RwSignal<Option<Failure>>,
    pub busy: RwSignal<bool>,
    pub screens: Screens,
}

impl AppState {
    /// The state of a module that draws every screen.
    pub fn new() -> Self {
        Self {
            lang: RwSignal::new(Lang::Zh),
            agent_origin: RwSignal::new(String::new()),
            page: RwSignal::new(Page::Loading),
            me: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            screens: Screens::All,
        }
    }

    /// The state of the login page's module: later screens go to `hand_over`, which
    /// `prepare` readies.
    pub fn login_only(hand_over: fn(AppState, Handover), prepare: fn()) -> Self {
        Self {
            screens: Screens::Login { hand_over, prepare },
            ..Self::new()
        }
    }

    /// The user has started to log in: in the login page's module, the full module
    /// starts loading, so that it is ready when the portal answers.
    pub fn prepare_later_screens(self) {
        if let Screens::Login { prepare, .. } = self.screens {
            prepare();
        }
    }

    /// In the login page's module, gives a later screen to the full module (true);
    /// the page stays as it is, busy, until that module takes it over.
    fn handed_over(self, me: &Option<Principal>, next: impl FnOnce() -> Next) -> bool {
        let Screens::Login { hand_over, .. } = self.screens else {
            return false;
        };
        self.error.set(None);
        self.busy.set(true);
        let handover = Handover {
            lang: self.lang.get_untracked(),
            agent_origin: self.agent_origin.get_untracked(),
            me: me.clone(),
            next: next(),
        };
        hand_over(self, handover);
        true
    }

    fn fail(self, failure: Failure) {
        self.busy.set(false);
        self.error.set(Some(failure));
    }

    /// Shows a failure found on the page itself (e.g. a PIN the gate refused).
    pub fn show(self, failure: Failure) {
        self.error.set(Some(failure));
    }

    /// The language switch.
    pub fn switch_lang(self) {
        self.lang.update(|lang| *lang = lang.other());
    }

    /// Clears the last failure and opens the agent's window (so in a click handler);
    /// busy while it is open, the failure shown when it cannot be opened.
    fn open_agent(self) -> Option<Bridge> {
        self.error.set(None);
        match Bridge::open(&self.agent_origin.get_untracked()) {
            Ok(bridge) => {
                self.busy.set(true);
                Some(bridge)
            }
            Err(failure) => {
                self.fail(failure);
                None
            }
        }
    }

    /// Shows the screen that fits who is logged in.
    pub fn go_home(self, me: Option<Principal>) {
        if me.is_some() && self.handed_over(&me, || Next::Home) {
            return;
        }
        self.busy.set(false);
        self.error.set(None);
        let page = match &me {
            None => Page::Login,
            Some(Principal::Employee { .. }) => Page::MyArea,
            Some(Principal::Organization { .. }) => Page::OrgArea,
        };
        self.me.set(me);
        self.page.set(page);
    }

    /// 「取消」: back to the screen of whoever is logged in.
    pub fn cancel(self) {
        self.go_home(self.me.get_untracked());
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// Takes over a page the login page's module handed over: its language, the agent's
/// address, who is logged in, and the screen it was about to show.
pub fn resume(app: AppState, handover: Handover) {
    app.lang.set(handover.lang);
    app.agent_origin.set(handover.agent_origin);
    match handover.next {
        Next::Home => app.go_home(handover.me),
        Next::Wizard {
            card,
            kind,
            agency_code,
            not_registered,
        } => {
            app.me.set(handover.me);
            open_wizard(app, card, kind, agency_code, not_registered);
        }
    }
}

/// Loads the configuration, then who is logged in.
pub fn start(app: AppState) {
    spawn_local(async move {
        match api::config().await {
            Ok(config) => app.agent_origin.set(config.agent_origin),
            Err(failure) => {
                app.page.set(Page::Login);
                app.fail(failure);
                return;
            }
        }
        match api::me().await {
            Ok(me) => app.go_home(me),
            Err(failure) => {
                app.page.set(Page::Login);
                app.fail(failure);
            }
        }
    });
}

pub fn password_login(app: AppState, login: PasswordLogin) {
    app.busy.set(true);
    app.error.set(None);
    spawn_local(async move {
        match api::password_login(&login).await {
            Ok(me) => app.go_home(Some(me)),
            Err(failure) => app.fail(failure),
        }
    });
}

pub fn logout(app: AppState) {
    spawn_local(async move {
        match api::logout().await {
            Ok(()) | Err(Failure::Api(ecpa_wire::ErrorCode::UNAUTHENTICATED)) => app.go_home(None),
            Err(failure) => app.fail(failure),
        }
    });
}

/// 「使用憑證登入」: reads the cards through the agent's window (opened here, in the
/// click handler), then asks the portal whether the signing certificate is registered.
pub fn read_cards(app: AppState) {
    let Some(bridge) = app.open_agent() else {
        return;
    };
    // The certificate reader downloads while the agent reads the card.
    certificate_reader::prepare();
    spawn_local(async move {
        let cards = async {
            let answer = bridge.exchange(&read_cards_request()).await?;
            let info: Pkcs11Info = parse_answer(&answer)?;
            cards::read_offers(signing_cards(&info)?).await
        }
        .await;
        match cards {
            Ok(mut cards) if cards.len() == 1 => {
                if let Some(card) = cards.pop() {
                    card_chosen(app, card);
                }
            }
            Ok(cards) => {
                app.busy.set(false);
                app.page.set(Page::ChooseCard { cards });
            }
            Err(failure) => app.fail(failure),
        }
    });
}

/// The card to use is known: log in with it if registered, else register it.
pub fn card_chosen(app: AppState, card: CardChoice) {
    app.error.set(None);
    app.busy.set(true);
    spawn_local(async move {
        match api::certificate_status(card.card.certificate.base64()).await {
            Ok(status) if status.registered => {
                app.busy.set(false);
                app.page.set(Page::CertPin { card });
            }
            Ok(status) => {
                let agency_code = employee_agency(app);
                open_wizard(app, Some(card.card), status.kind, agency_code, true);
            }
            Err(failure) => app.fail(failure),
        }
    });
}

/// 「自然人憑證上傳」 (Method 2): the wizard for a citizen card, inserted at step 1.
pub fn upload_citizen(app: AppState) {
    app.error.set(None);
    let agency_code = employee_agency(app);
    open_wizard(app, None, CardKind::Citizen, agency_code, false);
}

fn employee_agency(app: AppState) -> Option<String> {
    app.me.with_untracked(|me| match me {
        Some(Principal::Employee { agency_code, .. }) => Some(agency_code.clone()),
        _ => None,
    })
}

fn open_wizard(
    app: AppState,
    card: Option<CardRef>,
    kind: CardKind,
    agency_code: Option<String>,
    not_registered: bool,
) {
    let me = app.me.get_untracked();
    let handed_over = app.handed_over(&me, || Next::Wizard {
        card: card.clone(),
        kind,
        agency_code: agency_code.clone(),
        not_registered,
    });
    if handed_over {
        return;
    }
    let has_session = me.is_some();
    let ctx = WizardContext {
        card,
        kind,
        agency_code,
    };
    let kind = ctx.kind;
    let state = ArcRwSignal::new(Wizard::start(ctx, has_session));
    if has_session {
        // Whether this person may register is asked before any PIN.
        let vetting = state.clone();
        spawn_local(async move {
            let answer = api::eligibility(kind).await;
            vetting.update(|w| *w = w.clone().vetted(answer));
        });
    }
    app.busy.set(false);
    app.page.set(Page::Wizard {
        state,
        not_registered,
    });
}

/// The window the agent's `/addDomain` page opens in.
pub const ADD_SITE_WINDOW: &str = "ecpa-card-agent";

/// The agent's page that asks the user to trust this page's site (`/addDomain`).
pub fn add_site_link(agent_origin: &str) -> String {
    let page_origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    add_site_url(agent_origin, &page_origin)
}

/// Opens the agent's page that asks the user to trust this site (`/addDomain`).
pub fn open_add_site(agent_origin: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let _ = window.open_with_url_and_target(&add_site_link(agent_origin), ADD_SITE_WINDOW);
}

/// 「機關憑證上傳」 from 我的專區 (a personnel officer): the wizard for an
/// organization card, inserted at step 1.
pub fn upload_organization(app: AppState) {
    app.error.set(None);
    let agency_code = employee_agency(app);
    open_wizard(app, None, CardKind::Organization, agency_code, false);
}

/// Method 1, registered card: sign the login challenge and log in.
pub fn certificate_login(app: AppState, card: CardChoice, pin: Pin) {
    let Some(bridge) = app.open_agent() else {
        return;
    };
    spawn_local(async move {
        let outcome = async {
            let (nonce, signed) = wizard::sign(
                bridge,
                ChallengePurpose::Login,
                pin,
                Some(card.card.slot.clone()),
            )
            .await?;
            let login = CertificateLogin {
                nonce,
                certificate: card.card.certificate.base64().to_owned(),
                signature: signed.signature,
            };
            api::certificate_login(&login).await
        }
        .await;
        match outcome {
            Ok(me) => app.go_home(Some(me)),
            Err(failure) => app.fail(failure),
        }
    });
}
