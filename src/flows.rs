//! What happens when the user acts: the agent through its bridge, then the portal.
//! Each entry point that may open the agent's window runs inside a click handler.

use ecpa_wire::agent::{Pkcs11Info, SignResult};
use ecpa_wire::api::{CardKind, CertificateLogin, ChallengePurpose, PasswordLogin, Principal};
use ecpa_wire::{Nonce, Pin};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::bridge::Bridge;
use crate::cards::{CardChoice, signing_cards};
use crate::display::parse_certificate;
use crate::failure::Failure;
use crate::messages::Lang;
use crate::protocol::{parse_answer, read_cards_request, sign_request};
use crate::view::wizard::WizardActions;
use crate::wizard::{CardRef, Signed, Wizard, WizardContext};

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
}

impl AppState {
    pub fn new() -> Self {
        Self {
            lang: RwSignal::new(Lang::Zh),
            agent_origin: RwSignal::new(String::new()),
            page: RwSignal::new(Page::Loading),
            me: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    fn fail(self, failure: Failure) {
        self.busy.set(false);
        self.error.set(Some(failure));
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
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
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
    spawn_local(async move {
        let cards = async {
            let answer = bridge.exchange(&read_cards_request()).await?;
            let info: Pkcs11Info = parse_answer(&answer)?;
            signing_cards(&info)
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
        match api::certificate_status(&card.card.certificate).await {
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
    let has_session = app.me.with_untracked(Option::is_some);
    let ctx = WizardContext {
        card,
        kind,
        agency_code,
    };
    app.busy.set(false);
    app.page.set(Page::Wizard {
        state: ArcRwSignal::new(Wizard::start(ctx, has_session)),
        not_registered,
    });
}

/// Has the card sign a fresh challenge for `purpose`.
async fn sign(
    bridge: Bridge,
    purpose: ChallengePurpose,
    pin: Pin,
    slot: Option<String>,
) -> Result<(Nonce, SignResult), Failure> {
    let challenge = api::challenge(purpose).await?;
    let answer = bridge
        .exchange(&sign_request(challenge.tbs, &pin, slot))
        .await?;
    let result: SignResult = parse_answer(&answer)?;
    if result.signature.is_empty() {
        return Err(Failure::AgentGarbled);
    }
    Ok((challenge.nonce, result))
}

/// The signature with the certificate it belongs to: the card read before the
/// wizard, else the one the agent reports; and what kind of card that is.
fn signed_by(
    card: Option<CardRef>,
    nonce: Nonce,
    result: SignResult,
) -> Result<(Signed, Option<CardKind>), Failure> {
    let certificate = match card {
        Some(card) => card.certificate,
        None if !result.certb64.is_empty() => result.certb64,
        None => return Err(Failure::AgentGarbled),
    };
    let kind = parse_certificate(&certificate)?.kind;
    let signed = Signed {
        nonce,
        signature: result.signature,
        certificate,
    };
    Ok((signed, kind))
}

/// Method 1, registered card: sign the login challenge and log in.
pub fn certificate_login(app: AppState, card: CardChoice, pin: Pin) {
    let Some(bridge) = app.open_agent() else {
        return;
    };
    spawn_local(async move {
        let outcome = async {
            let (nonce, signed) = sign(
                bridge,
                ChallengePurpose::Login,
                pin,
                Some(card.card.slot.clone()),
            )
            .await?;
            let login = CertificateLogin {
                nonce,
                certificate: card.card.certificate.clone(),
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

/// The wizard's effects.
pub fn wizard_actions(app: AppState, state: RwSignal<Wizard>) -> WizardActions {
    WizardActions {
        sign_in: Callback::new(move |login: PasswordLogin| {
            spawn_local(async move {
                match api::password_login(&login).await {
                    Ok(me) => {
                        let agency = match &me {
                            Principal::Employee { agency_code, .. } => Some(agency_code.clone()),
                            Principal::Organization { .. } => None,
                        };
                        app.me.set(Some(me));
                        state.update(|w| *w = w.clone().signed_in(agency));
                    }
                    Err(failure) => state.update(|w| *w = w.clone().sign_in_failed(failure)),
                }
            });
        }),
        sign: Callback::new(move |pin: Pin| {
            let card = state.with_untracked(|w| w.context().card.clone());
            let bridge = match Bridge::open(&app.agent_origin.get_untracked()) {
                Ok(bridge) => bridge,
                Err(failure) => return state.update(|w| *w = w.clone().sign_failed(failure)),
            };
            spawn_local(async move {
                let slot = card.as_ref().map(|c| c.slot.clone());
                let outcome = sign(bridge, ChallengePurpose::Register, pin, slot)
                    .await
                    .and_then(|(nonce, result)| signed_by(card, nonce, result));
                match outcome {
                    Ok((signed, kind)) => state.update(|w| *w = w.clone().signed(signed, kind)),
                    Err(failure) => state.update(|w| *w = w.clone().sign_failed(failure)),
                }
            });
        }),
        lookup: Callback::new(move |code: ecpa_wire::AgencyCode| {
            spawn_local(async move {
                let answer = api::agency(&code).await;
                state.update(|w| *w = w.clone().agency_looked_up(&code, answer));
            });
        }),
        upload: Callback::new(move |request| {
            spawn_local(async move {
                let outcome = api::register(&request).await;
                state.update(|w| *w = w.clone().registered(outcome));
            });
        }),
        finish: Callback::new(move |()| {
            spawn_local(async move {
                match api::me().await {
                    Ok(me) => app.go_home(me),
                    Err(failure) => {
                        app.go_home(None);
                        app.fail(failure);
                    }
                }
            });
        }),
        login_again: Callback::new(move |()| app.go_home(None)),
    }
}
