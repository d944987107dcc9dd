//! 我的專區 (an employee) and 人事專用應用管理系統 (an organization card login).

use ecpa_wire::api::{Principal, Registration};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::display::kind_label;
use crate::failure::Failure;
use crate::flows::{self, AppState};
use crate::view::common::{ErrorBox, focused_h2};

/// 我的專區: who I am, 「自然人憑證上傳」, my certificates, log out.
#[component]
pub fn MyArea(app: AppState) -> impl IntoView {
    let t = move || app.lang.get().text();
    let certificates = RwSignal::new(None::<Vec<Registration>>);
    let load = move || {
        spawn_local(async move {
            match api::my_certificates().await {
                Ok(list) => certificates.set(Some(list)),
                Err(failure) => app.error.set(Some(failure)),
            }
        });
    };
    load();
    let field = move |get: fn(&Principal, bool) -> Option<String>| {
        move || {
            let zh = app.lang.get() == crate::messages::Lang::Zh;
            app.me.with(|me| me.as_ref().and_then(|p| get(p, zh)))
        }
    };
    let name = field(|p, _| match p {
        Principal::Employee { name, .. } => Some(name.clone()),
        Principal::Organization { .. } => None,
    });
    let agency = field(|p, _| match p {
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
        if is_officer { t().yes } else { t().no }
    };
    let withdraw = move |id: i64| {
        spawn_local(async move {
            match api::withdraw(id).await {
                Ok(()) => load(),
                Err(failure) => app.error.set(Some(failure)),
            }
        });
    };
    let list = move || {
        let lang = app.lang.get();
        match certificates.get() {
            None => view! { <li>{lang.text().loading}</li> }.into_any(),
            Some(list) if list.is_empty() => {
                view! { <li id="no-certificates">{lang.text().no_certificates}</li> }.into_any()
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
                            <span class="until">{lang.text().not_after}" "{r.not_after}</span>
                            <button id=format!("withdraw-{id}") type="button" on:click=move |_| withdraw(id)>
                                {lang.text().withdraw}
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
            {focused_h2("my-area-heading", move || t().my_area)}
            <ErrorBox failure=app.error lang=app.lang agent_origin=app.agent_origin on_login=relogin />
            <dl class="me">
                <dt>{move || t().name}</dt>
                <dd id="me-name">{name}</dd>
                <dt>{move || t().agency}</dt>
                <dd id="me-agency">{agency}</dd>
                <dt>{move || t().personnel_officer}</dt>
                <dd id="me-officer">{officer}</dd>
            </dl>
            <div class="actions">
                <button id="upload-citizen" type="button" class="primary"
                    on:click=move |_| flows::upload_citizen(app)>
                    {move || t().upload_citizen}
                </button>
                <button id="logout" type="button" on:click=move |_| flows::logout(app)>{move || t().logout}</button>
            </div>
            <h3 id="my-certificates-heading">{move || t().my_certificates}</h3>
            <ul id="my-certificates" aria-labelledby="my-certificates-heading">{list}</ul>
        </section>
    }
}

/// The agency's personnel-only area, opened by an organization card.
#[component]
pub fn OrgArea(app: AppState) -> impl IntoView {
    let t = move || app.lang.get().text();
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
    let failure: Signal<Option<Failure>> = app.error.into();
    let relogin = Callback::new(move |()| app.go_home(None));
    view! {
        <section id="org-area" class="panel">
            {focused_h2("org-area-heading", move || t().org_area)}
            <ErrorBox failure lang=app.lang agent_origin=app.agent_origin on_login=relogin />
            <dl class="me">
                <dt>{move || t().agency}</dt>
                <dd id="org-agency">{agency}</dd>
                <dt>{move || t().org_officer}</dt>
                <dd id="org-officer">{officer}</dd>
            </dl>
            <div class="actions">
                <button id="logout" type="button" on:click=move |_| flows::logout(app)>{move || t().logout}</button>
            </div>
        </section>
    }
}
