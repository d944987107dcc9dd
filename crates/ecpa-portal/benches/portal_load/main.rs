//! Load benchmark (not a test) of the portal process, on SQLite and (when
//! `ECPA_BENCH_POSTGRES_URL` names a server) PostgreSQL:
//!
//! * the import of 400,000 personnel rows (one transaction);
//! * the portal's own CPU time (from `/proc/PID/stat`) per challenge and per
//!   certificate login, in units of one RSA-2048 verify measured in the same run by
//!   `openssl speed`; challenges are fetched and signed before the timed phases, so the
//!   client's signing is not counted;
//! * the same for a request that asks for nothing (`GET /api/config`), the least any
//!   request costs;
//! * the portal's context switches, and its read and write system calls with the bytes
//!   written (`/proc/PID/io`), per challenge and per login;
//! * logins/s from several connections as fast as answered;
//! * p50/p99 latency at a steady offered rate of half the capacity the CPU figures give.
//!
//! `cargo bench -p ecpa-portal --bench portal_load`; env `ECPA_BENCH_ROWS` (400000),
//! `ECPA_BENCH_LOGINS` (2000), `ECPA_BENCH_CLIENTS` (8 connections),
//! `ECPA_BENCH_STEADY_SECONDS` (5), `ECPA_BENCH_STEADY_RATES` (more offered rates to
//! measure latency at, complete logins/s, comma-separated; none by default),
//! `ECPA_BENCH_STEADY_CONNECTIONS` (the steady phases' connections, 64),
//! `ECPA_BENCH_POSTGRES_URL` (an admin URL; a database
//! is created and dropped), `ECPA_BENCH_PERF` (a file name: `perf record` of the portal
//! during the challenge and login phases, one file per backend), `ECPA_BENCH_LATENCIES`
//! (a file name: each steady login's due time and latency, one CSV per backend and
//! rate).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod load;
#[path = "../../tests/api/portal_process.rs"]
mod portal_process;
mod process;
mod raw_http;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecpa_devcard::{DemoPki, LeafSubject, RootAlgorithm, SoftwareCard};
use ecpa_portal::db::Db;
use ecpa_portal::import::{ImportKind, import_text};
use ecpa_portal::{Entropy, pki::ParsedCert, pki::verify_card_signature};
use rand::{SeedableRng, rngs::StdRng};
use sqlx::{AnyConnection, Connection};
use time::OffsetDateTime;

use load::percentile;
use portal_process::{Portal, register_card};
use process::Measured;

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

const PASSWORD: &str = "bench-password";

/// Imports the agency, `rows` personnel rows (timed) and one account per card holder.
async fn fill(url: &str, rows: usize, users: usize) -> Duration {
    let db = Db::connect(url).await.unwrap();
    let entropy = Entropy::seeded(42);
    let agencies = "code,name,oid\n3230000,行政院人事行政總處,\n";
    import_text(&db, ImportKind::Agencies, agencies, &entropy)
        .await
        .unwrap();
    let csv = personnel_csv(rows.max(users + 1));
    let start = Instant::now();
    import_text(&db, ImportKind::Personnel, &csv, &entropy)
        .await
        .unwrap();
    let import_time = start.elapsed();
    let mut accounts = String::from("account,national_id,password");
    for n in 1..=users {
        accounts.push_str(&format!("\nuser{n},{},{PASSWORD}", national_id(n)));
    }
    import_text(&db, ImportKind::Accounts, &accounts, &entropy)
        .await
        .unwrap();
    db.close().await;
    import_time
}

struct Report {
    backend: &'static str,
    import: Duration,
    rows: usize,
    challenge_cpu: Duration,
    login_cpu: Duration,
    /// The portal's CPU per request that asks for nothing (`GET /api/config`).
    floor_cpu: Duration,
    /// The portal's context switches per challenge and per login.
    challenge_switches: f64,
    login_switches: f64,
    /// The portal's read/write system calls during the challenges and the logins.
    challenge_io: process::IoCounts,
    login_io: process::IoCounts,
    /// This load generator's own CPU time per complete login (same cores).
    client_cpu: Duration,
    logins: usize,
    logins_per_second: f64,
    rate: f64,
    steady: load::Steady,
    /// Latencies at the rates `ECPA_BENCH_STEADY_RATES` asked for.
    steady_at: Vec<(f64, load::Steady)>,
}

struct Setup {
    rows: usize,
    logins: usize,
    connections: usize,
    steady_connections: usize,
    steady_seconds: f64,
    steady_rates: Vec<f64>,
    cards: Arc<Vec<SoftwareCard>>,
    anchors: std::path::PathBuf,
    crls: std::path::PathBuf,
    dist: std::path::PathBuf,
}

async fn run(backend: &'static str, url: &str, setup: &Setup) -> Report {
    let import = fill(url, setup.rows, setup.cards.len()).await;
    let portal = Portal::start(url, &setup.anchors, &setup.crls, &setup.dist);
    for (i, card) in setup.cards.iter().enumerate() {
        let account = format!("user{}", i + 1);
        let status = register_card(&portal.base, &account, PASSWORD, card).await;
        assert_eq!(status.unwrap(), 201);
    }
    let (base, connections) = (portal.base.clone(), setup.connections);

    let profile = std::env::var("ECPA_BENCH_PERF")
        .ok()
        .map(|file| portal.profile(&format!("{file}.{backend}")));
    let client_before = process::cpu_of(std::process::id());
    let before = portal.cpu();
    let switches = portal.switches();
    let io = portal.io();
    let fetched = load::challenges(&base, setup.logins, connections).await;
    let challenge_cpu = (portal.cpu() - before) / setup.logins as u32;
    let challenge_switches = (portal.switches() - switches) as f64 / setup.logins as f64;
    let challenge_io = portal.io() - io;
    let client_challenges = process::cpu_of(std::process::id()) - client_before;
    let prepared = load::sign(&base, setup.cards.clone(), fetched).await;
    let client_before = process::cpu_of(std::process::id());

    let before = portal.cpu();
    let switches = portal.switches();
    let io = portal.io();
    let start = Instant::now();
    load::logins_closed_loop(&base, prepared, connections).await;
    let elapsed = start.elapsed();
    let login_cpu = (portal.cpu() - before) / setup.logins as u32;
    let login_switches = (portal.switches() - switches) as f64 / setup.logins as f64;
    let login_io = portal.io() - io;
    let client_cpu = (client_challenges + process::cpu_of(std::process::id()) - client_before)
        / setup.logins as u32;
    if let Some(profile) = profile {
        profile.finish();
    }
    let before = portal.cpu();
    load::config_reads(&base, setup.logins, connections).await;
    let floor_cpu = (portal.cpu() - before) / setup.logins as u32;

    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
    let rate = cores / (challenge_cpu + login_cpu).as_secs_f64().max(1e-6) / 2.0;
    let steady = steady_at(&portal, setup, rate, backend).await;
    let mut steady_rates = Vec::new();
    for &rate in &setup.steady_rates {
        steady_rates.push((rate, steady_at(&portal, setup, rate, backend).await));
    }
    portal.stop();
    Report {
        backend,
        import,
        rows: setup.rows,
        challenge_cpu,
        login_cpu,
        floor_cpu,
        challenge_switches,
        login_switches,
        challenge_io,
        login_io,
        client_cpu,
        logins: setup.logins,
        logins_per_second: setup.logins as f64 / elapsed.as_secs_f64(),
        rate,
        steady,
        steady_at: steady_rates,
    }
}

/// Latencies at `rate` complete logins/s for `ECPA_BENCH_STEADY_SECONDS`, its
/// challenges fetched and signed first, and how busy the cores were meanwhile. With
/// `ECPA_BENCH_LATENCIES=FILE`, each login's tick and latency go to
/// `FILE.BACKEND.RATE.csv` (to see whether slow logins come together, and when).
async fn steady_at(portal: &Portal, setup: &Setup, rate: f64, backend: &str) -> load::Steady {
    let base = &portal.base;
    let count = ((rate * setup.steady_seconds) as usize).max(50);
    let fetched = load::challenges(base, count, setup.connections).await;
    let prepared = load::sign(base, setup.cards.clone(), fetched).await;
    let (portal_before, client_before) = (portal.cpu(), process::cpu_of(std::process::id()));
    let machine_before = process::machine_ticks();
    let threads_before = process::threads_of(portal.child.id());
    let start = Instant::now();
    let mut steady = load::steady(base, prepared, rate, setup.steady_connections).await;
    let elapsed = start.elapsed().as_secs_f64();
    let machine_after = process::machine_ticks();
    steady.busy = load::Busy {
        portal: (portal.cpu() - portal_before).as_secs_f64() / elapsed,
        client: (process::cpu_of(std::process::id()) - client_before).as_secs_f64() / elapsed,
        machine: machine_after.busy_share_since(&machine_before),
        steal: machine_after.steal_share_since(&machine_before),
        busiest_threads: process::busiest_threads(
            &threads_before,
            &process::threads_of(portal.child.id()),
            elapsed,
            3,
        ),
    };
    if let Ok(file) = std::env::var("ECPA_BENCH_LATENCIES") {
        write_latencies(
            &format!("{file}.{backend}.{rate:.0}.csv"),
            rate,
            &steady.by_tick,
        );
    }
    steady
}

fn write_latencies(path: &str, rate: f64, by_tick: &[(usize, Duration)]) {
    let mut csv = String::from("due_ms,latency_ms\n");
    for &(tick, latency) in by_tick {
        let due = tick as f64 * 1000.0 / rate;
        csv.push_str(&format!("{due:.3},{:.3}\n", latency.as_secs_f64() * 1000.0));
    }
    std::fs::write(path, csv).unwrap();
}

/// A PostgreSQL database made for the run, from an admin URL; dropped by [`drop_pg`].
async fn create_pg(admin_url: &str) -> (String, String) {
    let name = format!("ecpa_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
    let mut conn = AnyConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let url = format!("{}{name}", &base[..=base.rfind('/').unwrap()]);
    let url = if query.is_empty() {
        url
    } else {
        format!("{url}?{query}")
    };
    (url, name)
}

async fn drop_pg(admin_url: &str, name: &str) {
    let mut conn = AnyConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print(report: &Report, verify: Duration, connections: usize) {
    let verifies = |d: Duration| d.as_secs_f64() / verify.as_secs_f64();
    let complete = report.challenge_cpu + report.login_cpu;
    println!("{}:", report.backend);
    println!(
        "  personnel import: {} rows in {:.2} s ({:.0} rows/s)",
        report.rows,
        report.import.as_secs_f64(),
        report.rows as f64 / report.import.as_secs_f64()
    );
    println!(
        "  portal CPU per challenge {:.0} µs ({:.1} verifies), per login {:.0} µs ({:.1} verifies), complete login {:.0} µs = {:.1} RSA-2048 verifies",
        report.challenge_cpu.as_secs_f64() * 1e6,
        verifies(report.challenge_cpu),
        report.login_cpu.as_secs_f64() * 1e6,
        verifies(report.login_cpu),
        complete.as_secs_f64() * 1e6,
        verifies(complete)
    );
    println!(
        "  portal CPU per request that asks for nothing (GET /api/config: no session, no database) {:.0} µs ({:.1} verifies): a complete login's two requests cost at least {:.1} verifies before any work",
        report.floor_cpu.as_secs_f64() * 1e6,
        verifies(report.floor_cpu),
        2.0 * verifies(report.floor_cpu)
    );
    println!(
        "  portal context switches per challenge {:.1}, per login {:.1}",
        report.challenge_switches, report.login_switches
    );
    let (challenge_reads, challenge_writes, challenge_bytes) =
        report.challenge_io.per(report.logins);
    let (login_reads, login_writes, login_bytes) = report.login_io.per(report.logins);
    println!(
        "  portal read/write system calls (/proc/PID/io: file reads, file and socket writes) per challenge {challenge_reads:.1}/{challenge_writes:.1} ({challenge_bytes:.0} bytes written), per login {login_reads:.1}/{login_writes:.1} ({login_bytes:.0} bytes written)"
    );
    println!(
        "  the load generator's own CPU (same cores, not counted above): {:.0} µs per complete login",
        report.client_cpu.as_secs_f64() * 1e6
    );
    println!(
        "  logins as fast as answered ({connections} connections): {} at {:.0} logins/s",
        report.logins, report.logins_per_second
    );
    print_steady(report.rate, "half the CPU-derived capacity", &report.steady);
    for (rate, steady) in &report.steady_at {
        print_steady(*rate, "ECPA_BENCH_STEADY_RATES", steady);
    }
}

fn print_steady(rate: f64, why: &str, s: &load::Steady) {
    println!(
        "  steady {rate:.0} complete logins/s ({why}; {} connections), {} logins: login p50 {:.2} ms, p99 {:.2} ms; challenge p50 {:.2} ms, p99 {:.2} ms; cores busy: portal {:.2}, load generator {:.2}, whole machine {:.0} % (hypervisor steal {:.0} %); the portal's busiest threads {}",
        s.connections,
        s.logins.len(),
        ms(percentile(&s.logins, 0.5)),
        ms(percentile(&s.logins, 0.99)),
        ms(percentile(&s.challenges, 0.5)),
        ms(percentile(&s.challenges, 0.99)),
        s.busy.portal,
        s.busy.client,
        s.busy.machine * 100.0,
        s.busy.steal * 100.0,
        s.busy
            .busiest_threads
            .iter()
            .map(|(name, cores)| format!("{name} {cores:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    if let Some(failure) = &s.failure {
        println!("  {} steady logins failed, e.g. {failure}", s.failed);
    }
}

/// In-process verify time of the portal's own code path (for comparison).
fn portal_verify_time(card: &SoftwareCard) -> Duration {
    let cert = ParsedCert::parse(&card.signing_cert_der).unwrap();
    let message = b"ECPA certificate challenge v1\npurpose=login";
    let signature = card.sign(message);
    let rounds = 5000;
    let start = Instant::now();
    for _ in 0..rounds {
        assert!(verify_card_signature(cert.spki(), message, &signature));
    }
    start.elapsed() / rounds
}

/// The same check with the pure-Rust `rsa` crate (the backend before `ring`).
fn rsa_crate_verify_time(card: &SoftwareCard) -> Duration {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use sha2::Digest;
    let cert = ParsedCert::parse(&card.signing_cert_der).unwrap();
    let key_der = cert.spki().subject_public_key.as_bytes().unwrap();
    let message = b"ECPA certificate challenge v1\npurpose=login";
    let signature = card.sign(message);
    let rounds = 2000;
    let start = Instant::now();
    for _ in 0..rounds {
        let key = rsa::RsaPublicKey::from_pkcs1_der(key_der).unwrap();
        let scheme = rsa::Pkcs1v15Sign::new::<sha2::Sha256>();
        let digest = sha2::Sha256::digest(message);
        assert!(key.verify(scheme, &digest, &signature).is_ok());
    }
    start.elapsed() / rounds
}

#[tokio::main]
async fn main() {
    let users = 8;
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let mut rng = StdRng::seed_from_u64(42);
    let pki = DemoPki::generate(RootAlgorithm::Rsa2048, "BENCH", now, &mut rng).unwrap();
    let cards: Vec<SoftwareCard> = (1..=users)
        .map(|n| {
            let id = national_id(n);
            let subject = LeafSubject::Citizen {
                name: format!("員工{n}"),
                card_serial: format!("{n:016}"),
                id_last4: Some(id[6..].to_owned()),
            };
            let (from, to) = (
                now - time::Duration::days(1),
                now + time::Duration::days(30),
            );
            SoftwareCard::issue(&pki.moica, subject, from, to, &mut rng).unwrap()
        })
        .collect();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(&anchors, pki.trust_anchors_pem()).unwrap();
    let crls = dir.path().join("moica.crl");
    let crl = pki.moica.crl_pem(
        &[],
        now - time::Duration::days(1),
        now + time::Duration::days(7),
    );
    std::fs::write(&crls, crl.unwrap()).unwrap();
    let setup = Setup {
        rows: env_number("ECPA_BENCH_ROWS", 400_000),
        logins: env_number("ECPA_BENCH_LOGINS", 2000).max(1),
        connections: env_number("ECPA_BENCH_CLIENTS", 8).max(1),
        steady_connections: env_number("ECPA_BENCH_STEADY_CONNECTIONS", load::STEADY_CONNECTIONS)
            .max(1),
        steady_seconds: env_number("ECPA_BENCH_STEADY_SECONDS", 5) as f64,
        steady_rates: std::env::var("ECPA_BENCH_STEADY_RATES")
            .unwrap_or_default()
            .split(',')
            .filter_map(|rate| rate.trim().parse().ok())
            .filter(|rate: &f64| *rate > 0.0)
            .collect(),
        cards: Arc::new(cards),
        anchors,
        crls,
        dist: dir.path().join("dist"),
    };

    let verify = process::openssl_verify_time();
    let ours = portal_verify_time(&setup.cards[0]);
    let pure_rust = rsa_crate_verify_time(&setup.cards[0]);
    println!(
        "ecpa-portal load benchmark (portal process: this bench's release build; loopback HTTP)"
    );
    match verify {
        Some(v) => println!(
            "  RSA-2048 verify, one core: {:.1} µs (openssl speed -seconds 2 rsa2048); the portal's (ring): {:.1} µs; rsa crate: {:.1} µs",
            v.as_secs_f64() * 1e6,
            ours.as_secs_f64() * 1e6,
            pure_rust.as_secs_f64() * 1e6
        ),
        None => println!(
            "  openssl not found: the portal's own RSA-2048 verify ({:.1} µs) is the unit",
            ours.as_secs_f64() * 1e6
        ),
    }
    let verify = verify.unwrap_or(ours);

    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let report = run("SQLite", &sqlite, &setup).await;
    print(&report, verify, setup.connections);

    if let Ok(admin) = std::env::var("ECPA_BENCH_POSTGRES_URL") {
        let (url, name) = create_pg(&admin).await;
        let report = run("PostgreSQL", &url, &setup).await;
        drop_pg(&admin, &name).await;
        print(&report, verify, setup.connections);
    }
}
