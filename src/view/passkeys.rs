//! The passkey parts: 「新增通行密鑰」 (or why a card login comes first), and my
//! passkeys with rename and 「移除」, confirmed in the page.

use ecpa_wire::api::Passkey;
use leptos::html;
use leptos::prelude::*;

use crate::flows::Passkeys;
use crate::messages::{Lang, Text};
use crate::passkey::{NAME_MAX_CHARS, passkey_name, taipei_time};
use crate::view::common::{ErrorBox, focus_on_show, tr, tr_while};

/// 我的專區's passkeys: what they are, 「新增通行密鑰」, and the list.
#[component]
pub fn PasskeysSection(passkeys: Passkeys, #[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    view! {
        <section id="passkeys" class="area-section wide passkeys" aria-labelledby="passkeys-heading">
            <h3 id="passkeys-heading">{tr(lang, Text::Passkeys)}</h3>
            <p class="hint">{tr(lang, Text::PasskeysIntro)}</p>
            <PasskeyAdd passkeys lang />
            <h4 id="passkey-list-heading">{tr(lang, Text::MyPasskeys)}</h4>
            <PasskeyList passkeys lang />
        </section>
    }
}

/// 「新增通行密鑰」 in a session a card login opened within 5 minutes; otherwise
/// why the card comes first, and 「使用憑證登入」. Failures in `#passkey-error`.
#[component]
pub fn PasskeyAdd(passkeys: Passkeys, #[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    let Passkeys { state, actions } = passkeys;
    let adding: Signal<bool> = state.adding.into();
    let offer = move || {
        if state.can_add.get() {
            view! {
                <button id="passkey-add" type="button" class="primary" disabled=adding
                    on:click=move |_| actions.add.run(())>
                    {tr(lang, Text::PasskeyAdd)}
                </button>
            }
            .into_any()
        } else {
            view! {
                <div id="passkey-step-up" class="notice">
                    <p>{tr(lang, Text::PasskeyStepUp)}</p>
                    <button id="passkey-cert-login" type="button" class="primary"
                        on:click=move |_| actions.cert_login.run(())>
                        {tr(lang, Text::CertLogin)}
                    </button>
                </div>
            }
            .into_any()
        }
    };
    let added = move || {
        let passkey = state.added.get()?;
        let text = Text::PasskeyAdded
            .get(lang.get())
            .replace("{name}", &passkey.name);
        Some(view! { <p id="passkey-added" class="success">{text}</p> })
    };
    view! {
        <div class="passkey-add">
            {offer}
            <div class="status" role="status" aria-live="polite">
                {tr_while(lang, adding, Text::PasskeyAdding)}
                {added}
            </div>
            <ErrorBox id="passkey-error" failure=state.failure lang agent_origin=String::new()
                on_login=actions.login_again />
        </div>
    }
}

/// Which passkey shows its rename form or its removal question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    Rename(i64),
    Remove(i64),
}

/// A passkey whose rename form or removal question is open.
#[derive(Clone)]
struct OpenItem {
    id: i64,
    name: String,
    passkeys: Passkeys,
    editing: RwSignal<Option<Editing>>,
    lang: Lang,
}

/// `#passkey-list`: name, added, last used; rename; 「移除」 after a question.
#[component]
pub fn PasskeyList(passkeys: Passkeys, #[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    let list = passkeys.state.list;
    let editing = RwSignal::new(None::<Editing>);
    let items = move || {
        let lang = lang.get();
        match list.get() {
            None => view! { <li>{Text::Loading.get(lang)}</li> }.into_any(),
            Some(list) if list.is_empty() => {
                view! { <li id="no-passkeys">{Text::NoPasskeys.get(lang)}</li> }.into_any()
            }
            Some(list) => list
                .into_iter()
                .map(|passkey| view! { <PasskeyItem passkey passkeys editing lang /> })
                .collect_view()
                .into_any(),
        }
    };
    view! {
        <ul id="passkey-list" class="passkey-list" aria-labelledby="passkey-list-heading">{items}</ul>
    }
}

#[component]
fn PasskeyItem(
    passkey: Passkey,
    passkeys: Passkeys,
    editing: RwSignal<Option<Editing>>,
    lang: Lang,
) -> impl IntoView {
    let id = passkey.id;
    let last_used = passkey
        .last_used_at
        .as_deref()
        .map_or_else(|| Text::PasskeyNeverUsed.get(lang).to_owned(), taipei_time);
    let name = passkey.name;
    let item = OpenItem {
        id,
        name: name.clone(),
        passkeys,
        editing,
        lang,
    };
    let panel = move || match editing.get() {
        Some(Editing::Remove(which)) if which == id => {
            Some(view! { <RemoveQuestion item=item.clone() /> }.into_any())
        }
        Some(Editing::Rename(which)) if which == id => {
            Some(view! { <RenameForm item=item.clone() /> }.into_any())
        }
        _ => None,
    };
    view! {
        <li id=format!("passkey-{id}") class="passkey">
            <span id=format!("passkey-name-{id}") class="name">{name}</span>
            <span class="created">{Text::PasskeyCreated.get(lang)}" "{taipei_time(&passkey.created_at)}</span>
            <span class="last-used">{Text::PasskeyLastUsed.get(lang)}" "{last_used}</span>
            <span class="item-actions">
                <button id=format!("passkey-rename-{id}") type="button"
                    on:click=move |_| editing.set(Some(Editing::Rename(id)))>
                    {Text::Rename.get(lang)}
                </button>
                <button id=format!("passkey-remove-{id}") type="button"
                    on:click=move |_| editing.set(Some(Editing::Remove(id)))>
                    {Text::Remove.get(lang)}
                </button>
            </span>
            {panel}
        </li>
    }
}

/// 「確定要移除通行密鑰「…」嗎？」 with 「確定移除」 and 「取消」 (focused first).
#[component]
fn RemoveQuestion(item: OpenItem) -> impl IntoView {
    let OpenItem { id, editing, .. } = item;
    let (remove, lang) = (item.passkeys.actions.remove, item.lang);
    let cancel = NodeRef::<html::Button>::new();
    focus_on_show(cancel);
    let question_id = format!("passkey-remove-question-{id}");
    let labelled_by = question_id.clone();
    let question = Text::PasskeyRemoveQuestion
        .get(lang)
        .replace("{name}", &item.name);
    let confirm = move |_| {
        editing.set(None);
        remove.run(id);
    };
    view! {
        <div class="confirm" role="group" aria-labelledby=labelled_by>
            <p id=question_id>{question}</p>
            <button id=format!("passkey-remove-cancel-{id}") type="button" node_ref=cancel
                on:click=move |_| editing.set(None)>
                {Text::Cancel.get(lang)}
            </button>
            <button id=format!("passkey-remove-confirm-{id}") type="button" class="danger" on:click=confirm>
                {Text::ConfirmRemove.get(lang)}
            </button>
        </div>
    }
}

/// The new name, checked here (1–64 characters) before it is sent.
#[component]
fn RenameForm(item: OpenItem) -> impl IntoView {
    let (id, editing, lang, state) = (item.id, item.editing, item.lang, item.passkeys.state);
    let rename = item.passkeys.actions.rename;
    let input = NodeRef::<html::Input>::new();
    focus_on_show(input);
    let field_id = format!("passkey-new-name-{id}");
    let label_for = field_id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(field) = input.get() else { return };
        match passkey_name(&field.value()) {
            Ok(name) => {
                editing.set(None);
                rename.run((id, name));
            }
            Err(failure) => state.failure.set(Some(failure)),
        }
    };
    view! {
        <form class="form rename" on:submit=save>
            <label for=label_for>{Text::PasskeyName.get(lang)}</label>
            <input id=field_id type="text" maxlength=NAME_MAX_CHARS autocomplete="off" value=item.name node_ref=input />
            <div class="actions">
                <button id=format!("passkey-rename-cancel-{id}") type="button" on:click=move |_| editing.set(None)>
                    {Text::Cancel.get(lang)}
                </button>
                <button id=format!("passkey-rename-save-{id}") type="submit" class="primary">{Text::Save.get(lang)}</button>
            </div>
        </form>
    }
}
