//! Pieces every screen uses: texts, the error area, the step indicator, focus handling.

use ecpa_wire::api::{CardKind, PasswordLogin};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::failure::Failure;
use crate::flows;
use crate::messages::{Lang, NextAction, Text, failure_text};
use crate::wizard::Step;

/// A fixed text that follows the language switch. Every text of the page is this
/// one closure type, so the browser bundle holds its rendering code once.
pub fn tr(lang: Signal<Lang>, text: Text) -> impl Fn() -> &'static str + Copy + Send + Sync {
    move || text.get(lang.get())
}

/// [`tr`] while `when` holds, else nothing (e.g. 「處理中，請稍候…」 while busy).
pub fn tr_while(
    lang: Signal<Lang>,
    when: Signal<bool>,
    text: Text,
) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync {
    move || when.get().then(|| text.get(lang.get()))
}

/// `#error`: a live region that announces a failure, what to do next and, where
/// one exists, a button that does it.
#[component]
pub fn ErrorBox(
    /// The failure to show; nothing is shown for `None`.
    #[prop(into)]
    failure: Signal<Option<Failure>>,
    #[prop(into)] lang: Signal<Lang>,
    /// The card agent's origin, for 「請先將 ECPA 網站加入信任的網站」.
    #[prop(into)]
    agent_origin: Signal<String>,
    /// Offered when the session is missing or expired.
    #[prop(optional)]
    on_login: Option<Callback<()>>,
    /// The element's id: `error` (the screen's failure) unless another is given.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let shown = move || {
        let failure = failure.get()?;
        let lang = lang.get();
        let words = failure_text(&failure, lang);
        let action = match words.action {
            Some(NextAction::AddTrustedSite) => {
                let open_add_site = move |_| flows::open_add_site(&agent_origin.get_untracked());
                Some(
                    view! { <button id="add-site" type="button" on:click=open_add_site>{Text::AddSite.get(lang)}</button> }
                        .into_any(),
                )
            }
            Some(NextAction::LogIn) => on_login.map(|login| {
                view! {
                    <button id="relogin" type="button" on:click=move |_| login.run(())>
                        {Text::ToLogin.get(lang)}
                    </button>
                }
                .into_any()
            }),
            None => None,
        };
        Some(view! {
            <p class="error-message" data-code=failure.code()>{words.message}</p>
            {words.next.map(|next| view! { <p class="error-next">{Text::NextStep.get(lang)}{next}</p> })}
            {action}
        })
    };
    view! {
        <div id=id.unwrap_or("error") class="error" role="alert" aria-live="assertive" aria-atomic="true">
            {shown}
        </div>
    }
}

/// `#step-indicator`: the three steps, `aria-current="step"` on the current one,
/// marked `failed` when the wizard ended there refused. The current step's name is
/// the step's heading (`heading`, focused when it appears) where its screen has one,
/// so the name is not repeated below the indicator.
#[component]
pub fn StepIndicator(
    #[prop(into)] current: Signal<Step>,
    #[prop(into)] failed: Signal<bool>,
    /// The id of the current step's heading (`step-1-heading`, …), `None` on a
    /// screen with a heading of its own (sign-in, refusal).
    #[prop(into)]
    heading: Signal<Option<&'static str>>,
    #[prop(into)] lang: Signal<Lang>,
) -> impl IntoView {
    let items = Step::ALL.map(|step| {
        let n = step.number();
        let is_current = move || current.get() == step;
        let state = move || {
            let now = current.get();
            if now == step && failed.get() {
                "step current failed"
            } else if now == step {
                "step current"
            } else if now > step {
                "step done"
            } else {
                "step"
            }
        };
        let heading_here = Memo::new(move |_| heading.get().filter(|_| is_current()));
        let name = move || match heading_here.get() {
            Some(id) => focused_h3(id, tr(lang, Text::step(n))).into_any(),
            None => view! { <span class="step-name">{tr(lang, Text::step(n))}</span> }.into_any(),
        };
        view! {
            <li id=format!("step-indicator-{n}") class=state aria-current=move || is_current().then_some("step")>
                <span class="step-number" aria-hidden="true">{n}</span>
                {name}
            </li>
        }
    });
    view! {
        <ol id="step-indicator" class="step-indicator" aria-label=tr(lang, Text::StepLabel)>
            {items.into_iter().collect_view()}
        </ol>
    }
}

/// `#card-picture`: the card a step asks for, in a reader (`assets/card-*.svg`).
#[component]
pub fn CardPicture(kind: CardKind, #[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    let (src, alt) = match kind {
        CardKind::Citizen => ("/card-citizen.svg", Text::CitizenCardPicture),
        CardKind::Organization => ("/card-organization.svg", Text::OrganizationCardPicture),
    };
    view! {
        <figure class="card-picture">
            <img id="card-picture" src=src alt=tr(lang, alt) width="160" height="120" />
        </figure>
    }
}

/// Moves keyboard focus to an element once it is in the page.
pub fn focus_on_show<E>(target: NodeRef<E>)
where
    E: html::ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(element) = target.get()
            && let Some(element) = element.dyn_ref::<web_sys::HtmlElement>()
        {
            let _ = element.focus();
        }
    });
}

/// A screen's heading (`h2`), focused when it appears.
pub fn focused_h2(id: &'static str, text: impl IntoView + 'static) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    focus_on_show(heading);
    view! { <h2 id=id tabindex="-1" node_ref=heading>{text}</h2> }
}

/// A wizard step's heading (`h3`), focused when the step appears.
pub fn focused_h3(id: &'static str, text: impl IntoView + 'static) -> impl IntoView {
    let heading = NodeRef::<html::H3>::new();
    focus_on_show(heading);
    view! { <h3 id=id tabindex="-1" node_ref=heading>{text}</h3> }
}

/// `#card-subject`: which card the page is working with (nothing when its
/// certificate is unreadable).
#[component]
pub fn CardSubject(subject: Option<String>, #[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    subject.map(|subject| {
        view! {
            <p class="card-subject">
                <span class="label">{tr(lang, Text::CardLabel)}</span>
                <span id="card-subject">{subject}</span>
            </p>
        }
    })
}

/// The account and password form (`#account`, `#password`, `#login-submit`). On submit,
/// unless `busy`, empties the password field and hands the login to `on_login`.
#[component]
pub fn PasswordForm(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] busy: Signal<bool>,
    on_login: Callback<PasswordLogin>,
    /// The account field also offers the browser's passkeys (conditional mediation).
    #[prop(optional)]
    passkey_autofill: bool,
) -> impl IntoView {
    let autocomplete = if passkey_autofill {
        "username webauthn"
    } else {
        "username"
    };
    let account = NodeRef::<html::Input>::new();
    let password = NodeRef::<html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(account), Some(password)) = (account.get(), password.get()) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let login = PasswordLogin {
            account: account.value(),
            password: password.value(),
        };
        password.set_value("");
        on_login.run(login);
    };
    view! {
        <form class="form" on:submit=submit>
            <label for="account">{tr(lang, Text::Account)}</label>
            <input id="account" name="account" type="text" autocomplete=autocomplete required node_ref=account />
            <label for="password">{tr(lang, Text::Password)}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required node_ref=password />
            <div class="actions">
                <button id="login-submit" type="submit" class="primary" disabled=busy>{tr(lang, Text::Login)}</button>
            </div>
        </form>
    }
}
