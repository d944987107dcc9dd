//! `/favicon.ico` answers an icon, never the SPA's fallback page: the built SPA's own
//! file when it has one, else the portal's built-in icon.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use tower::ServiceExt;

use crate::support::*;

/// Status, content type and body of a GET.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let mut request = Request::get(path).body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, body.to_vec())
}

fn spa_icon() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/favicon.svg");
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn the_portal_answers_the_favicon_with_its_icon() {
    let app = spawn_app().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>ECPA</html>").unwrap();
    for path in ["/favicon.ico", "/favicon.svg"] {
        let (status, content_type, body) = fetch(&app, path).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "image/svg+xml"),
            "{path}"
        );
        assert_eq!(body, spa_icon(), "{path}");
        assert!(String::from_utf8(body).unwrap().starts_with("<svg"));
    }
}

#[tokio::test]
async fn the_built_spas_own_icon_comes_first() {
    let app = spawn_app().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let ico = [0u8, 0, 1, 0, 1, 0, 16, 16];
    std::fs::write(dist.join("favicon.ico"), ico).unwrap();
    std::fs::write(dist.join("favicon.svg"), "<svg id=\"built\"/>").unwrap();
    let (status, content_type, body) = fetch(&app, "/favicon.ico").await;
    assert_eq!((status, content_type.as_str()), (200, "image/x-icon"));
    assert_eq!(body, ico);
    let (status, content_type, body) = fetch(&app, "/favicon.svg").await;
    assert_eq!((status, content_type.as_str()), (200, "image/svg+xml"));
    assert_eq!(body, b"<svg id=\"built\"/>");
}
