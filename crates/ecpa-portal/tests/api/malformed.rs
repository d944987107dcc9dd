//! Bad input gets `{"error","message"}` with a 4xx, never a 500 or a panic; and the
//! small read-only endpoints.

use axum::body::Body;
use axum::http::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn malformed_bodies_are_400_in_the_error_shape() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let cases = [
        ("/api/challenges", Body::from("{not json")),
        ("/api/challenges", Body::from("[]")),
        ("/api/session/password", Body::from(r#"{"account": 1}"#)),
        (
            "/api/certificates/status",
            Body::from(r#"{"certificate": "***not base64***"}"#),
        ),
        (
            "/api/certificates/status",
            Body::from(r#"{"certificate": "AAECAwQ="}"#),
        ),
        (
            "/api/certificates/status",
            Body::from(r#"{"certificate": ""}"#),
        ),
        (
            "/api/session/certificate",
            Body::from(r#"{"nonce": "xyz", "certificate": "AA==", "signature": "AA=="}"#),
        ),
        (
            "/api/registrations",
            Body::from(
                r#"{"nonce": "00", "certificate": "AA==", "signature": "AA==", "kind": "alien"}"#,
            ),
        ),
    ];
    for (path, body) in cases {
        let answer = browser.send_raw(Method::POST, path, body, true).await;
        answer.assert_error(400, "MALFORMED_REQUEST");
    }
    // Without a JSON content type.
    let answer = browser
        .send_raw(Method::POST, "/api/challenges", Body::from("{}"), false)
        .await;
    answer.assert_error(400, "MALFORMED_REQUEST");
}

/// The challenge is used up before the certificate is read: any answer to a nonce,
/// even one whose certificate does not parse, is its one use. Nothing else is spent:
/// the session stays, and its next challenge is answered as usual.
#[tokio::test]
async fn malformed_certificate_in_a_signed_request_is_400_and_burns_nothing_else() {
    let app = spawn_app().await;
    let id = national_id(82);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    let card = citizen_card("王", &id);
    browser
        .register(&card, "citizen", None)
        .await
        .assert_status(201);
    for garbage in ["MIIB", "AAECAwQF"] {
        let (nonce, _) = browser.challenge("login").await;
        let answer =
            |nonce: &str| json!({"nonce": nonce, "certificate": garbage, "signature": "AAAA"});
        browser
            .post("/api/session/certificate", answer(&nonce))
            .await
            .assert_error(400, "MALFORMED_REQUEST");
        browser
            .post("/api/session/certificate", answer(&nonce))
            .await
            .assert_error(400, "CHALLENGE_UNKNOWN");
    }
    browser.get("/api/me").await.assert_ok();
    browser.certificate_login(&card).await.assert_ok();
}

#[tokio::test]
async fn a_certificate_that_is_no_card_is_unsupported() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let ca = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        &pkis().rsa.moica.cert_der,
    );
    browser
        .post("/api/certificates/status", json!({"certificate": ca}))
        .await
        .assert_error(422, "UNSUPPORTED_CERT");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let huge = json!({"certificate": "A".repeat(200 * 1024)}).to_string();
    let answer = browser
        .send_raw(
            Method::POST,
            "/api/certificates/status",
            Body::from(huge),
            true,
        )
        .await;
    answer.assert_error(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn unknown_api_paths_and_bad_ids_are_json_errors() {
    let app = spawn_app().await;
    let id = national_id(81);
    app.add_employee("emp", Person::clerk(&id, "王")).await;
    let mut browser = app.browser();
    browser
        .get("/api/nothing/here")
        .await
        .assert_error(404, "NOT_FOUND");
    browser.password_login("emp").await.assert_ok();
    browser
        .delete("/api/me/certificates/abc")
        .await
        .assert_error(400, "MALFORMED_REQUEST");
}

#[tokio::test]
async fn agency_lookup() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let found = browser.get(&format!("/api/agencies/{AGENCY}")).await;
    assert_eq!(
        found.body,
        json!({"code": AGENCY, "name": "行政院人事行政總處", "oid": AGENCY_OID})
    );
    let no_oid = browser
        .get(&format!("/api/agencies/{}", OTHER_AGENCY.to_lowercase()))
        .await;
    assert_eq!(no_oid.body, json!({"code": OTHER_AGENCY, "name": "法務部"}));
    browser
        .get("/api/agencies/1234567")
        .await
        .assert_error(404, "AGENCY_UNKNOWN");
    browser
        .get("/api/agencies/12-34")
        .await
        .assert_error(400, "MALFORMED_REQUEST");
}

#[tokio::test]
async fn config_and_openapi_describe_the_portal() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let config = browser.get("/api/config").await;
    assert_eq!(
        config.body,
        json!({"agent_origin": "http://127.0.0.1:61161", "public_origin": ORIGIN})
    );
    let doc = browser.get("/api/openapi.json").await;
    let paths = doc.body["paths"].as_object().unwrap();
    for path in [
        "/api/session/password",
        "/api/challenges",
        "/api/certificates/status",
        "/api/session/certificate",
        "/api/registrations",
        "/api/me/certificates/{id}",
        "/api/agencies/{code}",
        "/api/passkeys/registration/start",
        "/api/passkeys/registration/finish",
        "/api/passkeys/authentication/start",
        "/api/passkeys/authentication/finish",
        "/api/me/passkeys",
        "/api/me/passkeys/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
}

#[tokio::test]
async fn the_spa_is_served_with_an_index_fallback_for_client_routes() {
    let app = spawn_app().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>ECPA</html>").unwrap();
    std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    let mut browser = app.browser();
    for path in ["/", "/my/certificates", "/app.js"] {
        let answer = browser.send(Method::GET, path, None).await;
        assert_eq!(answer.status.as_u16(), 200, "{path}");
    }
}
