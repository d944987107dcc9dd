//! First contentful paint of the login page in headless Chromium (a benchmark, not a
//! test): the real portal (its release build) serves the release SPA on loopback. Each
//! first visit is made in a fresh browser profile (nothing cached); then the same number
//! of visits in one browser, whose cache holds the hashed files (`immutable`). Reports
//! the median and p90 of `first-contentful-paint` from navigation (Performance API), and
//! the wasm's bytes on the wire.
//!
//! `cargo build --release -p ecpa-portal && cargo bench -p ecpa-e2e --bench first_paint`;
//! env `ECPA_E2E_DIST_DIR` (a `trunk build --release --offline` dist, default `dist/`),
//! `ECPA_BENCH_LOADS` (20 of each kind).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ecpa_e2e::{Browser, ChildProcess, dist_dir, free_port, program_path, wait_for_port};
use serde_json::Value;

/// What the page's Performance API says about one visit.
const TIMINGS: &str = "
const fcp = performance.getEntriesByName('first-contentful-paint')[0];
if (!fcp) { return null; }
const nav = performance.getEntriesByType('navigation')[0];
const wasm = performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm'));
return {
  fcp: fcp.startTime,
  html: nav.responseEnd,
  wasm_end: wasm ? wasm.responseEnd : -1,
  wasm_transfer: wasm ? wasm.transferSize : -1,
  wasm_encoded: wasm ? wasm.encodedBodySize : -1,
  wasm_decoded: wasm ? wasm.decodedBodySize : -1,
};";

#[derive(Debug, Default)]
struct Visits {
    fcp: Vec<f64>,
    html: Vec<f64>,
    wasm_end: Vec<f64>,
    wasm_bytes: Option<(f64, f64, f64)>,
}

impl Visits {
    fn add(&mut self, t: &Value) {
        let number = |key: &str| t[key].as_f64().unwrap_or(-1.0);
        self.fcp.push(number("fcp"));
        self.html.push(number("html"));
        self.wasm_end.push(number("wasm_end"));
        self.wasm_bytes.get_or_insert((
            number("wasm_transfer"),
            number("wasm_encoded"),
            number("wasm_decoded"),
        ));
    }

    fn print(&self, what: &str) {
        println!(
            "  {what} ({} visits): first contentful paint median {:.0} ms, p90 {:.0} ms \
             (index.html answered at median {:.0} ms, the wasm downloaded at median {:.0} ms)",
            self.fcp.len(),
            percentile(&self.fcp, 0.5),
            percentile(&self.fcp, 0.9),
            percentile(&self.html, 0.5),
            percentile(&self.wasm_end, 0.5),
        );
        if let Some((transfer, encoded, decoded)) = self.wasm_bytes {
            println!(
                "    the wasm at the first of these visits: {transfer:.0} bytes transferred \
                 (0: from the cache), its body {encoded:.0} bytes compressed, {decoded:.0} decoded"
            );
        }
    }
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Visits `url` and waits for the page's first contentful paint.
async fn visit(browser: &Browser, url: &str) -> Value {
    browser.goto(url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let timings = browser.client().execute(TIMINGS, Vec::new()).await.unwrap();
        if !timings.is_null() {
            return timings;
        }
        assert!(Instant::now() < deadline, "no first contentful paint");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the portal has written a Brotli copy, at least as new as its file, of
/// every wasm, js and css file (it makes them in the background at start).
fn wait_for_precompressed(dist: &Path) {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let missing = std::fs::read_dir(dist)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "wasm" || e == "js" || e == "css")
            })
            .any(|p| {
                let mut copy = p.clone().into_os_string();
                copy.push(".br");
                modified(Path::new(&copy)) < modified(&p)
            });
        if !missing {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the portal made no Brotli copies"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::main]
async fn main() {
    let loads: usize = std::env::var("ECPA_BENCH_LOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(1);
    let dir = tempfile::tempdir().unwrap();
    let dist = dist_dir().unwrap();
    let port = free_port().unwrap();
    let origin = format!("http://localhost:{port}");
    let mut command = Command::new(program_path("ecpa-portal").unwrap());
    command
        .arg("serve")
        .env("ECPA_LISTEN", format!("127.0.0.1:{port}"))
        .env("ECPA_PUBLIC_ORIGIN", &origin)
        .env(
            "ECPA_DATABASE_URL",
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("portal.db").display()
            ),
        )
        .env("ECPA_DIST_DIR", &dist)
        .env("RUST_LOG", "warn");
    let _portal =
        ChildProcess::spawn("ecpa-portal", command, &dir.path().join("portal.log")).unwrap();
    wait_for_port(port, Duration::from_secs(20)).unwrap();
    wait_for_precompressed(&dist);
    let url = format!("{origin}/");

    println!("login page in headless Chromium, served by the portal's release build on loopback");
    let mut fresh = Visits::default();
    for n in 0..loads {
        let profile = dir.path().join(format!("fresh-{n}"));
        std::fs::create_dir_all(&profile).unwrap();
        let browser = Browser::start(&profile).await.unwrap();
        fresh.add(&visit(&browser, &url).await);
        browser.close().await.unwrap();
    }
    fresh.print("first visit, fresh profile");

    let profile = dir.path().join("cached");
    std::fs::create_dir_all(&profile).unwrap();
    let browser = Browser::start(&profile).await.unwrap();
    visit(&browser, &url).await;
    let mut cached = Visits::default();
    for _ in 0..loads {
        browser.goto("about:blank").await.unwrap();
        cached.add(&visit(&browser, &url).await);
    }
    browser.close().await.unwrap();
    cached.print("later visit, same browser");
}
