//! Host and Origin guards, size limits, no CORS: a foreign page never reaches the card.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ecpa_wire::agent::{Pkcs11Info, SignResult, ret};

use crate::in_process::{OWN_ORIGIN, PIN, PORTAL, agent_with, fake_card, package};

#[tokio::test]
async fn a_foreign_host_is_refused_everywhere() {
    let agent = agent_with(fake_card());
    for host in [
        Some("evil.example:61161"),
        Some("127.0.0.1:8080"),
        Some("localhost"),
        Some("127.0.0.1.nip.io:61161"),
        None,
    ] {
        for path in [
            "/",
            "/pkcs11info",
            "/popupForm",
            "/addDomain?domain=evil.example",
        ] {
            let mut request = Request::get(path).header(header::ORIGIN, PORTAL);
            if let Some(host) = host {
                request = request.header(header::HOST, host);
            }
            let answer = agent.send(request.body(Body::empty()).unwrap()).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{host:?} {path}");
        }
        let mut request = Request::post("/sign")
            .header(header::ORIGIN, PORTAL)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(host) = host {
            request = request.header(header::HOST, host);
        }
        let body = format!("tbsPackage={}", package("x", PIN));
        let answer = agent.send(request.body(Body::from(body)).unwrap()).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(agent.card.touches(), 0);
    // Both loopback names of the agent are its own.
    for host in ["127.0.0.1:61161", "localhost:61161", "LOCALHOST:61161"] {
        let request = Request::get("/").header(header::HOST, host);
        let answer = agent.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn sign_without_a_trusted_origin_never_touches_the_card() {
    let agent = agent_with(fake_card());
    for origin in [
        None,
        Some("https://evil.example"),
        Some("null"),
        Some("http://localhost:8081"),
        Some("https://localhost:8080"),
        Some("http://127.0.0.1:61162"),
    ] {
        let result: SignResult = agent.sign(origin, &package("hello", PIN)).await.json();
        assert_eq!(result.ret_code, ret::SITE_NOT_TRUSTED, "{origin:?}");
        assert!(result.signature.is_empty());
    }
    // Not a single PIN try was used, nor was the card read.
    assert_eq!(agent.card.login_attempts(), 0);
    assert_eq!(agent.card.touches(), 0);

    for origin in [PORTAL, OWN_ORIGIN, "http://localhost:61161"] {
        let result: SignResult = agent
            .sign(Some(origin), &package("hello", PIN))
            .await
            .json();
        assert_eq!(result.ret_code, ret::OK, "{origin}");
    }
    assert_eq!(agent.card.login_attempts(), 3);
}

#[tokio::test]
async fn pkcs11info_without_a_trusted_origin_reads_nothing() {
    let agent = agent_with(fake_card());
    for origin in [None, Some("https://evil.example")] {
        let answer = agent.get("/pkcs11info?withcert=true", origin).await;
        let info: Pkcs11Info = answer.json();
        assert_eq!(info.ret_code, ret::SITE_NOT_TRUSTED);
        assert!(info.slots.is_empty());
        assert!(!answer.body.contains("certb64"));
    }
    assert_eq!(agent.card.touches(), 0);

    let info: Pkcs11Info = agent
        .get("/pkcs11info?withcert=true", Some(PORTAL))
        .await
        .json();
    assert_eq!(info.ret_code, ret::OK);
    let token = info.slots[0].token.as_ref().unwrap();
    assert!(token.certs.iter().all(|c| c.certb64.is_some()));
    assert_eq!(token.certs.iter().filter(|c| c.is_signing()).count(), 1);
}

#[tokio::test]
async fn no_cors_headers_and_bounded_bodies() {
    let agent = agent_with(fake_card());
    let answers = [
        agent.get("/", Some(PORTAL)).await,
        agent.get("/pkcs11info", Some(PORTAL)).await,
        agent.get("/popupForm", Some(PORTAL)).await,
        agent.sign(Some(PORTAL), &package("hello", PIN)).await,
    ];
    for answer in &answers {
        assert!(
            !answer
                .headers
                .keys()
                .any(|k| k.as_str().starts_with("access-control-")),
            "{:?}",
            answer.headers
        );
        assert_eq!(answer.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    }

    let huge = package(&"a".repeat(100 * 1024), PIN);
    let answer = agent.sign(Some(PORTAL), &huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        agent.card.login_attempts(),
        1,
        "only the one good request signed"
    );
}
