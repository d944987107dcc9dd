//! The login page, the card chooser and 「請輸入您的 PIN Code」.

use ecpa_wire::Pin;
use ecpa_wire::api::PasswordLogin;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::cards::CardChoice;
use crate::failure::Failure;
use crate::flows::{self, AppState, PasskeyAutofill};
use crate::messages::{Lang, Text};
use crate::view::common::{CardSubject, ErrorBox, PasswordForm, focused_h2, tr, tr_while};

/// Account and password, 「使用憑證登入」 and 「使用通行密鑰登入」. Where the browser
/// offers it, the account field also suggests passkeys (autofill) while the page is
/// idle; pressing a button stops that.
#[component]
pub fn LoginPage(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let autofill = PasskeyAutofill::new();
    Effect::new(move |_| {
        if !app.busy.get() {
            autofill.start(app);
        }
    });
    on_cleanup(move || autofill.stop());
    let login = Callback::new(move |login: PasswordLogin| {
        autofill.stop();
        app.prepare_later_screens();
        flows::password_login(app, login);
    });
    let cert_login = move |_| {
        if !app.busy.get_untracked() {
            autofill.stop();
            app.prepare_later_screens();
            flows::read_cards(app);
        }
    };
    let passkey_login = move |_| {
        if !app.busy.get_untracked() {
            app.prepare_later_screens();
            flows::passkey_login(app, autofill);
        }
    };
    // The user starts to log in (a field or button of the page gets focus, not the
    // heading the page focuses itself): the screens after the login page start loading.
    let starts_to_log_in = move |event: leptos::ev::FocusEvent| {
        let on_control = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|element| matches!(element.tag_name().as_str(), "INPUT" | "BUTTON"));
        if on_control {
            app.prepare_later_screens();
        }
    };
    view! {
        <section id="login" class="panel" on:focusin=starts_to_log_in>
            {focused_h2("login-heading", tr(lang, Text::LoginHeading))}
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin />
            <PasswordForm lang busy=app.busy on_login=login passkey_autofill=true />
            <div class="alternative">
                <p id="trust-first" class="hint">
                    {tr(lang, Text::TrustFirst)}
                    <a id="add-site-link" href=move || flows::add_site_link(&app.agent_origin.get())
                        target=flows::ADD_SITE_WINDOW rel="noopener">{tr(lang, Text::AddSite)}</a>
                </p>
                <button id="cert-login" type="button" on:click=cert_login disabled=app.busy>{tr(lang, Text::CertLogin)}</button>
                <button id="passkey-login" type="button" on:click=passkey_login disabled=app.busy>{tr(lang, Text::PasskeyLogin)}</button>
                <p class="status" role="status" aria-live="polite">{tr_while(lang, app.busy.into(), Text::Working)}</p>
            </div>
        </section>
    }
}

/// Several cards with signing certificates: the user picks one.
#[component]
pub fn ChooseCardPage(app: AppState, cards: Vec<CardChoice>) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let items = cards
        .into_iter()
        .enumerate()
        .map(|(i, card)| {
            let label = format!("{} — {}", card.holder, card.card.slot);
            view! {
                <li>
                    <button id=format!("card-choice-{i}") type="button"
                        on:click=move |_| flows::card_chosen(app, card.clone())>
                        {label}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section id="choose-card" class="panel">
            {focused_h2("choose-card-heading", tr(lang, Text::ChooseCard))}
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin />
            <ul class="card-list">{items}</ul>
            <button id="choose-card-cancel" type="button" on:click=move |_| app.cancel()>
                {tr(lang, Text::Cancel)}
            </button>
        </section>
    }
}

/// 「請輸入您的 PIN Code」: the card's PIN, 6–8 characters, checked before sending.
#[component]
pub fn PinForm(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] busy: Signal<bool>,
    /// A PIN that passed the length gate; runs inside the submit handler.
    on_pin: Callback<Pin>,
    /// A PIN refused by the gate.
    on_refused: Callback<Failure>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let pin = NodeRef::<html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = pin.get() else { return };
        let typed = input.value();
        input.set_value("");
        match Pin::parse(&typed) {
            Ok(accepted) => on_pin.run(accepted),
            Err(e) => {
                on_refused.run(Failure::Input(e));
                let _ = input.focus();
            }
        }
    };
    view! {
        <form class="form" on:submit=submit>
            <label for="pin">{tr(lang, Text::PinLabel)}</label>
            <input id="pin" name="pin" type="password" autocomplete="off" aria-describedby="pin-hint" node_ref=pin />
            <p id="pin-hint" class="hint">{tr(lang, Text::PinHint)}</p>
            <p class="status" role="status" aria-live="polite">{tr_while(lang, busy, Text::Signing)}</p>
            <div class="actions">
                <button id="pin-cancel" type="button" on:click=move |_| on_cancel.run(())>{tr(lang, Text::Cancel)}</button>
                <button id="pin-submit" type="submit" class="primary" disabled=busy>{tr(lang, Text::Ok)}</button>
            </div>
        </form>
    }
}

/// Method 1 with a registered card: PIN, then the card signs the login challenge.
#[component]
pub fn CertPinPage(app: AppState, card: CardChoice) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let subject = card.card.certificate.subject();
    let on_pin = Callback::new(move |pin: Pin| flows::certificate_login(app, card.clone(), pin));
    let on_refused = Callback::new(move |failure| app.show(failure));
    let on_cancel = Callback::new(move |()| app.cancel());
    view! {
        <section id="cert-pin" class="panel">
            {focused_h2("pin-heading", tr(lang, Text::PinPrompt))}
            <CardSubject subject lang />
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin />
            <PinForm lang busy=app.busy on_pin on_refused on_cancel />
        </section>
    }
}
