//! `POST /api/registrations`: who may register which card, one owner per certificate,
//! and the owner's list and withdrawal.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_current_employee_registers_their_citizen_card() {
    let app = spawn_app().await;
    let id = national_id(11);
    app.add_employee("wang", Person::clerk(&id, "王大明")).await;
    let card = citizen_card("王大明", &id);
    let mut browser = app.browser();
    browser.password_login("wang").await.assert_ok();
    let answer = browser.register(&card, "citizen", None).await;
    assert_eq!(answer.status.as_u16(), 201, "{answer:?}");
    assert_eq!(answer.body["kind"], "citizen");
    assert!(
        answer.body["subject"]
            .as_str()
            .unwrap()
            .contains("CN=王大明")
    );
    assert_eq!(
        answer.body["serial"],
        hex::encode(serial_of(&card.signing_cert_der))
    );
    let list = browser.get("/api/me/certificates").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let last = app.last_audit().await;
    assert_eq!(
        (last.event.as_str(), last.outcome.as_str()),
        ("registration", "OK")
    );
    assert_eq!(last.national_id.as_deref(), Some(id.as_str()));
    assert_eq!(last.cert_serial.as_deref(), answer.body["serial"].as_str());
    assert_eq!(
        last.cert_fingerprint.as_deref(),
        answer.body["fingerprint"].as_str()
    );
}

#[tokio::test]
async fn registering_needs_a_logged_in_employee() {
    let app = spawn_app().await;
    let id = national_id(12);
    app.add_employee("lee", Person::clerk(&id, "李四")).await;
    let card = citizen_card("李四", &id);
    let mut browser = app.browser();
    browser
        .register(&card, "citizen", None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(app.count("registrations").await, 0);
}

#[tokio::test]
async fn id_last4_or_name_of_someone_else_is_refused() {
    let app = spawn_app().await;
    let id = national_id(13);
    app.add_employee("chou", Person::clerk(&id, "周五")).await;
    let mut browser = app.browser();
    browser.password_login("chou").await.assert_ok();
    let other_last4 = citizen_card("周五", &national_id(14));
    browser
        .register(&other_last4, "citizen", None)
        .await
        .assert_error(403, "ID_MISMATCH");
    let other_name = citizen_card("周六", &id);
    browser
        .register(&other_name, "citizen", None)
        .await
        .assert_error(403, "ID_MISMATCH");
    // A card without the last-4 attribute is judged by its name.
    let no_last4 = card_from(
        &pkis().rsa.moica,
        citizen_subject("周五", None),
        NOW - time::Duration::days(1),
        NOW + time::Duration::days(30),
    );
    browser
        .register(&no_last4, "citizen", None)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn the_card_type_must_be_the_one_the_page_asked_for() {
    let app = spawn_app().await;
    let id = national_id(15);
    app.add_employee("tsai", Person::officer(&id, "蔡七")).await;
    let mut browser = app.browser();
    browser.password_login("tsai").await.assert_ok();
    let organization = organization_card(AGENCY_OID);
    browser
        .register(&organization, "citizen", None)
        .await
        .assert_error(422, "WRONG_CERT_TYPE");
    let citizen = citizen_card("蔡七", &id);
    browser
        .register(&citizen, "organization", Some(AGENCY))
        .await
        .assert_error(422, "WRONG_CERT_TYPE");
    assert_eq!(app.count("registrations").await, 0);
}

#[tokio::test]
async fn an_officer_registers_an_organization_card_for_their_own_agency() {
    let app = spawn_app().await;
    let id = national_id(16);
    app.add_employee("hsieh", Person::officer(&id, "謝八"))
        .await;
    let mut browser = app.browser();
    browser.password_login("hsieh").await.assert_ok();
    let card = organization_card(AGENCY_OID);
    browser
        .register(&card, "organization", Some("9999999"))
        .await
        .assert_error(404, "AGENCY_UNKNOWN");
    browser
        .register(&card, "organization", Some(OTHER_AGENCY))
        .await
        .assert_error(403, "AGENCY_NOT_YOURS");
    let ok = browser.register(&card, "organization", Some(AGENCY)).await;
    assert_eq!(ok.status.as_u16(), 201, "{ok:?}");
    assert_eq!(ok.body["agency_code"], AGENCY);
    assert!(ok.body["subject"].as_str().unwrap().contains("O=行政院"));
}

#[tokio::test]
async fn an_organization_card_of_another_agency_oid_is_not_yours() {
    let app = spawn_app().await;
    let id = national_id(17);
    app.add_employee("pan", Person::officer(&id, "潘九")).await;
    let mut browser = app.browser();
    browser.password_login("pan").await.assert_ok();
    let card = organization_card("2.16.886.101.20003.99999");
    browser
        .register(&card, "organization", Some(AGENCY))
        .await
        .assert_error(403, "AGENCY_NOT_YOURS");
}

#[tokio::test]
async fn an_agency_without_an_oid_on_file_gets_no_organization_card() {
    let app = spawn_app().await;
    let id = national_id(20);
    app.add_employee(
        "lu",
        Person {
            agency: OTHER_AGENCY,
            ..Person::officer(&id, "呂十")
        },
    )
    .await;
    let mut browser = app.browser();
    browser.password_login("lu").await.assert_ok();
    // Whatever OID the card carries, there is nothing on file to match it to.
    for card_oid in [AGENCY_OID, "2.16.886.101.20003.99999"] {
        browser
            .register(&organization_card(card_oid), "organization", None)
            .await
            .assert_error(403, "AGENCY_OID_UNKNOWN");
    }
    let eligibility = browser
        .get(&format!(
            "/api/me/eligibility?kind=organization&agency_code={OTHER_AGENCY}"
        ))
        .await;
    assert_eq!(
        eligibility.body["error"], "AGENCY_OID_UNKNOWN",
        "{eligibility:?}"
    );
    assert_eq!(app.count("registrations").await, 0);
}

#[tokio::test]
async fn re_registering_your_own_card_is_idempotent_and_another_owner_is_refused() {
    let app = spawn_app().await;
    let (a, b) = (national_id(18), national_id(19));
    app.add_employee("a", Person::clerk(&a, "甲")).await;
    app.add_employee("b", Person::clerk(&b, "甲")).await;
    // Same name, and a card without last-4, so only ownership tells them apart.
    let card = card_from(
        &pkis().rsa.moica,
        citizen_subject("甲", None),
        NOW - time::Duration::days(1),
        NOW + time::Duration::days(30),
    );
    let mut first = app.browser();
    first.password_login("a").await.assert_ok();
    let created = first.register(&card, "citizen", None).await;
    assert_eq!(created.status.as_u16(), 201);
    let again = first.register(&card, "citizen", None).await;
    assert_eq!(again.status.as_u16(), 200);
    assert_eq!(again.body["id"], created.body["id"]);
    let mut second = app.browser();
    second.password_login("b").await.assert_ok();
    second
        .register(&card, "citizen", None)
        .await
        .assert_error(409, "CERT_ALREADY_REGISTERED");
    assert_eq!(app.count("registrations").await, 1);
}

/// Rounds of each race: enough that the two requests meet inside the portal's
/// check-then-insert in some of them.
pub const RACE_ROUNDS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_registrations_of_one_card_exactly_one_wins() {
    let app = spawn_app().await;
    let (a, b) = (national_id(20), national_id(21));
    app.add_employee("a", Person::clerk(&a, "乙")).await;
    app.add_employee("b", Person::clerk(&b, "乙")).await;
    let (mut first, mut second) = (app.browser(), app.browser());
    first.password_login("a").await.assert_ok();
    second.password_login("b").await.assert_ok();
    let kind = json!({"kind": "citizen"});
    for round in 1..=RACE_ROUNDS {
        // A new card each round, so that every round races to create it.
        let card = card_from(
            &pkis().rsa.moica,
            citizen_subject("乙", None),
            NOW - time::Duration::days(1),
            NOW + time::Duration::days(30),
        );
        let x_body = first.signed_body("register", &card, kind.clone()).await;
        let y_body = second.signed_body("register", &card, kind.clone()).await;
        let (x, y) = race(
            first.post("/api/registrations", x_body),
            second.post("/api/registrations", y_body),
        );
        let mut statuses = [x.status.as_u16(), y.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}: {x:?} {y:?}");
        let loser = if x.status.as_u16() == 409 { x } else { y };
        loser.assert_error(409, "CERT_ALREADY_REGISTERED");
        assert_eq!(app.count("registrations").await, round as i64);
    }
}

#[tokio::test]
async fn withdrawing_removes_only_your_own_registration() {
    let app = spawn_app().await;
    let (a, b) = (national_id(22), national_id(23));
    app.add_employee("a", Person::clerk(&a, "丙")).await;
    app.add_employee("b", Person::clerk(&b, "丁")).await;
    let card = citizen_card("丙", &a);
    let mut owner = app.browser();
    owner.password_login("a").await.assert_ok();
    let id = owner.register(&card, "citizen", None).await.body["id"]
        .as_i64()
        .unwrap();
    let mut other = app.browser();
    other.password_login("b").await.assert_ok();
    other
        .delete(&format!("/api/me/certificates/{id}"))
        .await
        .assert_error(404, "NOT_FOUND");
    owner
        .delete(&format!("/api/me/certificates/{id}"))
        .await
        .assert_status(204);
    assert_eq!(owner.get("/api/me/certificates").await.body, json!([]));
    owner
        .delete(&format!("/api/me/certificates/{id}"))
        .await
        .assert_error(404, "NOT_FOUND");
    let status = owner
        .post(
            "/api/certificates/status",
            json!({"certificate": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &card.signing_cert_der)}),
        )
        .await;
    assert_eq!(status.body, json!({"registered": false, "kind": "citizen"}));
    let withdrawals: Vec<_> = app
        .audit_of("withdrawal")
        .await
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(withdrawals, vec!["NOT_FOUND", "OK", "NOT_FOUND"]);
}
