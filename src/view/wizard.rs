//! `#wizard`: 憑證註冊精靈導引. Renders a [`Wizard`] state; what the user does goes
//! through the state's pure transitions, and effects go out through [`WizardActions`].

use ecpa_wire::api::{CardKind, PasswordLogin, RegistrationRequest};
use ecpa_wire::{AgencyCode, Pin};
use leptos::html;
use leptos::prelude::*;

use crate::display::{CertDisplay, parse_certificate};
use crate::failure::Failure;
use crate::messages::{Lang, check_prompt, failure_text};
use crate::view::common::{CardSubject, ErrorBox, PasswordForm, StepIndicator, focused_h3};
use crate::wizard::{AgencyLookup, Wizard};

/// What the wizard asks the rest of the page to do.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    SignIn,
    Check,
    Confirm,
    Done,
}

fn screen(w: &Wizard) -> Screen {
    match w {
        Wizard::SignIn { .. } => Screen::SignIn,
        Wizard::Check { .. } => Screen::Check,
        Wizard::Confirm { .. } => Screen::Confirm,
        Wizard::Done { .. } => Screen::Done,
    }
}

/// The registration wizard.
#[component]
pub fn WizardView(
    state: RwSignal<Wizard>,
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] agent_origin: Signal<String>,
    /// Method 1: say that the card is not registered yet.
    #[prop(optional)]
    not_registered: bool,
    actions: WizardActions,
) -> impl IntoView {
    let current = Memo::new(move |_| state.with(screen));
    let step = Signal::derive(move || state.with(Wizard::step));
    let failure = Signal::derive(move || {
        state.with(|w| match w {
            Wizard::Done { .. } => None,
            other => other.error().cloned(),
        })
    });
    let card_subject = state
        .with_untracked(|w| w.context().card.clone())
        .map(|card| view! { <CardSubject certificate=card.certificate lang /> });
    let body = move || match current.get() {
        Screen::SignIn => view! { <SignInStep state lang actions /> }.into_any(),
        Screen::Check => view! { <CheckStep state lang actions /> }.into_any(),
        Screen::Confirm => view! { <ConfirmStep state lang actions /> }.into_any(),
        Screen::Done => view! { <ResultStep state lang actions /> }.into_any(),
    };
    view! {
        <section id="wizard" class="wizard" aria-labelledby="wizard-title">
            {not_registered
                .then(|| {
                    view! { <p id="not-registered" class="notice">{move || lang.get().text().not_registered}</p> }
                })}
            {card_subject}
            <h2 id="wizard-title">{move || lang.get().text().wizard_title}</h2>
            <StepIndicator current=step lang />
            <ErrorBox failure lang agent_origin on_login=actions.login_again />
            {body}
        </section>
    }
}

#[component]
fn SignInStep(
    state: RwSignal<Wizard>,
    lang: Signal<Lang>,
    actions: WizardActions,
) -> impl IntoView {
    let busy = Signal::derive(move || state.with(Wizard::is_busy));
    let login = Callback::new(move |login: PasswordLogin| {
        state.update(|w| *w = w.clone().sign_in_started());
        actions.sign_in.run(login);
    });
    let t = move || lang.get().text();
    view! {
        {focused_h3("wizard-login-heading", move || t().login_heading)}
        <PasswordForm lang busy on_login=login />
    }
}

#[component]
fn CheckStep(state: RwSignal<Wizard>, lang: Signal<Lang>, actions: WizardActions) -> impl IntoView {
    let pin = NodeRef::<html::Input>::new();
    let kind = state.with_untracked(|w| w.context().kind);
    let busy = move || state.with(Wizard::is_busy);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = pin.get() else { return };
        let typed = input.value();
        input.set_value("");
        let (next, accepted) = state.get_untracked().submit_pin(&typed);
        state.set(next);
        match accepted {
            Some(pin) => actions.sign.run(pin),
            None => {
                let _ = input.focus();
            }
        }
    };
    let t = move || lang.get().text();
    view! {
        {focused_h3("step-1-heading", move || t().steps[0])}
        <p>{move || t().check_intro}</p>
        <p id="check-prompt" class="prompt">{move || check_prompt(kind, lang.get())}</p>
        <form class="form" on:submit=submit>
            <label for="pin">{move || t().pin_label}</label>
            <input id="pin" name="pin" type="password" autocomplete="off" aria-describedby="pin-hint" node_ref=pin />
            <p id="pin-hint" class="hint">{move || t().pin_hint}</p>
            <p class="status" role="status" aria-live="polite">{move || busy().then(|| t().signing)}</p>
            <div class="actions">
                <button id="wizard-next" type="submit" class="primary" disabled=busy>{move || t().next}</button>
            </div>
        </form>
    }
}

#[component]
fn ConfirmStep(
    state: RwSignal<Wizard>,
    lang: Signal<Lang>,
    actions: WizardActions,
) -> impl IntoView {
    let (kind, certificate) = state.with_untracked(|w| match w {
        Wizard::Confirm { ctx, signed, .. } => (ctx.kind, signed.certificate.clone()),
        other => (other.context().kind, String::new()),
    });
    let parsed = parse_certificate(&certificate);
    let busy = move || state.with(Wizard::is_busy);
    let t = move || lang.get().text();
    let details = match parsed {
        Ok(profile) => {
            let shown = Memo::new(move |_| CertDisplay::new(&profile, lang.get()));
            let field = move |get: fn(&CertDisplay) -> String| move || shown.with(get);
            let oid = shown.with_untracked(|d| d.agency_oid.clone()).map(|oid| {
                view! {
                    <dt>{move || t().agency_oid}</dt>
                    <dd id="cert-agency-oid" class="mono">{oid}</dd>
                }
            });
            view! {
                <dl id="cert-details" class="cert-details">
                    <dt>{move || t().cert_type}</dt>
                    <dd id="cert-type">{field(|d| d.kind_label.clone())}</dd>
                    <dt>{move || t().cert_serial}</dt>
                    <dd id="cert-serial" class="mono">{field(|d| d.serial.clone())}</dd>
                    {oid}
                    <dt>{move || t().cert_subject}</dt>
                    <dd id="cert-subject">{field(|d| d.subject.clone())}</dd>
                    <dt>{move || t().not_before}</dt>
                    <dd id="cert-not-before">{field(|d| d.not_before.clone())}</dd>
                    <dt>{move || t().not_after}</dt>
                    <dd id="cert-not-after">{field(|d| d.not_after.clone())}</dd>
                </dl>
            }
            .into_any()
        }
        Err(failure) => {
            let text = move || failure_text(&failure, lang.get()).message;
            view! { <p id="cert-details" class="error-message">{text}</p> }.into_any()
        }
    };
    let agency =
        (kind == CardKind::Organization).then(|| view! { <AgencyField state lang actions /> });
    let back = move |_| state.update(|w| *w = w.clone().back());
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (next, request) = state.get_untracked().confirm();
        state.set(next);
        if let Some(request) = request {
            actions.upload.run(request);
        }
    };
    view! {
        {focused_h3("step-2-heading", move || t().steps[1])}
        <p class="notice">{move || t().confirm_data}</p>
        {details}
        <p id="keep-card" class="notice warning">{move || t().keep_card}</p>
        <form class="form" on:submit=upload>
            {agency}
            <p class="status" role="status" aria-live="polite">{move || busy().then(|| t().working)}</p>
            <div class="actions">
                <button id="wizard-back" type="button" on:click=back disabled=busy>{move || t().back}</button>
                <button id="wizard-next" type="submit" class="primary" disabled=busy>{move || t().upload}</button>
            </div>
        </form>
    }
}

/// The organization card's agency code, prefilled and editable, with 「查詢機關名稱」.
#[component]
fn AgencyField(
    state: RwSignal<Wizard>,
    lang: Signal<Lang>,
    actions: WizardActions,
) -> impl IntoView {
    let t = move || lang.get().text();
    let code = move || {
        state.with(|w| match w {
            Wizard::Confirm { agency_code, .. } => agency_code.clone(),
            _ => String::new(),
        })
    };
    let lookup = Memo::new(move |_| {
        state.with(|w| match w {
            Wizard::Confirm { lookup, .. } => lookup.clone(),
            _ => AgencyLookup::Idle,
        })
    });
    let edit = move |ev| {
        let text = event_target_value(&ev);
        state.update(|w| *w = w.clone().edit_agency_code(text));
    };
    let ask = move |_| {
        let (next, code) = state.get_untracked().lookup_agency();
        state.set(next);
        if let Some(code) = code {
            actions.lookup.run(code);
        }
    };
    let answer = move || {
        let lang = lang.get();
        match lookup.get() {
            AgencyLookup::Idle => String::new(),
            AgencyLookup::Pending => lang.text().looking_up.to_owned(),
            AgencyLookup::Found(agency) => agency.name,
            AgencyLookup::Unknown => lang.text().agency_unknown.to_owned(),
            AgencyLookup::Failed(failure) => failure_text(&failure, lang).message,
        }
    };
    let state_class = move || match lookup.get() {
        AgencyLookup::Found(_) => "agency-name found",
        AgencyLookup::Unknown | AgencyLookup::Failed(_) => "agency-name problem",
        _ => "agency-name",
    };
    view! {
        <fieldset class="agency">
            <legend>{move || t().agency_prompt}</legend>
            <label for="agency-code">{move || t().agency_code}</label>
            <div class="inline">
                <input id="agency-code" name="agency-code" type="text" inputmode="text" autocomplete="off"
                    prop:value=code on:input=edit />
                <button id="agency-lookup" type="button" on:click=ask>{move || t().agency_lookup}</button>
            </div>
            <p class="agency-result">
                <span class="label">{move || t().agency_name}"："</span>
                <output id="agency-name" class=state_class for="agency-code" aria-live="polite">{answer}</output>
            </p>
        </fieldset>
    }
}

#[component]
fn ResultStep(
    state: RwSignal<Wizard>,
    lang: Signal<Lang>,
    actions: WizardActions,
) -> impl IntoView {
    let t = move || lang.get().text();
    let outcome = state.with_untracked(|w| match w {
        Wizard::Done { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    let failure: Option<Failure> = outcome.as_ref().and_then(|o| o.as_ref().err().cloned());
    let code = failure
        .as_ref()
        .map_or_else(|| "OK".to_owned(), Failure::code);
    let ok = failure.is_none();
    let needs_login = failure.as_ref().is_some_and(Failure::needs_login);
    let words = move || {
        let lang = lang.get();
        match &failure {
            None => view! { <p class="success">{lang.text().upload_ok}</p> }.into_any(),
            Some(failure) => {
                let words = failure_text(failure, lang);
                view! {
                    <p class="problem-title">{lang.text().upload_failed}</p>
                    <p class="error-message">{words.message}</p>
                    {words.next.map(|next| view! { <p class="error-next">{lang.text().next_step}{next}</p> })}
                }
                .into_any()
            }
        }
    };
    let relogin = needs_login.then(|| {
        view! {
            <button id="relogin" type="button" on:click=move |_| actions.login_again.run(())>
                {move || t().to_login}
            </button>
        }
    });
    let retry = (!ok && !needs_login).then(|| {
        view! {
            <button id="wizard-back" type="button" on:click=move |_| state.update(|w| *w = w.clone().back())>
                {move || t().retry}
            </button>
        }
    });
    view! {
        {focused_h3("step-3-heading", move || t().steps[2])}
        <div id="result" class=if ok { "result ok" } else { "result failed" } data-code=code role="status">
            {words}
        </div>
        <div class="actions">
            {relogin}
            {retry}
            <button id="wizard-finish" type="button" class="primary" on:click=move |_| actions.finish.run(())>
                {move || t().to_my_area}
            </button>
        </div>
    }
}
