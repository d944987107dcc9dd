//! `/sign` over HTTP against the token's own signing time, on a SoftHSM2 token.
//!
//! `cargo bench -p ecpa-agent --bench agent_sign` prints, for RSA-2048 SHA-256
//! PKCS#1 v1.5 signatures: a bare C_Sign in a logged-in session; one card
//! operation as the agent performs it (C_Login, find key, C_Sign, C_Logout);
//! and a whole `POST /sign` over loopback HTTP through the agent's router.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` when the module is initialised, so the bench
//! runs itself again with a fresh token store of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use ecpa_agent::{AgentState, CardPin, CardReader, Pkcs11Card, SystemClock, TrustedSites, router};
use ecpa_devcard::RootAlgorithm;
use ecpa_devcard::card::{CardRequest, Holder, SIGNING_ID, provision};
use ecpa_devcard::pki_dir::{self, IssuerChoice};
use ecpa_devcard::token::TokenStore;
use ecpa_wire::agent::{SignResult, TbsPackage, ret};
use time::OffsetDateTime;
use zeroize::Zeroizing;

const MARK: &str = "ECPA_AGENT_BENCH_STORE";
const ROUNDS: usize = 200;
const PIN: &str = "123456";
const TBS: &str = "ECPA 登入\nhttp://localhost:8080\nnonce=0011223344556677889900112233445566778899001122334455667788990011";

fn main() {
    match std::env::var_os(MARK) {
        None => run_with_own_store(),
        Some(dir) => measure(PathBuf::from(dir)),
    }
}

fn module() -> PathBuf {
    ecpa_devcard::softhsm::installed_module()
        .expect("SoftHSM2 is not installed (scripts/setup.sh installs it)")
}

fn run_with_own_store() {
    let dir = tempfile::Builder::new()
        .prefix("ecpa-agent-bench-")
        .tempdir()
        .unwrap();
    let conf = ecpa_devcard::softhsm::create_token_store(dir.path()).unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env("SOFTHSM2_CONF", &conf)
        .env(MARK, dir.path())
        .status()
        .unwrap();
    assert!(status.success());
}

fn measure(dir: PathBuf) {
    let now = OffsetDateTime::now_utc();
    let mut rng = rand::rngs::OsRng;
    let pki =
        pki_dir::open_or_create(&dir.join("pki"), RootAlgorithm::Rsa2048, now, &mut rng).unwrap();
    let store = TokenStore::open(&module()).unwrap();
    let request = CardRequest {
        label: "bench".into(),
        pin: PIN.into(),
        holder: Holder::Citizen {
            name: "王大明".into(),
            national_id: None,
            card_serial: None,
        },
        issuer: IssuerChoice::Moica,
        not_before: now - time::Duration::days(1),
        not_after: now + time::Duration::days(30),
        revoked: false,
    };
    provision(&store, &dir.join("pki"), &pki, &request, now, &mut rng).unwrap();
    store.close().unwrap();

    let bare = bare_sign();

    let card = Arc::new(Pkcs11Card::open(&module()).unwrap());
    let slot = card
        .slots()
        .unwrap()
        .into_iter()
        .find(|s| s.token.is_some())
        .unwrap()
        .slot_id;
    let pin = CardPin::new(Zeroizing::new(PIN.into()));
    let card_op = time_rounds(|| {
        card.sign(slot, &SIGNING_ID, &pin, TBS.as_bytes()).unwrap();
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let http = runtime.block_on(http_sign(card));

    println!("\n/sign on SoftHSM2, RSA-2048, {ROUNDS} rounds each (median / mean / p95):");
    report("bare C_Sign (session logged in)", &bare);
    report("card operation (login, sign, logout)", &card_op);
    report("POST /sign over loopback HTTP", &http);
    let overhead = median(&http).saturating_sub(median(&card_op));
    println!("agent overhead above the card operation (median): {overhead:.2?}");
}

/// C_Sign alone, in a session that stays logged in (the module initialised apart).
fn bare_sign() -> Vec<Duration> {
    let context = Pkcs11::new(module()).unwrap();
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = context.get_slots_with_initialized_token().unwrap()[0];
    let session = context.open_ro_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::from(PIN)))
        .unwrap();
    let key = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(SIGNING_ID.to_vec()),
        ])
        .unwrap()[0];
    let times = time_rounds(|| {
        session
            .sign(&Mechanism::Sha256RsaPkcs, key, TBS.as_bytes())
            .unwrap();
    });
    session.logout().unwrap();
    drop(session);
    context.finalize().unwrap();
    times
}

async fn http_sign(card: Arc<Pkcs11Card>) -> Vec<Duration> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = AgentState {
        card,
        trusted: Arc::new(TrustedSites::in_memory(Vec::new())),
        clock: Arc::new(SystemClock),
        port,
    };
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    let client = reqwest::Client::new();
    let package =
        serde_json::to_string(&TbsPackage::make_signature(TBS.into(), PIN.into(), None)).unwrap();
    let url = format!("http://127.0.0.1:{port}/sign");
    let origin = format!("http://127.0.0.1:{port}");
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS + 1 {
        let start = Instant::now();
        let result: SignResult = client
            .post(&url)
            .header("Origin", &origin)
            .form(&[("tbsPackage", package.as_str())])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        times.push(start.elapsed());
        assert_eq!(result.ret_code, ret::OK);
    }
    times.remove(0); // the first request opens the connection
    times
}

fn time_rounds(mut job: impl FnMut()) -> Vec<Duration> {
    job();
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            job();
            start.elapsed()
        })
        .collect()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn report(what: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mean = sorted.iter().sum::<Duration>() / sorted.len() as u32;
    let p95 = sorted[sorted.len() * 95 / 100];
    println!(
        "  {what:<40} {:>9.2?} {:>9.2?} {:>9.2?}",
        median(&sorted),
        mean,
        p95
    );
}
