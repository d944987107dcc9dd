//! `#wizard`: 憑證註冊精靈導引. Renders a [`Wizard`] state; what the user does goes
//! to [`WizardFlow`], which applies the state's pure transitions and calls the
//! [`WizardActions`].

use ecpa_wire::api::{CardKind, PasswordLogin};
use leptos::html;
use leptos::prelude::*;

use crate::display::CertDisplay;
use crate::failure::Failure;
use crate::flows::{Passkeys, WizardActions, WizardFlow};
use crate::messages::{Lang, Text, check_prompt, failure_text};
use crate::view::common::{
    CardPicture, ErrorBox, PasswordForm, StepIndicator, focused_h3, tr, tr_while,
};
use crate::view::passkeys::PasskeyAdd;
use crate::wizard::{AgencyLookup, Wizard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    SignIn,
    Vetting,
    Refused,
    Check,
    Confirm,
    Done,
}

fn screen(w: &Wizard) -> Screen {
    match w {
        Wizard::SignIn { .. } => Screen::SignIn,
        Wizard::Vetting { .. } => Screen::Vetting,
        Wizard::Refused { .. } => Screen::Refused,
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
    /// 步驟三 offers 「新增通行密鑰」 after a citizen card's upload.
    #[prop(optional)]
    passkeys: Option<Passkeys>,
) -> impl IntoView {
    let flow = WizardFlow { state, actions };
    let current = Memo::new(move |_| state.with(screen));
    let step = Memo::new(move |_| state.with(Wizard::step));
    // The step screens' headings are the step indicator's current name.
    let heading = Memo::new(move |_| match current.get() {
        Screen::Check => Some("step-1-heading"),
        Screen::Confirm => Some("step-2-heading"),
        Screen::Done => Some("step-3-heading"),
        Screen::SignIn | Screen::Vetting | Screen::Refused => None,
    });
    let failure = Signal::derive(move || {
        state.with(|w| match w {
            Wizard::Done { .. } => None,
            other => other.error().cloned(),
        })
    });
    // 「找不到對應的憑證資訊」 introduces the steps: shown only until step 1 is done, and
    // not beside a refusal.
    let before_steps = move || {
        matches!(
            current.get(),
            Screen::SignIn | Screen::Vetting | Screen::Check
        )
    };
    let failed = Signal::derive(move || {
        state.with(|w| {
            matches!(
                w,
                Wizard::Refused { .. }
                    | Wizard::Done {
                        outcome: Err(_),
                        ..
                    }
            )
        })
    });
    let body = move || match current.get() {
        Screen::SignIn => view! { <SignInStep flow lang /> }.into_any(),
        Screen::Vetting => view! { <VettingStep lang /> }.into_any(),
        Screen::Refused => view! { <RefusedStep flow lang /> }.into_any(),
        Screen::Check => view! { <CheckStep flow lang /> }.into_any(),
        Screen::Confirm => view! { <ConfirmStep flow lang /> }.into_any(),
        Screen::Done => view! { <ResultStep flow lang passkeys /> }.into_any(),
    };
    view! {
        <section id="wizard" class="wizard" aria-labelledby="wizard-title">
            {move || {
                (not_registered && before_steps())
                    .then(|| {
                        view! { <p id="not-registered" class="notice">{tr(lang, Text::NotRegistered)}</p> }
                    })
            }}
            <h2 id="wizard-title">{tr(lang, Text::WizardTitle)}</h2>
            <StepIndicator current=step failed heading lang />
            <ErrorBox failure lang agent_origin on_login=actions.login_again />
            {body}
        </section>
    }
}

/// True while the wizard waits for the agent or the portal.
fn busy(flow: WizardFlow) -> Signal<bool> {
    let state = flow.state;
    Signal::derive(move || state.with(Wizard::is_busy))
}

#[component]
fn SignInStep(flow: WizardFlow, lang: Signal<Lang>) -> impl IntoView {
    let login = Callback::new(move |login: PasswordLogin| flow.sign_in(login));
    let heading = match flow.state.with_untracked(|w| w.context().kind) {
        CardKind::Citizen => Text::CitizenLoginHeading,
        CardKind::Organization => Text::OrganizationLoginHeading,
    };
    view! {
        {focused_h3("wizard-login-heading", tr(lang, heading))}
        <PasswordForm lang busy=busy(flow) on_login=login />
    }
}

/// Signed in: waiting for whether this person may register; no PIN field yet.
#[component]
fn VettingStep(lang: Signal<Lang>) -> impl IntoView {
    view! { <p id="vetting" class="status" role="status" aria-live="polite">{tr(lang, Text::Vetting)}</p> }
}

/// The portal said no before the PIN: `#error` says why and what to do next.
#[component]
fn RefusedStep(flow: WizardFlow, lang: Signal<Lang>) -> impl IntoView {
    view! {
        {focused_h3("refused-heading", tr(lang, Text::Refused))}
        <div class="actions">
            <button id="wizard-finish" type="button" class="primary" on:click=move |_| flow.finish()>
                {tr(lang, Text::ToMyArea)}
            </button>
        </div>
    }
}

#[component]
fn CheckStep(flow: WizardFlow, lang: Signal<Lang>) -> impl IntoView {
    let pin = NodeRef::<html::Input>::new();
    let kind = flow.state.with_untracked(|w| w.context().kind);
    let busy = busy(flow);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = pin.get() else { return };
        let typed = input.value();
        input.set_value("");
        if !flow.submit_pin(&typed) {
            let _ = input.focus();
        }
    };
    view! {
        <div class="step-layout">
        <CardPicture kind lang />
        <div class="step-content">
        <p>{tr(lang, Text::CheckIntro)}</p>
        <p id="check-prompt" class="prompt">{move || check_prompt(kind, lang.get())}</p>
        <form class="form" on:submit=submit>
            <label for="pin">{tr(lang, Text::PinLabel)}</label>
            <input id="pin" name="pin" type="password" autocomplete="off" aria-describedby="pin-hint" node_ref=pin />
            <p id="pin-hint" class="hint">{tr(lang, Text::PinHint)}</p>
            <p class="status" role="status" aria-live="polite">{tr_while(lang, busy, Text::Signing)}</p>
            <div class="actions">
                <button id="wizard-next" type="submit" class="primary" disabled=busy>{tr(lang, Text::Next)}</button>
            </div>
        </form>
        </div>
        </div>
    }
}

#[component]
fn ConfirmStep(flow: WizardFlow, lang: Signal<Lang>) -> impl IntoView {
    let (kind, profile) = flow.state.with_untracked(|w| match w {
        Wizard::Confirm { ctx, signed, .. } => (ctx.kind, signed.certificate.profile().cloned()),
        other => (other.context().kind, Err(Failure::CertificateUnreadable)),
    });
    let busy = busy(flow);
    let details = match profile {
        Ok(profile) => {
            let shown = Memo::new(move |_| CertDisplay::new(&profile, lang.get()));
            let field = move |get: fn(&CertDisplay) -> String| move || shown.with(get);
            let oid = shown.with_untracked(|d| d.agency_oid.clone()).map(|oid| {
                view! {
                    <dt>{tr(lang, Text::AgencyOid)}</dt>
                    <dd id="cert-agency-oid" class="mono">{oid}</dd>
                }
            });
            view! {
                <dl id="cert-details" class="cert-details">
                    <dt>{tr(lang, Text::CertType)}</dt>
                    <dd id="cert-type">{field(|d| d.kind_label.clone())}</dd>
                    <dt>{tr(lang, Text::CertSerial)}</dt>
                    <dd id="cert-serial" class="mono">{field(|d| d.serial.clone())}</dd>
                    {oid}
                    <dt>{tr(lang, Text::CertSubject)}</dt>
                    <dd id="cert-subject">{field(|d| d.subject.clone())}</dd>
                    <dt>{tr(lang, Text::NotBefore)}</dt>
                    <dd id="cert-not-before">{field(|d| d.not_before.clone())}</dd>
                    <dt>{tr(lang, Text::NotAfter)}</dt>
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
    let organization = kind == CardKind::Organization;
    let agency = organization.then(|| view! { <AgencyField flow lang /> });
    let agency_note =
        organization.then(|| view! { <li id="agency-note">{tr(lang, Text::AgencyPrompt)}</li> });
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        flow.confirm();
    };
    view! {
        <div class="step-layout">
        <div class="step-aside">
            <CardPicture kind lang />
            <ol id="step-2-notes" class="notice notes">
                <li id="confirm-data">{tr(lang, Text::ConfirmData)}</li>
                <li id="keep-card">{tr(lang, Text::KeepCard)}</li>
                {agency_note}
            </ol>
        </div>
        <div class="step-content">
        {details}
        <form class="form" on:submit=upload>
            {agency}
            <p class="status" role="status" aria-live="polite">{tr_while(lang, busy, Text::Working)}</p>
            <div class="actions">
                <button id="wizard-back" type="button" on:click=move |_| flow.back() disabled=busy>{tr(lang, Text::Back)}</button>
                <button id="wizard-next" type="submit" class="primary" disabled=busy>{tr(lang, Text::Upload)}</button>
            </div>
        </form>
        </div>
        </div>
    }
}

/// The organization card's agency code, prefilled and editable, with 「查詢機關名稱」.
#[component]
fn AgencyField(flow: WizardFlow, lang: Signal<Lang>) -> impl IntoView {
    let state = flow.state;
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
    let edit = move |ev| flow.edit_agency_code(event_target_value(&ev));
    let answer = move || {
        let lang = lang.get();
        match lookup.get() {
            AgencyLookup::Idle => String::new(),
            AgencyLookup::Pending => Text::LookingUp.get(lang).to_owned(),
            AgencyLookup::Found(agency) | AgencyLookup::NotAllowed(agency, _) => agency.name,
            AgencyLookup::Unknown => Text::AgencyUnknown.get(lang).to_owned(),
            AgencyLookup::Failed(failure) => failure_text(&failure, lang).message,
        }
    };
    let refusal = move || match lookup.get() {
        AgencyLookup::NotAllowed(_, refusal) => {
            let text = failure_text(&refusal, lang.get()).message;
            Some(
                view! { <p id="agency-refusal" class="error-message" role="alert" data-code=refusal.code()>{text}</p> },
            )
        }
        _ => None,
    };
    let state_class = move || match lookup.get() {
        AgencyLookup::Found(_) => "agency-name found",
        AgencyLookup::NotAllowed(..) | AgencyLookup::Unknown | AgencyLookup::Failed(_) => {
            "agency-name problem"
        }
        _ => "agency-name",
    };
    view! {
        <div class="agency">
            <label for="agency-code">{tr(lang, Text::AgencyCode)}</label>
            <div class="inline">
                <input id="agency-code" name="agency-code" type="text" inputmode="text" autocomplete="off"
                    prop:value=code on:input=edit />
                <button id="agency-lookup" type="button" on:click=move |_| flow.lookup_agency()>{tr(lang, Text::AgencyLookup)}</button>
            </div>
            <p class="agency-result">
                <span class="label">{tr(lang, Text::AgencyName)}"："</span>
                <output id="agency-name" class=state_class for="agency-code" aria-live="polite">{answer}</output>
            </p>
            {refusal}
        </div>
    }
}

#[component]
fn ResultStep(flow: WizardFlow, lang: Signal<Lang>, passkeys: Option<Passkeys>) -> impl IntoView {
    let failure: Option<Failure> = flow.state.with_untracked(|w| match w {
        Wizard::Done { outcome, .. } => outcome.as_ref().err().cloned(),
        _ => None,
    });
    let citizen_card_added = flow.state.with_untracked(|w| {
        matches!(w, Wizard::Done { outcome: Ok(registration), .. } if registration.kind == CardKind::Citizen)
    });
    let passkey_offer = passkeys.filter(|_| citizen_card_added).map(|passkeys| {
        view! {
            <div id="passkey-offer" class="passkey-offer">
                <p>{tr(lang, Text::PasskeyOffer)}</p>
                <PasskeyAdd passkeys lang />
            </div>
        }
    });
    let code = failure
        .as_ref()
        .map_or_else(|| "OK".to_owned(), Failure::code);
    let ok = failure.is_none();
    let needs_login = failure.as_ref().is_some_and(Failure::needs_login);
    let words = move || {
        let lang = lang.get();
        match &failure {
            None => view! { <p class="success">{Text::UploadOk.get(lang)}</p> }.into_any(),
            Some(failure) => {
                let words = failure_text(failure, lang);
                view! {
                    <p class="problem-title">{Text::UploadFailed.get(lang)}</p>
                    <p class="error-message">{words.message}</p>
                    {words.next.map(|next| view! { <p class="error-next">{Text::NextStep.get(lang)}{next}</p> })}
                }
                .into_any()
            }
        }
    };
    let relogin = needs_login.then(|| {
        view! {
            <button id="relogin" type="button" on:click=move |_| flow.login_again()>
                {tr(lang, Text::ToLogin)}
            </button>
        }
    });
    let retry = (!ok && !needs_login).then(|| {
        view! {
            <button id="wizard-back" type="button" on:click=move |_| flow.back()>
                {tr(lang, Text::Retry)}
            </button>
        }
    });
    view! {
        <div id="result" class=if ok { "result ok" } else { "result failed" } data-code=code
            role=if ok { "status" } else { "alert" }>
            {words}
        </div>
        {passkey_offer}
        <div class="actions">
            {relogin}
            {retry}
            <button id="wizard-finish" type="button" class="primary" on:click=move |_| flow.finish()>
                {tr(lang, Text::ToMyArea)}
            </button>
        </div>
    }
}
