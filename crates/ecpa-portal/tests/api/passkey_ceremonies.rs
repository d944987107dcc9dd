//! Passkey ceremonies: single use, five minutes, bound to the browser session, shared
//! by portal instances on one database; what does not verify is refused, malformed
//! bodies are 400.

use axum::body::Body;
use axum::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::Duration;

use crate::passkey_device::{Device, fresh_card_login};
use crate::support::*;

/// A clerk with a passkey on `device`.
async fn with_passkey(app: &TestApp, n: u32, device: &mut Device) {
    let (_, mut browser) = fresh_card_login(app, n).await;
    browser.add_passkey(device, None).await.assert_status(201);
}

const FINISH: &str = "/api/passkeys/authentication/finish";

#[tokio::test]
async fn a_replayed_an_expired_or_another_browsers_ceremony_is_refused() {
    let app = spawn_app().await;
    let mut device = Device::new();
    with_passkey(&app, 311, &mut device).await;
    let mut browser = app.browser();
    let assertion = browser.passkey_assertion(&mut device).await;
    browser.post(FINISH, assertion.clone()).await.assert_ok();
    browser
        .post(FINISH, assertion)
        .await
        .assert_error(410, "PASSKEY_CEREMONY_EXPIRED");

    let mut slow = app.browser();
    let assertion = slow.passkey_assertion(&mut device).await;
    app.advance(Duration::minutes(5) + Duration::seconds(1));
    slow.post(FINISH, assertion)
        .await
        .assert_error(410, "PASSKEY_CEREMONY_EXPIRED");

    let mut started = app.browser();
    let assertion = started.passkey_assertion(&mut device).await;
    app.browser()
        .post(FINISH, assertion)
        .await
        .assert_error(410, "PASSKEY_CEREMONY_EXPIRED");

    // A registration answer is no login answer; once used it is used up.
    let (_, mut card) = fresh_card_login(&app, 312).await;
    let options = card
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    let registration = json!({"credential": Device::new().create(&options.body)});
    card.post(FINISH, registration["credential"].clone())
        .await
        .assert_status(400);
    let finish = "/api/passkeys/registration/finish";
    card.post(finish, registration.clone())
        .await
        .assert_status(201);
    card.post(finish, registration)
        .await
        .assert_error(410, "PASSKEY_CEREMONY_EXPIRED");
    let outcomes: Vec<_> = app
        .audit_of("passkey_login")
        .await
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        outcomes,
        vec![
            "OK",
            "PASSKEY_CEREMONY_EXPIRED",
            "PASSKEY_CEREMONY_EXPIRED",
            "PASSKEY_CEREMONY_EXPIRED"
        ]
    );
}

#[tokio::test]
async fn a_counter_going_back_is_refused_and_audited() {
    let app = spawn_app().await;
    let mut device = Device::new();
    with_passkey(&app, 313, &mut device).await;
    // Two browsers: the first answer (counter 1) is held back, the second (counter 2)
    // logs in, then the first arrives as a cloned authenticator's would.
    let mut first = app.browser();
    let held = first.passkey_assertion(&mut device).await;
    app.browser().passkey_login(&mut device).await.assert_ok();
    first
        .post(FINISH, held)
        .await
        .assert_error(401, "PASSKEY_REJECTED");
    let regression = app.audit_of("passkey_counter_regression").await;
    assert_eq!(regression.len(), 1);
    assert_eq!(regression[0].outcome, "PASSKEY_REJECTED");
    assert!(regression[0].national_id.is_some());
    let logins: Vec<_> = app
        .audit_of("passkey_login")
        .await
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(logins, vec!["OK", "PASSKEY_REJECTED"]);
    // The authenticator itself goes on from where it is.
    app.browser().passkey_login(&mut device).await.assert_ok();
}

#[tokio::test]
async fn a_bad_signature_no_user_verification_or_an_unknown_passkey_is_refused() {
    let app = spawn_app().await;
    let mut device = Device::new();
    with_passkey(&app, 314, &mut device).await;
    let mut browser = app.browser();
    let mut assertion = browser.passkey_assertion(&mut device).await;
    let signature = assertion["response"]["signature"].as_str().unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assertion["response"]["signature"] = json!(URL_SAFE_NO_PAD.encode(bytes));
    browser
        .post(FINISH, assertion)
        .await
        .assert_error(401, "PASSKEY_REJECTED");

    let options = browser
        .post("/api/passkeys/authentication/start", json!({}))
        .await;
    let unverified = device.get_without_verification(&options.body);
    browser
        .post(FINISH, unverified)
        .await
        .assert_error(401, "PASSKEY_REJECTED");

    let mut stranger = Device::new();
    let elsewhere = spawn_app().await;
    let (_, mut other_app_card) = fresh_card_login(&elsewhere, 315).await;
    let options = other_app_card
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    stranger.create(&options.body);
    browser
        .passkey_login(&mut stranger)
        .await
        .assert_error(401, "PASSKEY_UNKNOWN");
    assert_eq!(browser.get("/api/me").await.status.as_u16(), 401);
}

#[tokio::test]
async fn one_ceremony_is_served_by_two_instances_on_one_database() {
    let app = spawn_app().await;
    let other = app.second_instance().await;
    let (_, mut browser) = fresh_card_login(&app, 316).await;
    let mut device = Device::new();
    let options = browser
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    browser.router = other.clone();
    browser
        .post(
            "/api/passkeys/registration/finish",
            json!({"credential": device.create(&options.body)}),
        )
        .await
        .assert_status(201);

    let mut login = app.browser();
    let assertion = login.passkey_assertion(&mut device).await;
    login.router = other;
    let answer = login.post(FINISH, assertion).await;
    answer.assert_ok();
    assert_eq!(answer.body["login_method"], "passkey");
    login.router = app.router.clone();
    assert_eq!(login.get("/api/me").await.body["login_method"], "passkey");
}

#[tokio::test]
async fn malformed_ceremony_bodies_are_400_never_500() {
    let app = spawn_app().await;
    let (_, mut browser) = fresh_card_login(&app, 317).await;
    let bodies: [(&str, Value); 5] = [
        ("/api/passkeys/registration/start", json!([])),
        ("/api/passkeys/registration/finish", json!({})),
        (
            "/api/passkeys/registration/finish",
            json!({"credential": 5}),
        ),
        ("/api/passkeys/authentication/start", json!("x")),
        (FINISH, json!({"id": 1, "rawId": "%%%"})),
    ];
    for (path, body) in bodies {
        browser
            .post(path, body)
            .await
            .assert_error(400, "MALFORMED_REQUEST");
    }
    for path in ["/api/passkeys/registration/finish", FINISH] {
        browser
            .send_raw(Method::POST, path, Body::from("{not json"), true)
            .await
            .assert_error(400, "MALFORMED_REQUEST");
    }
    let mut device = Device::new();
    browser
        .add_passkey(&mut device, None)
        .await
        .assert_status(201);
    let overlong = json!({"name": "鑰".repeat(65)});
    browser
        .send(Method::PATCH, "/api/me/passkeys/1", Some(overlong))
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    browser
        .send(
            Method::PATCH,
            "/api/me/passkeys/x",
            Some(json!({"name": "a"})),
        )
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    browser
        .send(
            Method::PATCH,
            "/api/me/passkeys/1",
            Some(json!({"nom": "a"})),
        )
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    let options = browser
        .post("/api/passkeys/registration/start", json!({}))
        .await;
    let blank_name = json!({"credential": Device::new().create(&options.body), "name": ""});
    browser
        .post("/api/passkeys/registration/finish", blank_name)
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    browser.origin = None;
    browser
        .post("/api/passkeys/authentication/start", json!({}))
        .await
        .assert_error(403, "FORBIDDEN_ORIGIN");
}
