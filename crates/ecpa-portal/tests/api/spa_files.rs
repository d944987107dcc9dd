//! The built SPA as the portal serves it: Brotli or gzip copies made from the build,
//! Trunk's hashed files cached for a year, `index.html` revalidated.

use std::io::Read;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, header};
use ecpa_portal::precompress::precompress_dir;
use http_body_util::BodyExt;
use std::net::SocketAddr;
use tower::ServiceExt;

use crate::support::*;

const WASM: &str = "ecpa-web-4c1f0e2d9a8b7c6d_bg.wasm";
const JS: &str = "ecpa-web-4c1f0e2d9a8b7c6d.js";
const INDEX: &str = "<!doctype html><title>ECPA</title><script src=\"/x.js\"></script>";

/// GETs `path` accepting `encodings`: status, headers, body bytes as sent.
async fn fetch(app: &TestApp, path: &str, encodings: &str) -> (u16, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).header(header::ACCEPT_ENCODING, encodings);
    if encodings.is_empty() {
        request = Request::get(path);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body.to_vec())
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A built SPA in the app's dist directory, compressed as the portal does at start.
fn build_dist(app: &TestApp) -> Vec<u8> {
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    // Compressible, and big enough that compression clearly pays.
    let wasm: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8 ^ b'a').collect();
    std::fs::write(dist.join(WASM), &wasm).unwrap();
    std::fs::write(dist.join(JS), "export function start() {}\n".repeat(500)).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    assert_eq!(
        precompress_dir(&dist).unwrap(),
        6,
        "br and gz of three files"
    );
    assert_eq!(precompress_dir(&dist).unwrap(), 0, "made once per build");
    wasm
}

#[tokio::test]
async fn hashed_files_come_compressed_and_cached_for_a_year() {
    let app = spawn_app().await;
    let wasm = build_dist(&app);
    let path = format!("/{WASM}");

    let (status, headers, body) = fetch(&app, &path, "gzip, deflate, br").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(
        header(&headers, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        header(&headers, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(header(&headers, header::VARY), Some("accept-encoding"));
    assert!(body.len() < wasm.len() / 4, "{} bytes", body.len());
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(body.as_slice(), 4096)
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, wasm);

    let (_, headers, body) = fetch(&app, &path, "gzip").await;
    assert_eq!(header(&headers, header::CONTENT_ENCODING), Some("gzip"));
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, wasm);

    let (_, headers, body) = fetch(&app, &path, "").await;
    assert_eq!(header(&headers, header::CONTENT_ENCODING), None);
    assert_eq!(body, wasm);

    let (_, headers, _) = fetch(&app, &format!("/{JS}"), "br").await;
    assert_eq!(header(&headers, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(
        header(&headers, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn the_page_itself_is_revalidated_every_time() {
    let app = spawn_app().await;
    build_dist(&app);
    for path in [
        "/",
        "/index.html",
        "/my-area",
        "/ecpa-web-0000000000000000.js",
    ] {
        let (status, headers, body) = fetch(&app, path, "").await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(body, INDEX.as_bytes(), "{path}");
        assert_eq!(
            header(&headers, header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}: a missing hashed file answered with the page is not cached"
        );
    }
    let (_, headers, _) = fetch(&app, "/", "br").await;
    assert_eq!(header(&headers, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(header(&headers, header::CACHE_CONTROL), Some("no-cache"));
}

#[tokio::test]
async fn api_answers_keep_their_own_cache_headers() {
    let app = spawn_app().await;
    build_dist(&app);
    let (_, headers, _) = fetch(&app, "/api/config", "br").await;
    assert_eq!(header(&headers, header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(header(&headers, header::CONTENT_ENCODING), None);
}
