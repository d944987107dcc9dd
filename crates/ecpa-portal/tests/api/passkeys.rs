//! Passkeys: added after a fresh card login, logging in alone by the citizen card's
//! eligibility rule, listed, renamed and removed by their owner, and gone with the card.

use serde_json::json;
use time::Duration;

use crate::passkey_device::{Device, fresh_card_login};
use crate::support::*;

#[tokio::test]
async fn a_fresh_card_login_adds_a_passkey_that_then_logs_in_alone() {
    let app = spawn_app().await;
    let (id, mut browser) = fresh_card_login(&app, 301).await;
    let me = browser.get("/api/me").await;
    assert_eq!(
        (&me.body["login_method"], &me.body["can_add_passkey"]),
        (&json!("certificate"), &json!(true))
    );
    let options = browser
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    options.assert_status(200);
    let public_key = &options.body["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    let selection = &public_key["authenticatorSelection"];
    assert_eq!(selection["userVerification"], "required");
    assert_eq!(selection["residentKey"], "required");
    let mut device = Device::new();
    let finish = json!({"credential": device.create(&options.body)});
    let added = browser
        .post("/api/passkeys/registration/finish", finish)
        .await;
    added.assert_status(201);
    assert_eq!(added.body["name"], "通行密鑰 1");
    assert_eq!(added.body["created_at"], "2026-03-10T02:00:00Z");
    assert!(added.body.get("last_used_at").is_none(), "{added:?}");

    browser.delete("/api/session").await.assert_status(204);
    app.advance(Duration::hours(1));
    let mut later = app.browser();
    let login = later.passkey_login(&mut device).await;
    login.assert_status(200);
    assert!(login.set_cookie.as_deref().unwrap().contains("HttpOnly"));
    assert_eq!(login.body["type"], "employee");
    assert_eq!(login.body["name"], "林小美");
    assert_eq!(login.body["login_method"], "passkey");
    assert_eq!(login.body["can_add_passkey"], false);
    assert_eq!(later.get("/api/me").await.body["login_method"], "passkey");
    let list = later.get("/api/me/passkeys").await;
    assert_eq!(list.body[0]["last_used_at"], "2026-03-10T03:00:00Z");
    // A passkey's assurance is not a card's: no passkey is added from this session.
    later
        .add_passkey(&mut Device::new(), None)
        .await
        .assert_error(403, "PASSKEY_STEP_UP_REQUIRED");

    let events: Vec<_> = app
        .db
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.starts_with("passkey"))
        .map(|e| (e.event, e.outcome, e.national_id, e.passkey_credential))
        .collect();
    let credential = app.audit_of("passkey_login").await[0]
        .passkey_credential
        .clone();
    assert!(credential.as_ref().is_some_and(|c| c.len() >= 16));
    assert_eq!(
        events,
        vec![
            (
                "passkey_registration".into(),
                "OK".into(),
                Some(id.clone()),
                credential.clone()
            ),
            ("passkey_login".into(), "OK".into(), Some(id), credential),
        ]
    );
}

#[tokio::test]
async fn adding_a_passkey_needs_a_card_login_of_the_last_five_minutes() {
    let app = spawn_app().await;
    let mut nobody = app.browser();
    nobody
        .post("/api/passkeys/registration/start", json!({}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    let (_, mut card) = fresh_card_login(&app, 302).await;
    let mut password = app.browser();
    password.password_login("emp").await.assert_ok();
    assert_eq!(password.get("/api/me").await.body["can_add_passkey"], false);
    password
        .add_passkey(&mut Device::new(), None)
        .await
        .assert_error(403, "PASSKEY_STEP_UP_REQUIRED");

    // Started within the five minutes, finished after them.
    app.advance(Duration::minutes(4));
    let options = card
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    options.assert_status(200);
    app.advance(Duration::seconds(61));
    assert_eq!(card.get("/api/me").await.body["can_add_passkey"], false);
    let finish = json!({"credential": Device::new().create(&options.body)});
    card.post("/api/passkeys/registration/finish", finish)
        .await
        .assert_error(403, "PASSKEY_STEP_UP_REQUIRED");
    card.add_passkey(&mut Device::new(), None)
        .await
        .assert_error(403, "PASSKEY_STEP_UP_REQUIRED");
    assert_eq!(app.count("passkeys").await, 0);
    let refused = app.audit_of("passkey_registration").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].outcome, "PASSKEY_STEP_UP_REQUIRED");
}

#[tokio::test]
async fn the_personnel_only_area_stays_card_only() {
    let app = spawn_app().await;
    let (_, card, _) = officer_with_organization_card(&app, 303).await;
    let mut area = app.browser();
    let login = area.certificate_login(&card).await;
    assert_eq!(login.body["type"], "organization");
    area.add_passkey(&mut Device::new(), None)
        .await
        .assert_error(403, "PASSKEY_STEP_UP_REQUIRED");
}

#[tokio::test]
async fn a_departed_employee_passkey_stops_working_at_once() {
    let app = spawn_app().await;
    let (id, mut browser) = fresh_card_login(&app, 304).await;
    let mut device = Device::new();
    browser
        .add_passkey(&mut device, None)
        .await
        .assert_status(201);
    let mut kept = app.browser();
    kept.passkey_login(&mut device).await.assert_ok();
    // Filed today: takes effect tomorrow (SPEC §2), so today the passkey still works.
    app.add_people(&[Person {
        status: "departed",
        filed_on: TODAY,
        ..Person::clerk(&id, "林小美")
    }])
    .await;
    app.browser().passkey_login(&mut device).await.assert_ok();
    app.advance(Duration::days(1));
    app.browser()
        .passkey_login(&mut device)
        .await
        .assert_error(403, "NOT_CURRENT_EMPLOYEE");
    kept.get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    let outcomes: Vec<_> = app
        .audit_of("passkey_login")
        .await
        .into_iter()
        .map(|e| (e.outcome, e.national_id))
        .collect();
    assert_eq!(
        outcomes.last(),
        Some(&("NOT_CURRENT_EMPLOYEE".into(), Some(id)))
    );
}

#[tokio::test]
async fn withdrawing_the_card_removes_the_passkeys_added_under_it() {
    let app = spawn_app().await;
    let (id, mut browser) = fresh_card_login(&app, 305).await;
    let mut device = Device::new();
    browser
        .add_passkey(&mut device, None)
        .await
        .assert_status(201);
    let mut passkey_session = app.browser();
    passkey_session.passkey_login(&mut device).await.assert_ok();
    let registration = browser.get("/api/me/certificates").await.body[0]["id"].clone();
    browser
        .delete(&format!("/api/me/certificates/{registration}"))
        .await
        .assert_status(204);
    assert_eq!(app.count("passkeys").await, 0);
    passkey_session
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.browser()
        .passkey_login(&mut device)
        .await
        .assert_error(401, "PASSKEY_UNKNOWN");
    let removal = app.audit_of("passkey_removal").await;
    assert_eq!(removal.len(), 1);
    assert_eq!(
        (
            removal[0].outcome.as_str(),
            removal[0].national_id.as_deref()
        ),
        ("OK", Some(id.as_str()))
    );
    assert_eq!(
        removal[0].passkey_credential,
        app.audit_of("passkey_registration").await[0].passkey_credential
    );
}

#[tokio::test]
async fn the_owner_lists_renames_and_removes_their_passkeys() {
    let app = spawn_app().await;
    let (_, mut browser) = fresh_card_login(&app, 306).await;
    let mut laptop = Device::new();
    let first = browser.add_passkey(&mut laptop, Some("  公務筆電 ")).await;
    first.assert_status(201);
    assert_eq!(first.body["name"], "公務筆電");
    // The second ceremony excludes the first credential.
    let options = browser
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    let excluded = options.body["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    let second = browser
        .post(
            "/api/passkeys/registration/finish",
            json!({"credential": Device::new().create(&options.body)}),
        )
        .await;
    assert_eq!(second.body["name"], "通行密鑰 2");
    let list = browser.get("/api/me/passkeys").await;
    let names: Vec<_> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("公務筆電"), json!("通行密鑰 2")]);

    let path = format!("/api/me/passkeys/{}", second.body["id"]);
    let renamed = browser
        .send(
            axum::http::Method::PATCH,
            &path,
            Some(json!({"name": "手機"})),
        )
        .await;
    renamed.assert_status(200);
    assert_eq!(renamed.body["name"], "手機");
    browser
        .send(axum::http::Method::PATCH, &path, Some(json!({"name": " "})))
        .await
        .assert_error(400, "MALFORMED_REQUEST");

    // Someone else's passkeys are not there for another employee.
    app.add_employee("other", Person::clerk(&national_id(307), "陳"))
        .await;
    let mut other = app.browser();
    other.password_login("other").await.assert_ok();
    assert_eq!(other.get("/api/me/passkeys").await.body, json!([]));
    other
        .send(axum::http::Method::PATCH, &path, Some(json!({"name": "x"})))
        .await
        .assert_error(404, "NOT_FOUND");
    other.delete(&path).await.assert_error(404, "NOT_FOUND");
    app.browser()
        .delete(&path)
        .await
        .assert_error(401, "UNAUTHENTICATED");

    browser.delete(&path).await.assert_status(204);
    browser.delete(&path).await.assert_error(404, "NOT_FOUND");
    let list = browser.get("/api/me/passkeys").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let removals: Vec<_> = app
        .audit_of("passkey_removal")
        .await
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        removals,
        vec!["NOT_FOUND", "UNAUTHENTICATED", "OK", "NOT_FOUND"]
    );
    app.browser().passkey_login(&mut laptop).await.assert_ok();
}

#[tokio::test]
async fn removing_a_passkey_ends_the_other_sessions_it_opened() {
    let app = spawn_app().await;
    let (_, mut card) = fresh_card_login(&app, 308).await;
    let (mut laptop, mut phone) = (Device::new(), Device::new());
    let laptop_id = card.add_passkey(&mut laptop, Some("筆電")).await.body["id"].clone();
    let phone_id = card.add_passkey(&mut phone, Some("手機")).await.body["id"].clone();
    let mut by_laptop = app.browser();
    by_laptop.passkey_login(&mut laptop).await.assert_ok();
    let mut by_laptop_again = app.browser();
    by_laptop_again.passkey_login(&mut laptop).await.assert_ok();
    let mut by_phone = app.browser();
    by_phone.passkey_login(&mut phone).await.assert_ok();
    let mut by_phone_elsewhere = app.browser();
    by_phone_elsewhere
        .passkey_login(&mut phone)
        .await
        .assert_ok();

    by_phone
        .delete(&format!("/api/me/passkeys/{laptop_id}"))
        .await
        .assert_status(204);
    for ended in [&mut by_laptop, &mut by_laptop_again] {
        ended
            .get("/api/me")
            .await
            .assert_error(401, "UNAUTHENTICATED");
    }
    // The card's session and the other passkey's stay.
    card.get("/api/me").await.assert_ok();
    by_phone_elsewhere.get("/api/me").await.assert_ok();

    // Removing the passkey this session was opened with: its other sessions end,
    // the one asking stays until it logs out.
    by_phone
        .delete(&format!("/api/me/passkeys/{phone_id}"))
        .await
        .assert_status(204);
    by_phone_elsewhere
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(
        by_phone.get("/api/me").await.body["login_method"],
        "passkey"
    );
    card.get("/api/me").await.assert_ok();
    assert_eq!(app.count("passkeys").await, 0);
    // Of the passkey sessions, only the one that removed the passkey is left.
    let passkey_sessions = app.count("sessions WHERE passkey_id IS NOT NULL").await;
    assert_eq!(passkey_sessions, 1);
}
