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
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ] {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name} on {path}: {headers:?}"
        );
    }
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
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

/// Trunk's loader, as a release build writes it into the page.
const PAGE: &str = "<!doctype html><html><head>\
    <link rel=\"modulepreload\" href=\"/ecpa-web-1.js\">\
    <script type=\"module\">import init, * as bindings from '/ecpa-web-1.js';\
const wasm = await init({ module_or_path: '/ecpa-web-1_bg.wasm' });\
window.wasmBindings = bindings;</script></head><body></body></html>";

#[tokio::test]
async fn scripts_run_only_from_the_portal_and_the_pages_own_loader() {
    let app = spawn_app_with(Options {
        index_html: Some(PAGE),
        ..Options::default()
    })
    .await;
    // The page's script text exactly (the line continuations above leave no newline).
    let loader = "import init, * as bindings from '/ecpa-web-1.js';\
                  const wasm = await init({ module_or_path: '/ecpa-web-1_bg.wasm' });\
                  window.wasmBindings = bindings;";
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader))
    };
    for path in ["/", "/register/citizen", "/api/config"] {
        let (_, headers) = headers_of(&app, path).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert_eq!(
            csp,
            format!(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"));
    }
}
