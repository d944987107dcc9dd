//! Headers on every answer, the SPA's and the API's: no framing, no sniffing, no
//! referrer to other sites.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, header};
use std::net::SocketAddr;
use tower::ServiceExt;

use crate::support::*;

async fn headers_of(app: &TestApp, path: &str) -> (u16, HeaderMap) {
    let mut request = Request::get(path)
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let response = app.router.clone().oneshot(request).await.unwrap();
    (response.status().as_u16(), response.headers().clone())
}

fn assert_security_headers(path: &str, headers: &HeaderMap) {
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("content-security-policy", "frame-ancestors 'none'"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ] {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name} on {path}: {headers:?}"
        );
    }
}

#[tokio::test]
async fn the_page_and_the_api_cannot_be_framed() {
    let app = spawn_app().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>ECPA</title>",
    )
    .unwrap();
    for (path, status) in [
        ("/", 200),
        ("/register/citizen", 200),
        ("/api/config", 200),
        ("/api/me", 401),
        ("/api/no-such-route", 404),
    ] {
        let (got, headers) = headers_of(&app, path).await;
        assert_eq!(got, status, "{path}");
        assert_security_headers(path, &headers);
    }
}
