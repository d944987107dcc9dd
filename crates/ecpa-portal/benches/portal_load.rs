//! Load benchmark (not a test): imports 400,000 personnel rows into a temporary SQLite
//! database, starts the portal on loopback, and runs complete certificate logins
//! (challenge + signed login over HTTP). Reports logins/s with p50/p99 latency next to
//! this machine's RSA-2048 verify rate measured in the same run.
//!
//! `cargo bench -p ecpa-portal --bench portal_load`; env `ECPA_BENCH_LOGINS` (default
//! 2000), `ECPA_BENCH_CLIENTS` (default 8), `ECPA_BENCH_ROWS` (default 400000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::{DemoPki, LeafSubject, RootAlgorithm, SoftwareCard};
use ecpa_portal::db::Db;
use ecpa_portal::import::{ImportKind, import_text};
use ecpa_portal::pki::{ParsedCert, TrustStore, verify_card_signature};
use ecpa_portal::{AppState, Entropy, Settings, SystemClock, TrustedProxies, router};
use rand::{SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use time::OffsetDateTime;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A national ID with a valid check digit: `A1` + seven digits of `n` + check.
fn national_id(n: usize) -> String {
    let body = format!("1{:07}", n % 10_000_000);
    let mut sum = 1;
    for (i, d) in body.bytes().enumerate() {
        sum += u32::from(d - b'0') * (8 - i as u32);
    }
    format!("A{body}{}", (10 - sum % 10) % 10)
}

fn personnel_csv(rows: usize) -> String {
    let mut text = ImportKind::Personnel.header().join(",");
    text.reserve(rows * 70);
    for n in 0..rows {
        let unit = if n % 50 == 0 {
            "人事室"
        } else {
            "資訊室"
        };
        text.push_str(&format!(
            "\n{},員工{n},3230000,{unit},01,,current,2025-01-01",
            national_id(n)
        ));
    }
    text
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn post(client: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let response = client
        .post(format!("{base}{path}"))
        .header("Origin", base)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn signed(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    purpose: &str,
    card: &SoftwareCard,
    extra: Value,
) -> Value {
    let challenge = post(client, base, "/api/challenges", json!({"purpose": purpose})).await;
    let tbs = challenge["tbs"].as_str().unwrap();
    let mut body = json!({
        "nonce": challenge["nonce"],
        "certificate": STANDARD.encode(&card.signing_cert_der),
        "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    post(client, base, path, body).await
}

fn rsa_verify_rate(card: &SoftwareCard) -> f64 {
    let cert = ParsedCert::parse(&card.signing_cert_der).unwrap();
    let message = b"ECPA certificate challenge v1\npurpose=login";
    let signature = card.sign(message);
    let rounds = 2000;
    let start = Instant::now();
    for _ in 0..rounds {
        assert!(verify_card_signature(cert.spki(), message, &signature));
    }
    f64::from(rounds) / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let rows = env_number("ECPA_BENCH_ROWS", 400_000);
    let logins = env_number("ECPA_BENCH_LOGINS", 2000);
    let clients = env_number("ECPA_BENCH_CLIENTS", 8).max(1);
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    ))
    .await
    .unwrap();
    let entropy = Entropy::seeded(42);
    import_text(
        &db,
        ImportKind::Agencies,
        "code,name,oid\n3230000,行政院人事行政總處,\n",
        &entropy,
    )
    .await
    .unwrap();
    let csv = personnel_csv(rows);
    let start = Instant::now();
    import_text(&db, ImportKind::Personnel, &csv, &entropy)
        .await
        .unwrap();
    let import_time = start.elapsed();
    let employee = national_id(1);
    import_text(
        &db,
        ImportKind::Accounts,
        &format!("account,national_id,password\nbench,{employee},bench-password\n"),
        &entropy,
    )
    .await
    .unwrap();

    let now = OffsetDateTime::now_utc();
    let mut rng = StdRng::seed_from_u64(42);
    let pki = DemoPki::generate(RootAlgorithm::Rsa2048, "BENCH", now, &mut rng).unwrap();
    let card = SoftwareCard::issue(
        &pki.moica,
        LeafSubject::Citizen {
            name: "員工1".into(),
            card_serial: "1234567890123456".into(),
            id_last4: Some(employee[6..].to_owned()),
        },
        now - time::Duration::days(1),
        now + time::Duration::days(30),
        &mut rng,
    )
    .unwrap();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(&anchors, pki.trust_anchors_pem()).unwrap();
    let trust = TrustStore::load(&[anchors], &[] as &[std::path::PathBuf]).unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let settings = Settings {
        public_origin: base.clone(),
        agent_origin: "http://127.0.0.1:61161".into(),
        dist_dir: dir.path().join("dist"),
        // Every simulated user comes from 127.0.0.1: no per-address budget here.
        challenges_per_minute: u32::MAX,
        trusted_proxies: TrustedProxies::default(),
        audit_retention_days: 365,
    };
    let state = AppState::new(
        settings,
        db.clone(),
        trust,
        Arc::new(SystemClock::default()),
        Arc::new(Entropy::os()),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });

    let registrar = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    post(
        &registrar,
        &base,
        "/api/session/password",
        json!({"account": "bench", "password": "bench-password"}),
    )
    .await;
    signed(
        &registrar,
        &base,
        "/api/registrations",
        "register",
        &card,
        json!({"kind": "citizen"}),
    )
    .await;

    let card = Arc::new(card);
    let per_client = logins.div_ceil(clients);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (card, base) = (card.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let client = reqwest::Client::builder()
                    .cookie_store(true)
                    .build()
                    .unwrap();
                let t = Instant::now();
                let principal = signed(
                    &client,
                    &base,
                    "/api/session/certificate",
                    "login",
                    &card,
                    json!({}),
                )
                .await;
                latencies.push(t.elapsed());
                assert_eq!(principal["login_method"], "certificate");
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let verify_rate = rsa_verify_rate(&card);
    let _ = stop.send(());
    server.await.unwrap();
    db.close().await;

    println!("ecpa-portal load benchmark (SQLite, loopback HTTP, {clients} concurrent clients)");
    println!(
        "  personnel import: {rows} rows in {:.2} s ({:.0} rows/s)",
        import_time.as_secs_f64(),
        rows as f64 / import_time.as_secs_f64()
    );
    println!(
        "  certificate logins (challenge + login): {} in {:.2} s = {:.0} logins/s; p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!("  RSA-2048 PKCS#1 v1.5 SHA-256 verify (one core): {verify_rate:.0} /s");
}
