//! First contentful paint of the login page in headless Chromium (a benchmark, not a
//! test): the real portal (its release build) serves the release SPA on loopback. Each
//! first visit is made in a fresh browser profile (nothing cached); then the same number
//! of visits in one browser, whose cache holds the hashed files (`immutable`). Reports
//! the median and p90 of `first-contentful-paint` from navigation (Performance API), and
//! the wasm's bytes on the wire. Then the step after it: a password login, timed in the
//! page from the click on 登入 until 我的專區 is on the page (with the split SPA, the
//! full module's download and start are in that time), again fresh and cached.
//!
//! `cargo build --release -p ecpa-portal && cargo bench -p ecpa-e2e --bench first_paint`;
//! env `ECPA_E2E_DIST_DIR` (a `trunk build --release --offline` dist, default `dist/`),
//! `ECPA_BENCH_LOADS` (20 of each kind), `ECPA_BENCH_LINK=LATENCY_MS,KBIT_PER_S` (a
//! slower link emulated in every browser, e.g. `40,10000`; default none: loopback),
//! `ECPA_BENCH_TYPING_MS` (the time between typing the account and pressing 登入, as
//! a person takes to type the password; default 0: WebDriver's own speed).
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

/// Clicks 登入 and notes, in the page, when `#my-area` appears.
const LOGIN: &str = "
window.__ecpaMyArea = null;
const clicked = performance.now();
new MutationObserver((_, observer) => {
  if (document.getElementById('my-area')) {
    window.__ecpaMyArea = performance.now() - clicked;
    observer.disconnect();
  }
}).observe(document.body, { childList: true, subtree: true });
document.getElementById('login-submit').click();
return clicked;";

/// The login's time and, when the full module was fetched, its wasm's download.
const LOGGED_IN: &str = "
if (window.__ecpaMyArea === null) { return null; }
const full = performance.getEntriesByType('resource').find(e => e.name.endsWith('ecpa-web-full_bg.wasm'));
return { my_area: window.__ecpaMyArea, full_wasm: full ? full.responseEnd - full.startTime : -1 };";

/// The account the login step uses (imported before the portal starts).
const ACCOUNT: &str = "bench";
const PASSWORD: &str = "Bench-pass-2026";

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

/// Logs in with the password on the login page shown and waits for 我的專區.
async fn log_in(browser: &Browser) -> Value {
    let typing_ms = std::env::var("ECPA_BENCH_TYPING_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    browser.fill("account", ACCOUNT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(typing_ms)).await;
    browser.fill("password", PASSWORD).await.unwrap();
    browser.client().execute(LOGIN, Vec::new()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let timings = browser
            .client()
            .execute(LOGGED_IN, Vec::new())
            .await
            .unwrap();
        if !timings.is_null() {
            return timings;
        }
        assert!(Instant::now() < deadline, "我的專區 did not appear");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[derive(Debug, Default)]
struct Logins {
    my_area: Vec<f64>,
    full_wasm: Vec<f64>,
}

impl Logins {
    fn add(&mut self, t: &Value) {
        self.my_area.push(t["my_area"].as_f64().unwrap_or(-1.0));
        let full = t["full_wasm"].as_f64().unwrap_or(-1.0);
        if full >= 0.0 {
            self.full_wasm.push(full);
        }
    }

    fn print(&self, what: &str) {
        print!(
            "  {what} ({} logins): click to 我的專區 median {:.0} ms, p90 {:.0} ms",
            self.my_area.len(),
            percentile(&self.my_area, 0.5),
            percentile(&self.my_area, 0.9),
        );
        if self.full_wasm.is_empty() {
            println!();
        } else {
            println!(
                " (the full module's wasm fetched in median {:.0} ms)",
                percentile(&self.full_wasm, 0.5)
            );
        }
    }
}

/// Imports one agency, one current employee and the employee's account.
fn import_account(database_url: &str, dir: &Path) {
    let files = [
        ("agencies", "code,name,oid\n3230000,行政院人事行政總處,2.16.886.101.20003.20012\n".to_owned()),
        (
            "personnel",
            "national_id,name,agency_code,service_unit,personnel_category,concurrent_duty,status,filed_on\n\
             A123456789,王大明,3230000,資訊室,01,,current,2020-01-02\n"
                .to_owned(),
        ),
        ("accounts", format!("account,national_id,password\n{ACCOUNT},A123456789,{PASSWORD}\n")),
    ];
    for (kind, csv) in files {
        let file = dir.join(format!("{kind}.csv"));
        std::fs::write(&file, csv).unwrap();
        let status = Command::new(program_path("ecpa-portal").unwrap())
            .args(["import", kind])
            .arg(&file)
            .env("ECPA_DATABASE_URL", database_url)
            .status()
            .unwrap();
        assert!(status.success(), "ecpa-portal import {kind}");
    }
}

/// The link `ECPA_BENCH_LINK` asks for: latency in ms and bytes per second.
fn emulated_link() -> Option<(u32, u32)> {
    let link = std::env::var("ECPA_BENCH_LINK").ok()?;
    let (latency, kbit) = link.split_once(',')?;
    let bytes_per_second = kbit.trim().parse::<u32>().ok()?.checked_mul(1000 / 8)?;
    Some((latency.trim().parse().ok()?, bytes_per_second))
}

/// A browser with its own profile in `profile`, on the emulated link if one is asked.
async fn start_browser(profile: &Path) -> Browser {
    std::fs::create_dir_all(profile).unwrap();
    let browser = Browser::start(profile).await.unwrap();
    if let Some((latency, bytes_per_second)) = emulated_link() {
        browser
            .emulate_link(latency, bytes_per_second)
            .await
            .unwrap();
    }
    browser
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
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("portal.db").display()
    );
    import_account(&database_url, dir.path());
    let mut command = Command::new(program_path("ecpa-portal").unwrap());
    command
        .arg("serve")
        .env("ECPA_LISTEN", format!("127.0.0.1:{port}"))
        .env("ECPA_PUBLIC_ORIGIN", &origin)
        .env("ECPA_DATABASE_URL", &database_url)
        .env("ECPA_DIST_DIR", &dist)
        .env("RUST_LOG", "warn");
    let _portal =
        ChildProcess::spawn("ecpa-portal", command, &dir.path().join("portal.log")).unwrap();
    wait_for_port(port, Duration::from_secs(20)).unwrap();
    wait_for_precompressed(&dist);
    let url = format!("{origin}/");

    match emulated_link() {
        Some((latency, bytes_per_second)) => println!(
            "login page in headless Chromium, served by the portal's release build on \
             loopback, the link emulated: {latency} ms latency, {} kbit/s",
            bytes_per_second / 125
        ),
        None => println!(
            "login page in headless Chromium, served by the portal's release build on loopback"
        ),
    }
    let mut fresh = Visits::default();
    for n in 0..loads {
        let browser = start_browser(&dir.path().join(format!("fresh-{n}"))).await;
        fresh.add(&visit(&browser, &url).await);
        browser.close().await.unwrap();
    }
    fresh.print("first visit, fresh profile");

    let browser = start_browser(&dir.path().join("cached")).await;
    visit(&browser, &url).await;
    let mut cached = Visits::default();
    for _ in 0..loads {
        browser.goto("about:blank").await.unwrap();
        cached.add(&visit(&browser, &url).await);
    }
    browser.close().await.unwrap();
    cached.print("later visit, same browser");

    println!("password login to 我的專區 (the login page painted first)");
    let mut fresh = Logins::default();
    for n in 0..loads {
        let browser = start_browser(&dir.path().join(format!("login-{n}"))).await;
        visit(&browser, &url).await;
        fresh.add(&log_in(&browser).await);
        browser.close().await.unwrap();
    }
    fresh.print("fresh profile");

    let browser = start_browser(&dir.path().join("login-cached")).await;
    visit(&browser, &url).await;
    log_in(&browser).await;
    let mut cached = Logins::default();
    for _ in 0..loads {
        // Logged out: the session cookie goes (from the portal's page, whose cookie it is).
        browser.client().delete_all_cookies().await.unwrap();
        browser.goto("about:blank").await.unwrap();
        visit(&browser, &url).await;
        cached.add(&log_in(&browser).await);
    }
    browser.close().await.unwrap();
    cached.print("same browser, logged out between");
}
