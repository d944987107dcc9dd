//! Challenges: 32 random bytes, the portal's own text, single use, five minutes, bound
//! to the browser session that asked.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use time::Duration;

use crate::registrations::RACE_ROUNDS;
use crate::support::*;

#[tokio::test]
async fn a_challenge_names_purpose_origin_and_a_fresh_nonce() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let answer = browser
        .post("/api/challenges", json!({"purpose": "login"}))
        .await;
    answer.assert_ok();
    let cookie = answer.set_cookie.clone().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let nonce = answer.body["nonce"].as_str().unwrap();
    assert_eq!(nonce.len(), 64);
    assert_eq!(
        answer.body["tbs"],
        format!("ECPA certificate challenge v1\npurpose=login\norigin={ORIGIN}\nnonce={nonce}")
    );
    assert_eq!(answer.body["expires_at"], "2026-03-10T02:05:00Z");
    let (second, _) = browser.challenge("login").await;
    assert_ne!(second, nonce);
    browser
        .post("/api/challenges", json!({"purpose": "steal"}))
        .await
        .assert_error(400, "MALFORMED_REQUEST");
}

async fn registered_card(app: &TestApp) -> ecpa_devcard::SoftwareCard {
    let id = national_id(61);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let card = citizen_card("王", &id);
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    browser
        .register(&card, "citizen", None)
        .await
        .assert_status(201);
    card
}

fn login_body(card: &ecpa_devcard::SoftwareCard, nonce: &str, tbs: &str) -> serde_json::Value {
    json!({
        "nonce": nonce,
        "certificate": STANDARD.encode(&card.signing_cert_der),
        "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
    })
}

#[tokio::test]
async fn a_replayed_nonce_is_unknown() {
    let app = spawn_app().await;
    let card = registered_card(&app).await;
    let mut browser = app.browser();
    let (nonce, tbs) = browser.challenge("login").await;
    let body = login_body(&card, &nonce, &tbs);
    let cookie = browser.cookie.clone();
    browser
        .post("/api/session/certificate", body.clone())
        .await
        .assert_ok();
    // Replay from the same browser state (the old cookie) and from the new session.
    let mut replay = app.browser();
    replay.cookie = cookie;
    replay
        .post("/api/session/certificate", body.clone())
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
    browser
        .post("/api/session/certificate", body)
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
}

#[tokio::test]
async fn an_expired_nonce_is_expired_and_used_up() {
    let app = spawn_app().await;
    let card = registered_card(&app).await;
    let mut browser = app.browser();
    let (nonce, tbs) = browser.challenge("login").await;
    app.advance(Duration::minutes(5) + Duration::seconds(1));
    let body = login_body(&card, &nonce, &tbs);
    browser
        .post("/api/session/certificate", body.clone())
        .await
        .assert_error(410, "CHALLENGE_EXPIRED");
    browser
        .post("/api/session/certificate", body)
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
}

#[tokio::test]
async fn a_refused_answer_uses_up_its_challenge() {
    let app = spawn_app().await;
    let card = registered_card(&app).await;
    let mut browser = app.browser();

    // Refused by the card checks: a signature over other text.
    let (nonce, tbs) = browser.challenge("login").await;
    let forged = login_body(&card, &nonce, &format!("{tbs}\nmore"));
    browser
        .post("/api/session/certificate", forged)
        .await
        .assert_error(422, "BAD_SIGNATURE");
    browser
        .post("/api/session/certificate", login_body(&card, &nonce, &tbs))
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");

    // Refused after the card checks: a good card nobody registered.
    let stranger = citizen_card("李", &national_id(62));
    let (nonce, tbs) = browser.challenge("login").await;
    browser
        .post(
            "/api/session/certificate",
            login_body(&stranger, &nonce, &tbs),
        )
        .await
        .assert_error(404, "CERT_NOT_REGISTERED");
    browser
        .post("/api/session/certificate", login_body(&card, &nonce, &tbs))
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");

    // A new challenge of the same session still logs in.
    let (nonce, tbs) = browser.challenge("login").await;
    browser
        .post("/api/session/certificate", login_body(&card, &nonce, &tbs))
        .await
        .assert_ok();
}

#[tokio::test]
async fn a_nonce_from_another_session_is_unknown_and_stays_usable_by_its_owner() {
    let app = spawn_app().await;
    let card = registered_card(&app).await;
    let mut owner = app.browser();
    let (nonce, tbs) = owner.challenge("login").await;
    let body = login_body(&card, &nonce, &tbs);
    let mut thief = app.browser();
    thief.challenge("login").await;
    thief
        .post("/api/session/certificate", body.clone())
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
    let mut no_cookie = app.browser();
    no_cookie
        .post("/api/session/certificate", body.clone())
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
    owner
        .post("/api/session/certificate", body)
        .await
        .assert_ok();
}

#[tokio::test]
async fn a_login_nonce_does_not_register_and_a_made_up_one_is_unknown() {
    let app = spawn_app().await;
    let id = national_id(62);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let card = citizen_card("王", &id);
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    let (nonce, tbs) = browser.challenge("login").await;
    let mut body = login_body(&card, &nonce, &tbs);
    body["kind"] = json!("citizen");
    browser
        .post("/api/registrations", body.clone())
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
    body["nonce"] = json!("ab".repeat(32));
    browser
        .post("/api/registrations", body)
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
}

#[tokio::test]
async fn an_address_gets_a_bounded_number_of_challenges_per_minute() {
    let app = spawn_app_with(Options {
        challenges_per_minute: 3,
        ..Options::default()
    })
    .await;
    // Dropping the cookie each time does not help: the budget is the address's.
    for _ in 0..3 {
        app.browser().challenge("login").await;
    }
    let refused = app
        .browser()
        .post("/api/challenges", json!({"purpose": "login"}))
        .await;
    refused.assert_error(429, "TOO_MANY_REQUESTS");
    assert!(
        refused.set_cookie.is_none(),
        "no session for a refused call"
    );

    let mut elsewhere = app.browser();
    elsewhere.addr = "10.0.0.9:4000".parse().unwrap();
    elsewhere.challenge("login").await;

    app.advance(Duration::minutes(1));
    app.browser().challenge("login").await;
}

/// Sends one answer to a challenge from `browser` and from a twin (same session) at the
/// same moment: exactly one use counts, with `status`; the other finds the nonce used.
/// `browser` keeps the cookie the winner got.
fn answer_twice_at_once(browser: &mut Browser<'_>, path: &str, body: Value, status: u16) {
    let mut twin = browser.twin();
    let (x, y) = race(browser.post(path, body.clone()), twin.post(path, body));
    let (winner, loser) = if x.status.as_u16() == status {
        (x, y)
    } else {
        browser.cookie = twin.cookie;
        (y, x)
    };
    winner.assert_status(status);
    loser.assert_error(400, "CHALLENGE_UNKNOWN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_login_challenge_sent_twice_at_once_logs_in_once() {
    let app = spawn_app().await;
    let card = registered_card(&app).await;
    let mut browser = app.browser();
    for _ in 0..RACE_ROUNDS {
        let body = browser.signed_body("login", &card, json!({})).await;
        answer_twice_at_once(&mut browser, "/api/session/certificate", body, 200);
    }
    assert_eq!(
        app.audit_of("certificate_login")
            .await
            .iter()
            .filter(|e| e.outcome == "OK")
            .count(),
        RACE_ROUNDS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_registration_challenge_sent_twice_at_once_registers_once() {
    let app = spawn_app().await;
    let id = national_id(62);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    for round in 1..=RACE_ROUNDS {
        let card = citizen_card("王", &id);
        let body = browser
            .signed_body("register", &card, json!({"kind": "citizen"}))
            .await;
        answer_twice_at_once(&mut browser, "/api/registrations", body, 201);
        assert_eq!(app.count("registrations").await, round as i64);
    }
}
