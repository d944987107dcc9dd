//! `kill -9` of the portal process (the real binary, on SQLite) three times while
//! employees register cards and log in with them, restarted at once each time: every
//! answer 2xx is in the database, nothing is half-written (a registration always has
//! its audit row), one owner per certificate holds, the database file is intact, and
//! the portal comes back by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::SoftwareCard;
use ecpa_portal::db::Db;
use ecpa_portal::pki::ParsedCert;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

use crate::portal_process::{ORIGIN, Portal, register_card};
use crate::support::*;

/// Kills: three, or `ECPA_FAULT_KILLS` (`scripts/faults.sh` runs ten).
fn kills() -> usize {
    std::env::var("ECPA_FAULT_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}
/// Employees working in each round. A password check in flight when the portal dies
/// stays counted as a failure against the one test address, whose limit is 20 per 15
/// minutes (`MAX_FAILURES_PER_ADDRESS`): the rounds together stay under it.
fn workers(kills: usize) -> u32 {
    (15 / kills.max(1)).clamp(1, 5) as u32
}
/// Cards each employee registers in a round (each then used to log in).
const CARDS: usize = 3;
/// Answers 2xx in a round before the kill.
const KILL_AFTER: usize = 12;

/// What one employee's requests got answered 2xx: registered certificates (identity)
/// and the sessions of certificate logins (token hash).
#[derive(Default)]
struct Answered {
    registered: Vec<String>,
    sessions: Vec<String>,
}

async fn post(
    client: &reqwest::Client,
    url: String,
    body: Value,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(url)
        .header("Origin", ORIGIN)
        .json(&body)
        .send()
        .await
}

/// A certificate login with `card` in a new browser: the session's token hash when
/// answered 200.
async fn certificate_login(base: &str, card: &SoftwareCard) -> reqwest::Result<Option<String>> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let challenge: Value = post(
        &client,
        format!("{base}/api/challenges"),
        json!({"purpose": "login"}),
    )
    .await?
    .json()
    .await?;
    let tbs = challenge["tbs"].as_str().unwrap_or_default();
    let body = json!({
        "nonce": challenge["nonce"],
        "certificate": STANDARD.encode(&card.signing_cert_der),
        "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
    });
    let answer = post(&client, format!("{base}/api/session/certificate"), body).await?;
    if answer.status() != 200 {
        return Ok(None);
    }
    let token = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("ecpa_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    Ok(Some(hex::encode(Sha256::digest(token.as_bytes()))))
}

/// One employee: registers each card, logging in with it after, until the portal
/// stops answering.
async fn employee(
    base: String,
    account: String,
    cards: Vec<SoftwareCard>,
    count: Arc<(AtomicUsize, Notify)>,
) -> Answered {
    let mut answered = Answered::default();
    let tick = |count: &(AtomicUsize, Notify)| {
        if count.0.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
            count.1.notify_one();
        }
    };
    for card in cards.iter().cycle() {
        match register_card(&base, &account, PASSWORD, card).await {
            Ok(201) => {
                let identity = ParsedCert::parse(&card.signing_cert_der)
                    .unwrap()
                    .identity_hex();
                answered.registered.push(identity);
                tick(&count);
            }
            Ok(200) => {}
            Ok(status) => panic!("registration answered {status}"),
            Err(_) => return answered,
        }
        match certificate_login(&base, card).await {
            Ok(Some(session)) => {
                answered.sessions.push(session);
                tick(&count);
            }
            Ok(None) => panic!("a registered card's login was refused"),
            Err(_) => return answered,
        }
    }
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_kills_under_registrations_and_logins_lose_nothing_answered() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("portal.db").display()
    );
    let kills = kills();
    let workers = workers(kills);
    let employees = workers * (kills as u32 + 1);
    let ids = seed_employees(&url, dir.path(), 700, employees).await;
    let anchors = dir.path().join("anchors.pem");
    let now = OffsetDateTime::now_utc();
    let mut all = Answered::default();
    let crls = moica_crl_file(dir.path(), now);
    let mut portal = Portal::start(&url, &anchors, &crls, dir.path());
    for round in 0..kills {
        let count = Arc::new((AtomicUsize::new(0), Notify::new()));
        let tasks: Vec<_> = (0..workers as usize)
            .map(|w| {
                let n = round * workers as usize + w;
                let cards = (0..CARDS)
                    .map(|_| {
                        card_from(
                            &pkis().rsa.moica,
                            citizen_subject(&format!("員工{n}"), Some(&ids[n][6..])),
                            now - Duration::days(1),
                            now + Duration::days(30),
                        )
                    })
                    .collect();
                tokio::spawn(employee(
                    portal.base.clone(),
                    format!("emp{n}"),
                    cards,
                    count.clone(),
                ))
            })
            .collect();
        tokio::time::timeout(std::time::Duration::from_secs(300), count.1.notified())
            .await
            .unwrap_or_else(|_| panic!("round {round}: fewer than {KILL_AFTER} answers 2xx"));
        portal.child.kill().unwrap();
        portal.child.wait().unwrap();
        portal = Portal::start(&url, &anchors, &crls, dir.path());
        for task in tasks {
            let answered = task.await.unwrap();
            all.registered.extend(answered.registered);
            all.sessions.extend(answered.sessions);
        }
    }
    let config = reqwest::get(format!("{}/api/config", portal.base))
        .await
        .unwrap();
    assert_eq!(
        config.status(),
        200,
        "the portal serves after {kills} kills"
    );
    drop(portal);

    let db = Db::connect(&url).await.unwrap();
    let pool = db.pool();
    let integrity: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(integrity, "ok");
    for identity in &all.registered {
        assert!(
            db.registration_by_identity(identity)
                .await
                .unwrap()
                .is_some(),
            "registration {identity} answered 201 is lost"
        );
    }
    for hash in &all.sessions {
        let found = sqlx::query("SELECT 1 FROM sessions WHERE token_hash = $1")
            .bind(hash.clone())
            .fetch_optional(pool)
            .await
            .unwrap();
        assert!(found.is_some(), "a login answered 200 has no session");
    }
    let unaudited: i64 = sqlx::query(
        "SELECT COUNT(*) FROM registrations r WHERE NOT EXISTS (SELECT 1 FROM audit_log a \
         WHERE a.event = 'registration' AND a.outcome = 'OK' AND a.cert_fingerprint = r.fingerprint)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .get(0);
    assert_eq!(unaudited, 0, "registrations without their audit row");
    let shared: i64 = sqlx::query(
        "SELECT COUNT(*) FROM (SELECT tbs_sha256 FROM registrations GROUP BY tbs_sha256 HAVING COUNT(*) > 1) AS s",
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .get(0);
    assert_eq!(shared, 0, "a certificate with two owners");
    let orphaned: i64 = sqlx::query(
        "SELECT COUNT(*) FROM sessions s WHERE s.registration_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM registrations r WHERE r.id = s.registration_id)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .get(0);
    assert_eq!(
        orphaned, 0,
        "a session of a registration that is not stored"
    );
    assert!(
        all.registered.len() >= kills * workers as usize,
        "{} registrations answered",
        all.registered.len()
    );
    println!(
        "{kills} kills: {} registrations and {} certificate logins answered, all stored",
        all.registered.len(),
        all.sessions.len()
    );
    db.close().await;
}
