//! The built SPA: precompressed files (Brotli, gzip) where the browser accepts them,
//! Trunk's content-hashed files cached for a year, everything else revalidated.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// A file whose name carries its content hash never changes.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// `index.html` and unhashed files: revalidated on every use.
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");
/// Hex digits of the hash Trunk puts in a file name (`name-<hash>.js`,
/// `name-<hash>_bg.wasm`): a 64-bit hash written without leading zeros, so 16 digits
/// but fewer one time in 16. Fewer than 12 (one build in 65,536) is taken for a word.
const HASH_DIGITS: std::ops::RangeInclusive<usize> = 12..=16;

/// Whether the last segment of `path` is a Trunk content-hashed file name: a stem
/// ending in `-` and 12 to 16 hex digits (optionally followed by `_suffix`), then an
/// extension.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = name.split_once('.') else {
        return false;
    };
    let Some((_, after_dash)) = stem.rsplit_once('-') else {
        return false;
    };
    let digits = after_dash.bytes().take_while(u8::is_ascii_hexdigit).count();
    let rest = &after_dash[digits..];
    HASH_DIGITS.contains(&digits) && (rest.is_empty() || rest.starts_with('_'))
}

/// Sets `Cache-Control` (and `Vary`, since the body depends on `Accept-Encoding`).
/// A hashed name answered with `index.html` (the file is missing) is not cached.
async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let cache = if hashed && !html { IMMUTABLE } else { NO_CACHE };
    headers.insert(header::CACHE_CONTROL, cache);
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Serves `dist` (unknown paths get `index.html`, so client routes survive a reload).
pub fn service(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn trunk_hashed_names() {
        assert!(is_hashed("/ecpa-web-4c1f0e2d9a8b7c6d_bg.wasm"));
        assert!(is_hashed("/ecpa-web-4c1f0e2d9a8b7c6d.js"));
        assert!(is_hashed("/main-0123456789abcdef.css"));
        // A hash below 2^60 is written with 15 digits.
        assert!(is_hashed("/ecpa-web-27bac571be72482.js"));
        assert!(is_hashed("/ecpa-web-27bac571be72482_bg.wasm"));
        assert!(!is_hashed("/ecpa-web-27bac571b.js"));
        assert!(!is_hashed("/"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/ecpa-web.js"));
        // The certificate reader's worker: named in the page's code, so never hashed.
        assert!(!is_hashed("/ecpa-cert-reader_loader.js"));
        assert!(!is_hashed("/ecpa-cert-reader.js"));
        assert!(!is_hashed("/ecpa-cert-reader_bg.wasm"));
        // The SPA's full module: named in the login page's code, so never hashed.
        assert!(!is_hashed("/ecpa-web-full.js"));
        assert!(!is_hashed("/ecpa-web-full_bg.wasm"));
        // A wasm-bindgen snippet: a hash in its folder, not its name.
        assert!(!is_hashed("/snippets/ecpa-web-2bfa2cdbae7fc77a/inline0.js"));
        assert!(!is_hashed("/login"));
        assert!(!is_hashed("/main-0123456789abcdeg.css"));
        assert!(!is_hashed("/main-0123456789abcdef0.css"));
    }
}
