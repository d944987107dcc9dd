//! 我的專區 (an employee) and 人事專用應用管理系統 (an organization card login).

use ecpa_wire::api::{Principal, Registration};
use leptos::prelude::*;

use crate::display::kind_label;
use crate::flows::{self, AppState};
use crate::messages::{Lang, Text};
use crate::view::common::{ErrorBox, focused_h2, tr};
use crate::view::passkeys::PasskeysSection;

/// 我的專區: who I am, 「自然人憑證上傳」, my certificates, log out.
#[component]
pub fn MyArea(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let certificates = RwSignal::new(None::<Vec<Registration>>);
    flows::load_my_certificates(app, certificates);
    let passkeys = flows::passkeys(app);
    flows::load_passkeys(passkeys.state);
    let field = move |get: fn(&Principal) -> Option<String>| {
        move || app.me.with(|me| me.as_ref().and_then(get))
    };
    let name = field(|p| match p {
        Principal::Employee { name, .. } => Some(name.clone()),
        Principal::Organization { .. } => None,
    });
    let agency = field(|p| match p {
        Principal::Employee {
            agency_code,
            agency_name,
            ..
        } => Some(match agency_name {
            Some(name) => format!("{name}（{agency_code}）"),
            None => agency_code.clone(),
        }),
        Principal::Organization { .. } => None,
    });
    let officer = move || {
        let is_officer = app.me.with(|me| {
            matches!(
                me,
                Some(Principal::Employee {
                    is_personnel_officer: true,
                    ..
                })
            )
        });
        let text = if is_officer { Text::Yes } else { Text::No };
        text.get(lang.get())
    };
    let withdraw = move |id: i64| flows::withdraw(app, certificates, id);
    let list = move || {
        let lang = app.lang.get();
        match certificates.get() {
            None => view! { <li>{Text::Loading.get(lang)}</li> }.into_any(),
            Some(list) if list.is_empty() => {
                view! { <li id="no-certificates">{Text::NoCertificates.get(lang)}</li> }.into_any()
            }
            Some(list) => list
                .into_iter()
                .map(|r| {
                    let id = r.id;
                    view! {
                        <li id=format!("certificate-{id}") class="certificate">
                            <span class="kind">{kind_label(Some(r.kind), lang)}</span>
                            <span class="subject">{r.subject}</span>
                            <span class="serial mono">{r.serial}</span>
                            <span class="until">{Text::NotAfter.get(lang)}" "{r.not_after}</span>
                            <button id=format!("withdraw-{id}") type="button" on:click=move |_| withdraw(id)>
                                {Text::Withdraw.get(lang)}
                            </button>
                        </li>
                    }
                })
                .collect_view()
                .into_any(),
        }
    };
    let relogin = Callback::new(move |()| app.go_home(None));
    view! {
        <section id="my-area" class="panel">
            {focused_h2("my-area-heading", tr(lang, Text::MyArea))}
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin on_login=relogin />
            <dl class="me">
                <dt>{tr(lang, Text::Name)}</dt>
                <dd id="me-name">{name}</dd>
                <dt>{tr(lang, Text::Agency)}</dt>
                <dd id="me-agency">{agency}</dd>
                <dt>{tr(lang, Text::PersonnelOfficer)}</dt>
                <dd id="me-officer">{officer}</dd>
            </dl>
            <div class="actions">
                <button id="upload-citizen" type="button" class="primary"
                    on:click=move |_| flows::upload_citizen(app)>
                    {tr(lang, Text::UploadCitizen)}
                </button>
                <button id="logout" type="button" on:click=move |_| flows::logout(app)>{tr(lang, Text::Logout)}</button>
            </div>
            <h3 id="my-certificates-heading">{tr(lang, Text::MyCertificates)}</h3>
            <ul id="my-certificates" aria-labelledby="my-certificates-heading">{list}</ul>
            <PasskeysSection passkeys lang />
        </section>
    }
}

/// The agency's personnel-only area, opened by an organization card.
#[component]
pub fn OrgArea(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let agency = move || {
        app.me.with(|me| match me {
            Some(Principal::Organization {
                agency_code,
                agency_name,
                ..
            }) => match agency_name {
                Some(name) => format!("{name}（{agency_code}）"),
                None => agency_code.clone(),
            },
            _ => String::new(),
        })
    };
    let officer = move || {
        app.me.with(|me| match me {
            Some(Principal::Organization { officer_name, .. }) => officer_name.clone(),
            _ => String::new(),
        })
    };
    let relogin = Callback::new(move |()| app.go_home(None));
    view! {
        <section id="org-area" class="panel">
            {focused_h2("org-area-heading", tr(lang, Text::OrgArea))}
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin on_login=relogin />
            <dl class="me">
                <dt>{tr(lang, Text::Agency)}</dt>
                <dd id="org-agency">{agency}</dd>
                <dt>{tr(lang, Text::OrgOfficer)}</dt>
                <dd id="org-officer">{officer}</dd>
            </dl>
            <div class="actions">
                <button id="logout" type="button" on:click=move |_| flows::logout(app)>{tr(lang, Text::Logout)}</button>
            </div>
        </section>
    }
}
