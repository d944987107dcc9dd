//! 我的專區 (an employee) and 人事專用應用管理系統 (an organization card login).
//!
//! 我的專區 is a page of sections, each an [`AreaSection`] in `.area-sections`
//! (我的資料, 憑證上傳, 我已註冊的憑證); another personal function is one more
//! section there.

use ecpa_wire::api::{Principal, Registration};
use leptos::prelude::*;

use crate::display::kind_label;
use crate::flows::{self, AppState};
use crate::messages::{Lang, Text};
use crate::view::common::{ErrorBox, focused_h2, tr};
use crate::view::passkeys::PasskeysSection;

/// One section of an area: a titled box (`h3#{heading_id}`) holding `children`.
#[component]
pub fn AreaSection(
    id: &'static str,
    heading_id: &'static str,
    #[prop(into)] lang: Signal<Lang>,
    title: Text,
    /// Extra classes (e.g. `wide` for a section across the whole row).
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <section id=id class=format!("area-section {class}") aria-labelledby=heading_id>
            <h3 id=heading_id>{tr(lang, title)}</h3>
            {children()}
        </section>
    }
}

/// `Some(text)` of the logged-in employee.
fn employee_field(
    app: AppState,
    get: fn(&Principal) -> Option<String>,
) -> impl Fn() -> Option<String> + Copy {
    move || app.me.with(|me| me.as_ref().and_then(get))
}

fn is_officer(app: AppState) -> bool {
    app.me.with(|me| {
        matches!(
            me,
            Some(Principal::Employee {
                is_personnel_officer: true,
                ..
            })
        )
    })
}

/// `name（code）`, or the code alone for an agency without a name.
fn agency_text(code: &str, name: Option<&String>) -> String {
    match name {
        Some(name) => format!("{name}（{code}）"),
        None => code.to_owned(),
    }
}

/// 我的專區: 我的資料, 憑證上傳, 我已註冊的憑證.
#[component]
pub fn MyArea(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let relogin = Callback::new(move |()| app.go_home(None));
    let passkeys = flows::passkeys(app);
    flows::load_passkeys(passkeys.state);
    view! {
        <section id="my-area" class="panel area">
            {focused_h2("my-area-heading", tr(lang, Text::MyArea))}
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin on_login=relogin />
            <div class="area-sections" role="group" aria-label=tr(lang, Text::MyFunctions)>
                <MyDataSection app />
                <UploadSection app />
                <MyCertificatesSection app />
                <PasskeysSection passkeys lang />
            </div>
        </section>
    }
}

/// 我的資料: name, agency, whether a personnel officer; 登出.
#[component]
fn MyDataSection(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let name = employee_field(app, |p| match p {
        Principal::Employee { name, .. } => Some(name.clone()),
        Principal::Organization { .. } => None,
    });
    let agency = employee_field(app, |p| match p {
        Principal::Employee {
            agency_code,
            agency_name,
            ..
        } => Some(agency_text(agency_code, agency_name.as_ref())),
        Principal::Organization { .. } => None,
    });
    let officer = move || {
        let text = if is_officer(app) { Text::Yes } else { Text::No };
        text.get(lang.get())
    };
    view! {
        <AreaSection id="my-data" heading_id="my-data-heading" lang title=Text::MyData>
            <dl class="me">
                <dt>{tr(lang, Text::Name)}</dt>
                <dd id="me-name">{name}</dd>
                <dt>{tr(lang, Text::Agency)}</dt>
                <dd id="me-agency">{agency}</dd>
                <dt>{tr(lang, Text::PersonnelOfficer)}</dt>
                <dd id="me-officer">{officer}</dd>
            </dl>
            <div class="actions">
                <button id="logout" type="button" on:click=move |_| flows::logout(app)>{tr(lang, Text::Logout)}</button>
            </div>
        </AreaSection>
    }
}

/// 憑證上傳: 自然人憑證上傳, and 機關憑證上傳 for a personnel officer.
#[component]
fn UploadSection(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let organization = move || {
        is_officer(app).then(|| {
            view! {
                <li class="tile">
                    <img class="tile-picture" src="/card-organization.svg" alt="" width="96" height="64" />
                    <button id="upload-organization" type="button" aria-describedby="upload-organization-note"
                        on:click=move |_| flows::upload_organization(app)>
                        {tr(lang, Text::UploadOrganization)}
                    </button>
                    <p id="upload-organization-note" class="hint">{tr(lang, Text::UploadOrganizationNote)}</p>
                </li>
            }
        })
    };
    view! {
        <AreaSection id="certificate-upload" heading_id="certificate-upload-heading" lang title=Text::CertificateUpload>
            <ul class="tiles">
                <li class="tile">
                    <img class="tile-picture" src="/card-citizen.svg" alt="" width="96" height="64" />
                    <button id="upload-citizen" type="button" class="primary" aria-describedby="upload-citizen-note"
                        on:click=move |_| flows::upload_citizen(app)>
                        {tr(lang, Text::UploadCitizen)}
                    </button>
                    <p id="upload-citizen-note" class="hint">{tr(lang, Text::UploadCitizenNote)}</p>
                </li>
                {organization}
            </ul>
        </AreaSection>
    }
}

/// 我已註冊的憑證, each with 「註銷」.
#[component]
fn MyCertificatesSection(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let certificates = RwSignal::new(None::<Vec<Registration>>);
    flows::load_my_certificates(app, certificates);
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
    view! {
        <AreaSection id="my-certificates-section" heading_id="my-certificates-heading" lang
            title=Text::MyCertificates class="wide">
            <ul id="my-certificates" aria-labelledby="my-certificates-heading">{list}</ul>
        </AreaSection>
    }
}

/// The agency's personnel-only area, opened by an organization card: the agency,
/// the officer who registered the card, the card and its validity, 登出.
#[component]
pub fn OrgArea(app: AppState) -> impl IntoView {
    let lang: Signal<Lang> = app.lang.into();
    let organization = move |get: fn(&str, Option<&String>, &str) -> String| {
        move || {
            app.me.with(|me| match me {
                Some(Principal::Organization {
                    agency_code,
                    agency_name,
                    officer_name,
                    ..
                }) => get(agency_code, agency_name.as_ref(), officer_name),
                _ => String::new(),
            })
        }
    };
    let agency = organization(|code, name, _| agency_text(code, name));
    let officer = organization(|_, _, officer| officer.to_owned());
    let card = move || {
        let lang = lang.get();
        app.me.with(|me| match me {
            Some(Principal::Organization {
                card: Some(card), ..
            }) => Some(view! { <OrgCardDetails card=card.clone() lang /> }),
            _ => None,
        })
    };
    let relogin = Callback::new(move |()| app.go_home(None));
    view! {
        <section id="org-area" class="panel area">
            {focused_h2("org-area-heading", tr(lang, Text::OrgArea))}
            <ErrorBox failure=app.error lang agent_origin=app.agent_origin on_login=relogin />
            <p class="hint">{tr(lang, Text::OrgIntro)}</p>
            <div class="area-sections">
                <AreaSection id="org-data" heading_id="org-data-heading" lang title=Text::MyData>
                    <dl class="me">
                        <dt>{tr(lang, Text::Agency)}</dt>
                        <dd id="org-agency">{agency}</dd>
                        <dt>{tr(lang, Text::OrgOfficer)}</dt>
                        <dd id="org-officer">{officer}</dd>
                    </dl>
                    <div class="actions">
                        <button id="logout" type="button" on:click=move |_| flows::logout(app)>{tr(lang, Text::Logout)}</button>
                    </div>
                </AreaSection>
                <AreaSection id="org-card" heading_id="org-card-heading" lang title=Text::OrgCard>
                    {card}
                </AreaSection>
            </div>
        </section>
    }
}

/// The organization card of the session: subject, serial and validity (dates).
#[component]
fn OrgCardDetails(card: Registration, lang: Lang) -> impl IntoView {
    let date = |time: &str| time.get(..10).unwrap_or(time).to_owned();
    view! {
        <dl class="me">
            <dt>{Text::CertSubject.get(lang)}</dt>
            <dd id="org-card-subject">{card.subject}</dd>
            <dt>{Text::CertSerial.get(lang)}</dt>
            <dd id="org-card-serial" class="mono">{card.serial}</dd>
            <dt>{Text::NotBefore.get(lang)}</dt>
            <dd id="org-card-not-before">{date(&card.not_before)}</dd>
            <dt>{Text::NotAfter.get(lang)}</dt>
            <dd id="org-card-not-after">{date(&card.not_after)}</dd>
        </dl>
    }
}
