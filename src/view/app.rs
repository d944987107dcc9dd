//! The page: the frame (header, breadcrumb, footer) around the current screen.

use leptos::prelude::*;

use crate::flows::{self, AppState, Page};
use crate::handover;
use crate::messages::{Lang, Text};
use crate::view::areas::{MyArea, OrgArea};
use crate::view::common::tr;
use crate::view::frame::{Breadcrumb, SiteFooter, SiteHeader};
use crate::view::login::{CertPinPage, ChooseCardPage, LoginPage};
use crate::view::wizard::WizardView;

/// The whole SPA, every screen in one module.
#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    flows::start(app);
    view! { <Shell app /> }
}

/// The login page's module: the login page, the card chooser and the PIN prompt; a
/// later screen is handed to the full module ([`handover`]).
#[component]
pub fn LoginApp() -> impl IntoView {
    let app = AppState::login_only(handover::hand_over, handover::prepare);
    flows::start(app);
    view! { <LoginShell app /> }
}

/// The frame around a given state, the login page's screens only.
#[component]
pub fn LoginShell(app: AppState) -> impl IntoView {
    view! { <Frame app screen=login_screen /> }
}

/// The frame around a given state, every screen (the browser tests mount it with
/// their own).
#[component]
pub fn Shell(app: AppState) -> impl IntoView {
    view! { <Frame app screen=any_screen /> }
}

/// Draws one page of the state.
type Screen = fn(AppState, Page) -> AnyView;

#[component]
fn Frame(app: AppState, screen: Screen) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    Effect::new(move |_| {
        let tag = app.lang.get().tag();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", tag);
        }
    });
    view! {
        <SiteHeader app />
        <Breadcrumb app />
        <main id="main" class="site-main">{move || screen(app, app.page.get())}</main>
        <SiteFooter lang />
    }
}

/// The login page's screens; the page of another screen (never shown here: it is
/// handed over instead) is the loading notice.
fn login_screen(app: AppState, page: Page) -> AnyView {
    match page {
        Page::Login => view! { <LoginPage app /> }.into_any(),
        Page::ChooseCard { cards } => view! { <ChooseCardPage app cards /> }.into_any(),
        Page::CertPin { card } => view! { <CertPinPage app card /> }.into_any(),
        Page::Loading | Page::Wizard { .. } | Page::MyArea | Page::OrgArea => loading(app),
    }
}

fn any_screen(app: AppState, page: Page) -> AnyView {
    match page {
        Page::Wizard {
            state,
            not_registered,
        } => {
            // Owned by this screen: disposed when another screen replaces it.
            let state = RwSignal::from(state);
            let actions = flows::wizard_actions(app, state);
            let passkeys = flows::passkeys(app);
            view! {
                <WizardView state lang=app.lang agent_origin=app.agent_origin not_registered actions passkeys />
            }
            .into_any()
        }
        Page::MyArea => view! { <MyArea app /> }.into_any(),
        Page::OrgArea => view! { <OrgArea app /> }.into_any(),
        login_page => login_screen(app, login_page),
    }
}

fn loading(app: AppState) -> AnyView {
    view! { <p class="status" role="status">{tr(app.lang.into(), Text::Loading)}</p> }.into_any()
}
