//! Sessions follow the facts: a withdrawn card ends the sessions it opened, and a
//! departure ends every session its person had open.

use time::Duration;

use crate::support::*;

async fn sessions_of(app: &TestApp, national_id: &str) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) FROM sessions WHERE national_id = $1")
        .bind(national_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

#[tokio::test]
async fn withdrawing_a_citizen_card_ends_the_sessions_it_opened() {
    let app = spawn_app().await;
    let id = national_id(1101);
    app.add_employee("chou", Person::clerk(&id, "周一")).await;
    let card = citizen_card("周一", &id);
    let mut clerk = app.browser();
    clerk.password_login("chou").await.assert_ok();
    let registration = clerk.register(&card, "citizen", None).await;
    registration.assert_status(201);
    let mut by_card = app.browser();
    by_card.certificate_login(&card).await.assert_ok();
    by_card.get("/api/me").await.assert_ok();
    let id = registration.body["id"].as_i64().unwrap();
    clerk
        .delete(&format!("/api/me/certificates/{id}"))
        .await
        .assert_status(204);
    by_card
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    // The password session did not come from the card and stays.
    clerk.get("/api/me").await.assert_ok();
}

#[tokio::test]
async fn a_departure_ends_every_session_at_the_next_request() {
    let app = spawn_app().await;
    let id = national_id(1102);
    app.add_employee("ho", Person::officer(&id, "何二")).await;
    let card = organization_card(AGENCY_OID);
    let mut officer = app.browser();
    officer.password_login("ho").await.assert_ok();
    officer
        .register(&card, "organization", Some(AGENCY))
        .await
        .assert_status(201);
    app.advance(Duration::hours(10)); // 20:00 in Taipei
    // Departed, filed today: still current until midnight.
    app.add_people(&[Person {
        status: "departed",
        filed_on: TODAY,
        ..Person::officer(&id, "何二")
    }])
    .await;
    let mut password = app.browser();
    password.password_login("ho").await.assert_ok();
    let mut organization = app.browser();
    organization.certificate_login(&card).await.assert_ok();
    password.get("/api/me").await.assert_ok();
    organization.get("/api/me").await.assert_ok();
    app.advance(Duration::hours(5)); // 01:00 the next day, within the sessions' 8 hours
    password
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(sessions_of(&app, &id).await, 0, "one request ends them all");
    organization
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_departed_person_loses_every_login_method() {
    let app = spawn_app().await;
    let id = national_id(1103);
    app.add_employee("lu", Person::officer(&id, "呂三")).await;
    let citizen = citizen_card("呂三", &id);
    let mut officer = app.browser();
    officer.password_login("lu").await.assert_ok();
    officer
        .register(&citizen, "citizen", None)
        .await
        .assert_status(201);
    let organization = organization_card(AGENCY_OID);
    officer
        .register(&organization, "organization", Some(AGENCY))
        .await
        .assert_status(201);
    app.add_people(&[Person {
        status: "departed",
        filed_on: YESTERDAY,
        ..Person::officer(&id, "呂三")
    }])
    .await;
    let mut anyone = app.browser();
    anyone
        .password_login("lu")
        .await
        .assert_error(403, "NOT_CURRENT_EMPLOYEE");
    anyone
        .certificate_login(&citizen)
        .await
        .assert_error(403, "NOT_CURRENT_EMPLOYEE");
    anyone
        .certificate_login(&organization)
        .await
        .assert_error(403, "NOT_CURRENT_EMPLOYEE");
    // The session opened before the departure was filed ends at its next request.
    officer
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(sessions_of(&app, &id).await, 0);
}
