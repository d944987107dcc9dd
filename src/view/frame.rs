//! The frame around every screen: the service's header, the breadcrumb
//! (現在位置：首頁 > 我的專區 > 自然人憑證上傳) and the footer.

use ecpa_wire::api::CardKind;
use leptos::prelude::*;

use crate::flows::{AppState, Page};
use crate::messages::{Lang, Text};
use crate::view::common::tr;

/// The header: 行政院人事行政總處 · ECPA 人事服務網, and the language switch.
#[component]
pub fn SiteHeader(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    view! {
        <header class="site-header">
            <div class="site-header-inner">
                <h1 class="site-name">
                    <a class="site-identity" href="/">
                        <span class="site-owner">{tr(lang, Text::SiteOwner)}</span>
                        <span class="site-title">{tr(lang, Text::SiteTitle)}</span>
                    </a>
                </h1>
                <button id="lang" type="button" class="lang-switch" lang=move || app.lang.get().other().tag()
                    on:click=move |_| app.switch_lang()>
                    {tr(lang, Text::SwitchLang)}
                </button>
            </div>
        </header>
    }
}

/// The places above the current screen, then the screen itself (after 首頁).
fn trail(page: &Page) -> Vec<Text> {
    let upload = |kind| match kind {
        CardKind::Citizen => Text::UploadCitizen,
        CardKind::Organization => Text::UploadOrganization,
    };
    match page {
        Page::Loading => Vec::new(),
        Page::Login => vec![Text::LoginCrumb],
        Page::ChooseCard { .. } | Page::CertPin { .. } => vec![Text::CertLogin],
        Page::Wizard {
            state,
            not_registered,
        } => {
            let kind = state.with_untracked(|w| w.context().kind);
            let from = if *not_registered {
                Text::CertLogin
            } else {
                Text::MyArea
            };
            vec![from, upload(kind)]
        }
        Page::MyArea => vec![Text::MyArea],
        Page::OrgArea => vec![Text::OrgArea],
    }
}

/// `#breadcrumb`: 現在位置：首頁 > … with the current screen last (`aria-current`).
#[component]
pub fn Breadcrumb(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let crumbs = move || {
        let lang = lang.get();
        let trail = app.page.with(trail);
        let last = trail.len().saturating_sub(1);
        trail
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let name = text.get(lang);
                if i == last {
                    view! { <li aria-current="page">{name}</li> }.into_any()
                } else {
                    view! { <li><a href="/">{name}</a></li> }.into_any()
                }
            })
            .collect_view()
    };
    view! {
        <nav id="breadcrumb" class="breadcrumb" aria-label=tr(lang, Text::BreadcrumbLabel)>
            <div class="breadcrumb-inner">
                <span class="breadcrumb-here">{tr(lang, Text::YouAreHere)}</span>
                <ol>
                    <li><a href="/">{tr(lang, Text::Home)}</a></li>
                    {crumbs}
                </ol>
            </div>
        </nav>
    }
}

/// The footer: contact, privacy policy and accessibility statement.
#[component]
pub fn SiteFooter(#[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    view! {
        <footer id="site-footer" class="site-footer" aria-label=tr(lang, Text::FooterLabel)>
            <div class="site-footer-inner">
                <details id="footer-privacy">
                    <summary>{tr(lang, Text::Privacy)}</summary>
                    <p>{tr(lang, Text::PrivacyText)}</p>
                </details>
                <details id="footer-accessibility">
                    <summary>{tr(lang, Text::AccessibilityStatement)}</summary>
                    <p>{tr(lang, Text::AccessibilityText)}</p>
                </details>
                <p id="footer-contact" class="contact">
                    <strong>{tr(lang, Text::Contact)}</strong>" "{tr(lang, Text::ContactText)}
                </p>
            </div>
        </footer>
    }
}
