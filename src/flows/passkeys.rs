//! Passkeys: logging in with one on the login page (a button, and the browser's
//! autofill on the account field), and adding, renaming and removing them in
//! 我的專區 and after 步驟三.

use ecpa_wire::ErrorCode;
use ecpa_wire::api::{Passkey, PasskeyRename, Principal};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use super::{AppState, Page, read_cards};
use crate::api;
use crate::failure::{BrowserPasskey, Failure};
use crate::passkey::can_add_passkey;
use crate::webauthn;

/// What the passkey parts of a page show.
#[derive(Clone, Copy)]
pub struct PasskeyState {
    /// Whether this session may add a passkey now (a card login within 5 minutes).
    pub can_add: Signal<bool>,
    /// My passkeys; `None` while loading.
    pub list: RwSignal<Option<Vec<Passkey>>>,
    /// While the browser's prompt or the portal works on a new passkey.
    pub adding: RwSignal<bool>,
    /// The passkey just added here.
    pub added: RwSignal<Option<Passkey>>,
    /// The failure shown in `#passkey-error`.
    pub failure: RwSignal<Option<Failure>>,
}

impl PasskeyState {
    /// Empty state; `can_add` from whoever is logged in.
    pub fn new(can_add: Signal<bool>) -> Self {
        Self {
            can_add,
            list: RwSignal::new(None),
            adding: RwSignal::new(false),
            added: RwSignal::new(None),
            failure: RwSignal::new(None),
        }
    }
}

/// What the passkey parts ask the page to do (the browser tests record them).
#[derive(Clone, Copy)]
pub struct PasskeyActions {
    /// 「新增通行密鑰」: the browser's prompt, then the portal stores it.
    pub add: Callback<()>,
    /// 「使用憑證登入」: the card login that allows adding one. Runs inside the
    /// click handler, so it may open the agent's window.
    pub cert_login: Callback<()>,
    /// A new name (already checked) for passkey `id`.
    pub rename: Callback<(i64, String)>,
    /// 「確定移除」 passkey `id`.
    pub remove: Callback<i64>,
    /// Back to the login page (session expired).
    pub login_again: Callback<()>,
}

/// The passkey parts' state and actions.
#[derive(Clone, Copy)]
pub struct Passkeys {
    pub state: PasskeyState,
    pub actions: PasskeyActions,
}

/// The passkey parts for the logged-in employee, against the browser and the portal.
pub fn passkeys(app: AppState) -> Passkeys {
    let can_add = Signal::derive(move || app.me.with(|me| can_add_passkey(me.as_ref())));
    let state = PasskeyState::new(can_add);
    let actions = PasskeyActions {
        add: Callback::new(move |()| add(app, state)),
        cert_login: Callback::new(move |()| {
            // Card failures are shown in 我的專區's `#error`.
            if !matches!(app.page.get_untracked(), Page::MyArea) {
                app.go_home(app.me.get_untracked());
            }
            read_cards(app);
        }),
        rename: Callback::new(move |(id, name): (i64, String)| {
            state.failure.set(None);
            spawn_local(async move {
                let done = api::rename_passkey(id, &PasskeyRename { name }).await;
                reload_after(state, done.map(drop)).await;
            });
        }),
        remove: Callback::new(move |id: i64| {
            state.failure.set(None);
            state.added.set(None);
            spawn_local(async move {
                reload_after(state, api::remove_passkey(id).await).await;
            });
        }),
        login_again: Callback::new(move |()| app.go_home(None)),
    };
    Passkeys { state, actions }
}

/// Loads my passkeys into the state.
pub fn load_passkeys(state: PasskeyState) {
    spawn_local(load(state));
}

async fn load(state: PasskeyState) {
    match api::my_passkeys().await {
        Ok(list) => state.list.set(Some(list)),
        Err(failure) => state.failure.set(Some(failure)),
    }
}

async fn reload_after(state: PasskeyState, done: Result<(), Failure>) {
    match done {
        Ok(()) => load(state).await,
        Err(failure) => state.failure.set(Some(failure)),
    }
}

fn add(app: AppState, state: PasskeyState) {
    if state.adding.get_untracked() {
        return;
    }
    state.adding.set(true);
    state.failure.set(None);
    state.added.set(None);
    spawn_local(async move {
        let added = async {
            let options = api::passkey_registration_start().await?;
            let credential = webauthn::create(&options).await?;
            api::passkey_registration_finish(&credential).await
        }
        .await;
        state.adding.set(false);
        match added {
            Ok(passkey) => {
                state.added.set(Some(passkey));
                load(state).await;
            }
            Err(failure) => {
                if failure == Failure::Api(ErrorCode::PASSKEY_STEP_UP_REQUIRED) {
                    // The card login is older than 5 minutes: say so, offer it again.
                    app.me.update(|me| {
                        if let Some(Principal::Employee {
                            can_add_passkey, ..
                        }) = me
                        {
                            *can_add_passkey = false;
                        }
                    });
                }
                state.failure.set(Some(failure));
            }
        }
    });
}

/// The login page's passkey autofill (conditional mediation): a browser request
/// that waits among the account field's suggestions while the page is shown, and
/// is aborted when the user presses a button instead.
#[derive(Clone, Copy)]
pub struct PasskeyAutofill(StoredValue<Option<AbortController>, LocalStorage>);

impl PasskeyAutofill {
    pub fn new() -> Self {
        Self(StoredValue::new_local(None))
    }

    /// Starts the request where the browser offers it, unless one is pending. Until
    /// the user picks a passkey nothing is shown: the password form stays the way in.
    pub fn start(self, app: AppState) {
        if self.0.try_with_value(Option::is_some).unwrap_or(true) {
            return;
        }
        let Ok(controller) = AbortController::new() else {
            return;
        };
        let signal = controller.signal();
        self.0.set_value(Some(controller));
        spawn_local(async move {
            let picked = async {
                if !webauthn::autofill_available().await {
                    return Ok(None);
                }
                let options = api::passkey_authentication_start().await?;
                if signal.aborted() {
                    return Ok(None);
                }
                webauthn::get(&options, Some(&signal)).await
            }
            .await;
            if let Ok(Some(credential)) = picked {
                self.0.try_set_value(None);
                app.busy.set(true);
                app.error.set(None);
                logged_in(app, api::passkey_login(credential).await);
            }
        });
    }

    /// Aborts the pending request, if any.
    pub fn stop(self) {
        if let Some(Some(controller)) = self.0.try_update_value(Option::take) {
            controller.abort();
        }
    }
}

impl Default for PasskeyAutofill {
    fn default() -> Self {
        Self::new()
    }
}

/// 「使用通行密鑰登入」: the browser's prompt, then the portal's login.
pub fn passkey_login(app: AppState, autofill: PasskeyAutofill) {
    autofill.stop();
    app.busy.set(true);
    app.error.set(None);
    spawn_local(async move {
        let outcome = async {
            let options = api::passkey_authentication_start().await?;
            let credential = webauthn::get(&options, None)
                .await?
                .ok_or(Failure::Passkey(BrowserPasskey::Cancelled))?;
            api::passkey_login(credential).await
        }
        .await;
        logged_in(app, outcome);
    });
}

fn logged_in(app: AppState, outcome: Result<Principal, Failure>) {
    match outcome {
        Ok(me) => app.go_home(Some(me)),
        Err(failure) => app.fail(failure),
    }
}
