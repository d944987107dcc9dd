//! Certificate status and certificate login for citizen and organization cards.

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::SoftwareCard;
use serde_json::json;
use time::Duration;

use crate::support::*;

#[tokio::test]
async fn status_tells_registered_and_kind() {
    let app = spawn_app().await;
    let id = national_id(71);
    app.add_employee("emp", Person::officer(&id, "王")).await;
    let citizen = citizen_card("王", &id);
    let organization = organization_card(AGENCY_OID);
    let mut browser = app.browser();
    let status = |card: &ecpa_devcard::SoftwareCard| json!({"certificate": STANDARD.encode(&card.signing_cert_der)});
    let answer = browser
        .post("/api/certificates/status", status(&citizen))
        .await;
    assert_eq!(answer.body, json!({"registered": false, "kind": "citizen"}));
    let answer = browser
        .post("/api/certificates/status", status(&organization))
        .await;
    assert_eq!(
        answer.body,
        json!({"registered": false, "kind": "organization"})
    );
    browser.password_login("emp").await.assert_ok();
    browser
        .register(&citizen, "citizen", None)
        .await
        .assert_ok();
    let answer = browser
        .post("/api/certificates/status", status(&citizen))
        .await;
    assert_eq!(answer.body, json!({"registered": true, "kind": "citizen"}));
}

#[tokio::test]
async fn an_unregistered_card_cannot_log_in() {
    let app = spawn_app().await;
    let id = national_id(72);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let mut browser = app.browser();
    browser
        .certificate_login(&citizen_card("王", &id))
        .await
        .assert_error(404, "CERT_NOT_REGISTERED");
    let last = app.last_audit().await;
    assert_eq!(
        (last.event.as_str(), last.outcome.as_str()),
        ("certificate_login", "CERT_NOT_REGISTERED")
    );
    assert!(last.cert_fingerprint.is_some() && last.cert_serial.is_some());
}

#[tokio::test]
async fn a_citizen_card_logs_the_employee_in_while_they_are_current() {
    let app = spawn_app().await;
    let id = national_id(73);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let card = citizen_card("王", &id);
    let mut clerk = app.browser();
    clerk.password_login("emp").await.assert_ok();
    clerk.register(&card, "citizen", None).await.assert_ok();
    let mut browser = app.browser();
    let login = browser.certificate_login(&card).await;
    login.assert_ok();
    assert!(login.set_cookie.as_deref().unwrap().contains("HttpOnly"));
    assert_eq!(login.body["type"], "employee");
    assert_eq!(login.body["login_method"], "certificate");
    assert_eq!(browser.get("/api/me").await.body["name"], "王");
    assert_eq!(
        browser
            .get("/api/me/certificates")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Departed from tomorrow: the card no longer logs in.
    app.add_people(&[Person {
        status: "departed",
        filed_on: TODAY,
        ..Person::clerk(&id, "王")
    }])
    .await;
    app.advance(Duration::days(1));
    let mut later = app.browser();
    later
        .certificate_login(&card)
        .await
        .assert_error(403, "NOT_CURRENT_EMPLOYEE");
    let outcomes: Vec<_> = app
        .audit_of("certificate_login")
        .await
        .into_iter()
        .map(|e| (e.outcome, e.national_id))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("OK".to_owned(), Some(id.clone())),
            ("NOT_CURRENT_EMPLOYEE".to_owned(), Some(id.clone()))
        ]
    );
}

#[tokio::test]
async fn an_organization_card_opens_the_agency_personnel_area() {
    let app = spawn_app().await;
    let id = national_id(74);
    app.add_employee("hr", Person::officer(&id, "人事甲")).await;
    let card = organization_card(AGENCY_OID);
    let mut officer = app.browser();
    officer.password_login("hr").await.assert_ok();
    let registration = officer.register(&card, "organization", Some(AGENCY)).await;
    let mut browser = app.browser();
    let login = browser.certificate_login(&card).await;
    login.assert_ok();
    // The area shows the card it was opened with: the registration, as registered.
    let mut shown = login.body.clone();
    assert_eq!(shown["card"], registration.body);
    shown.as_object_mut().unwrap().remove("card");
    assert_eq!(
        shown,
        json!({"type": "organization", "agency_code": AGENCY,
               "agency_name": "行政院人事行政總處", "officer_name": "人事甲"})
    );
    assert_eq!(login.body["card"]["kind"], "organization");
    assert!(
        login.body["card"]["not_after"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let me = browser.get("/api/me").await;
    assert_eq!(me.body["type"], "organization");
    assert_eq!(me.body["card"], registration.body);
    // An organization session is not an employee: it has no personal certificates.
    browser
        .get("/api/me/certificates")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    // Withdrawing the card ends the sessions it opened.
    let id = registration.body["id"].as_i64().unwrap();
    officer
        .delete(&format!("/api/me/certificates/{id}"))
        .await
        .assert_status(204);
    browser
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

/// An officer who registered the agency's organization card, that card, and a browser
/// logged in with it.
async fn an_open_organization_session(
    app: &TestApp,
    n: u32,
) -> (String, SoftwareCard, Browser<'_>) {
    let (id, card, _) = officer_with_organization_card(app, n).await;
    let mut browser = app.browser();
    browser.certificate_login(&card).await.assert_ok();
    (id, card, browser)
}

/// Files `changed` (the officer's record, changed) as in force today: the organization
/// card's open session answers `session` (status, code) and the card logs in no more,
/// refused with `code`.
async fn after_the_officer_record(
    n: u32,
    changed: for<'a> fn(Person<'a>) -> Person<'a>,
    session: (u16, &str),
    code: &str,
) {
    let app = spawn_app().await;
    let (id, card, mut browser) = an_open_organization_session(&app, n).await;
    app.add_people(&[changed(Person {
        filed_on: YESTERDAY,
        ..Person::officer(&id, "人事丙")
    })])
    .await;
    browser
        .get("/api/me")
        .await
        .assert_error(session.0, session.1);
    app.browser()
        .certificate_login(&card)
        .await
        .assert_error(403, code);
}

#[tokio::test]
async fn the_organization_card_closes_when_its_registering_officer_departs() {
    after_the_officer_record(
        75,
        |p| Person {
            status: "departed",
            ..p
        },
        // A departure ends the person's every session.
        (401, "UNAUTHENTICATED"),
        "NOT_CURRENT_EMPLOYEE",
    )
    .await;
}

#[tokio::test]
async fn the_organization_card_closes_when_its_registering_officer_moves_agency() {
    after_the_officer_record(
        76,
        |p| Person {
            agency: OTHER_AGENCY,
            ..p
        },
        (403, "NOT_PERSONNEL_OFFICER"),
        "NOT_PERSONNEL_OFFICER",
    )
    .await;
}
