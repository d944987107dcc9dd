//! The Content-Security-Policy: scripts only from the portal, WebAssembly compiled, and
//! the built page's inline loader (Trunk's) allowed by its hash, never `'unsafe-inline'`.

use std::path::Path;

use axum::http::HeaderValue;
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};

/// The `'sha256-…'` source of every inline `<script>` (one without `src`) in a page.
fn inline_script_hashes(page: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        }
        rest = &body[close..];
    }
    hashes
}

/// The policy for a page (`None` when there is no built page).
pub fn policy(page: Option<&str>) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in page.map(inline_script_hashes).unwrap_or_default() {
        script_src.push(' ');
        script_src.push_str(&hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy for the SPA in `dist`, read once at start.
pub fn for_dist(dist: &Path) -> HeaderValue {
    let page = std::fs::read_to_string(dist.join("index.html")).ok();
    HeaderValue::from_str(&policy(page.as_deref()))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_loaders_are_allowed_by_hash_and_nothing_else_inline() {
        let page = "<html><script src=\"/a.js\"></script><script type=\"module\">\
                    import init from '/app.js';await init();</script></html>";
        let expected = STANDARD.encode(Sha256::digest(
            b"import init from '/app.js';await init();".as_slice(),
        ));
        let csp = policy(Some(page));
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';"
            )),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            inline_script_hashes("<script src=\"/x.js\"></script>"),
            Vec::<String>::new()
        );
        assert!(policy(None).contains("script-src 'self' 'wasm-unsafe-eval';"));
    }
}
