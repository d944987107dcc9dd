//! The wizard's effects: what the user does goes through the state's pure
//! transitions ([`WizardFlow`]), and what leaves the page (the agent, the portal,
//! another screen) goes out through [`WizardActions`].

use ecpa_wire::agent::SignResult;
use ecpa_wire::api::{CardKind, ChallengePurpose, PasswordLogin, Principal, RegistrationRequest};
use ecpa_wire::{AgencyCode, Nonce, Pin};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::AppState;
use crate::api;
use crate::bridge::Bridge;
use crate::certificate_reader;
use crate::failure::Failure;
use crate::protocol::{parse_answer, sign_request};
use crate::wizard::{CardRef, Signed, Wizard};

/// What the wizard asks the rest of the page to do (the browser tests record them).
#[derive(Clone, Copy)]
pub struct WizardActions {
    /// Log in with ECPA account and password (no session yet).
    pub sign_in: Callback<PasswordLogin>,
    /// Have the card sign the register challenge. Runs inside the click handler,
    /// so it may open the agent's window.
    pub sign: Callback<Pin>,
    /// 「查詢機關名稱」.
    pub lookup: Callback<AgencyCode>,
    /// 「確認上傳」.
    pub upload: Callback<RegistrationRequest>,
    /// Leave the wizard (to 我的專區).
    pub finish: Callback<()>,
    /// Back to the login page (session expired).
    pub login_again: Callback<()>,
}

/// Applies a pure transition to the wizard's state.
pub fn step(state: RwSignal<Wizard>, transition: impl FnOnce(Wizard) -> Wizard) {
    ask(state, |w| (transition(w), None::<()>));
}

/// Applies a transition that may call for an action, and returns that action.
fn ask<T>(
    state: RwSignal<Wizard>,
    transition: impl FnOnce(Wizard) -> (Wizard, Option<T>),
) -> Option<T> {
    let (next, wanted) = transition(state.get_untracked());
    state.set(next);
    wanted
}

/// What the user does in the wizard: a transition, then the action it calls for.
#[derive(Clone, Copy)]
pub struct WizardFlow {
    pub state: RwSignal<Wizard>,
    pub actions: WizardActions,
}

impl WizardFlow {
    /// The password form was sent.
    pub fn sign_in(self, login: PasswordLogin) {
        step(self.state, Wizard::sign_in_started);
        self.actions.sign_in.run(login);
    }

    /// 「下一步」 on step 1 with what was typed. False when the PIN gate refused it.
    pub fn submit_pin(self, typed: &str) -> bool {
        let accepted = ask(self.state, |w| w.submit_pin(typed));
        accepted.map(|pin| self.actions.sign.run(pin)).is_some()
    }

    /// 「上一步」 or 「重新操作」.
    pub fn back(self) {
        step(self.state, Wizard::back);
    }

    pub fn edit_agency_code(self, text: String) {
        step(self.state, |w| w.edit_agency_code(text));
    }

    /// 「查詢機關名稱」.
    pub fn lookup_agency(self) {
        if let Some(code) = ask(self.state, Wizard::lookup_agency) {
            self.actions.lookup.run(code);
        }
    }

    /// 「確認上傳」.
    pub fn confirm(self) {
        if let Some(request) = ask(self.state, Wizard::confirm) {
            self.actions.upload.run(request);
        }
    }

    pub fn finish(self) {
        self.actions.finish.run(());
    }

    pub fn login_again(self) {
        self.actions.login_again.run(());
    }
}

/// The wizard's actions against the agent and the portal.
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
                        step(state, |w| w.signed_in(agency));
                        let kind = state.with_untracked(|w| w.context().kind);
                        let answer = api::eligibility(kind).await;
                        step(state, |w| w.vetted(answer));
                    }
                    Err(failure) => step(state, |w| w.sign_in_failed(failure)),
                }
            });
        }),
        sign: Callback::new(move |pin: Pin| {
            let card = state.with_untracked(|w| w.context().card.clone());
            let bridge = match Bridge::open(&app.agent_origin.get_untracked()) {
                Ok(bridge) => bridge,
                Err(failure) => return step(state, |w| w.sign_failed(failure)),
            };
            if card.is_none() {
                // The agent reports the certificate with the signature: read it then.
                certificate_reader::prepare();
            }
            spawn_local(async move {
                let slot = card.as_ref().map(|c| c.slot.clone());
                let outcome = match sign(bridge, ChallengePurpose::Register, pin, slot).await {
                    Ok((nonce, result)) => signed_by(card, nonce, result).await,
                    Err(failure) => Err(failure),
                };
                match outcome {
                    Ok((signed, kind)) => step(state, |w| w.signed(signed, kind)),
                    Err(failure) => step(state, |w| w.sign_failed(failure)),
                }
            });
        }),
        lookup: Callback::new(move |code: AgencyCode| {
            spawn_local(async move {
                let answer = api::agency(&code).await;
                step(state, |w| w.agency_looked_up(&code, answer));
            });
        }),
        upload: Callback::new(move |request| {
            spawn_local(async move {
                let outcome = api::register(&request).await;
                step(state, |w| w.registered(outcome));
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

/// Has the card sign a fresh challenge for `purpose`.
pub(super) async fn sign(
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
/// wizard (already parsed), else the one the agent reports (read now); and what
/// kind of card that is.
async fn signed_by(
    card: Option<CardRef>,
    nonce: Nonce,
    result: SignResult,
) -> Result<(Signed, Option<CardKind>), Failure> {
    let certificate = match card {
        Some(card) => card.certificate,
        None if !result.certb64.is_empty() => certificate_reader::read_one(result.certb64).await?,
        None => return Err(Failure::AgentGarbled),
    };
    let kind = certificate.kind()?;
    let signed = Signed {
        nonce,
        signature: result.signature,
        certificate,
    };
    Ok((signed, kind))
}
