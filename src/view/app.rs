//! The page: the frame (header, breadcrumb, footer) around the current screen.

use leptos::prelude::*;

use crate::flows::{self, AppState, Page};
use crate::messages::{Lang, Text};
use crate::view::areas::{MyArea, OrgArea};
use crate::view::common::tr;
use crate::view::frame::{Breadcrumb, SiteFooter, SiteHeader};
use crate::view::login::{CertPinPage, ChooseCardPage, LoginPage};
use crate::view::wizard::WizardView;

/// The whole SPA.
#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    flows::start(app);
    view! { <Shell app /> }
}

/// The frame around a given state (the browser tests mount it with their own).
#[component]
pub fn Shell(app: AppState) -> impl IntoView {
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
    let screen = move || match app.page.get() {
        Page::Loading => {
            view! { <p class="status" role="status">{tr(lang, Text::Loading)}</p> }.into_any()
        }
        Page::Login => view! { <LoginPage app /> }.into_any(),
        Page::ChooseCard { cards } => view! { <ChooseCardPage app cards /> }.into_any(),
        Page::CertPin { card } => view! { <CertPinPage app card /> }.into_any(),
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
    };
    view! {
        <SiteHeader app />
        <Breadcrumb app />
        <main id="main" class="site-main">{screen}</main>
        <SiteFooter lang />
    }
}
