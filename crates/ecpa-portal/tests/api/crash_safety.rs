//! `kill -9` of the portal process (the real binary, on SQLite) in the middle of a load
//! of registrations: every registration that was answered 201 is in the database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_portal::db::Db;
use ecpa_portal::import::{ImportKind, import_text};
use ecpa_portal::pki::ParsedCert;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

use crate::support::*;

/// Employees registering at the same time.
const EMPLOYEES: u32 = 24;
/// Registrations answered 201 before the portal is killed.
const KILL_AFTER: usize = 8;

/// Starts `ecpa-portal serve` on a free port; returns it and its origin.
fn start_portal(dir: &std::path::Path, url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecpa-portal"))
        .arg("serve")
        .env("ECPA_LISTEN", "127.0.0.1:0")
        .env("ECPA_DATABASE_URL", url)
        .env("ECPA_TRUST_ANCHORS", dir.join("anchors.pem"))
        .env("ECPA_CRLS", "")
        .env("ECPA_CHALLENGES_PER_MINUTE", "100000")
        .env("ECPA_DIST_DIR", dir)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = lines
        .by_ref()
        .take(20)
        .map_while(Result::ok)
        .find(|line| line.contains("portal ready"))
        .unwrap_or_else(|| panic!("the portal did not start"));
    // Keeps reading its log, so the portal never writes into a closed pipe.
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
    let listen = ready
        .split_whitespace()
        .find_map(|word| word.strip_prefix("listen="))
        .unwrap()
        .to_owned();
    // The public origin defaults to http://localhost:8080; the requests say so too.
    (child, format!("http://{listen}"))
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    body: Value,
) -> reqwest::Result<(u16, Value)> {
    let response = client
        .post(format!("{base}{path}"))
        .header("Origin", "http://localhost:8080")
        .json(&body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// Logs in as `account` and registers `card`: the registration's status, or an error
/// when the portal went away before answering.
async fn register(
    base: &str,
    account: &str,
    card: &ecpa_devcard::SoftwareCard,
) -> reqwest::Result<u16> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = json!({"account": account, "password": PASSWORD});
    let (status, _) = post(&client, base, "/api/session/password", login).await?;
    assert_eq!(status, 200);
    let purpose = json!({"purpose": "register"});
    let (_, challenge) = post(&client, base, "/api/challenges", purpose).await?;
    let tbs = challenge["tbs"].as_str().unwrap_or_default();
    let body = json!({
        "nonce": challenge["nonce"],
        "certificate": STANDARD.encode(&card.signing_cert_der),
        "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
        "kind": "citizen",
    });
    Ok(post(&client, base, "/api/registrations", body).await?.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_portal_loses_no_answered_registration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("portal.db").display()
    );
    let db = Db::connect(&url).await.unwrap();
    let seed = ecpa_portal::Entropy::seeded(3);
    let ids: Vec<String> = (0..EMPLOYEES).map(|n| national_id(500 + n)).collect();
    let mut people = ImportKind::Personnel.header().join(",");
    let mut accounts = String::from("account,national_id,password");
    for (n, id) in ids.iter().enumerate() {
        people.push_str(&format!(
            "\n{id},員工{n},{AGENCY},資訊室,01,,current,{LONG_AGO}"
        ));
        accounts.push_str(&format!("\nemp{n},{id},{PASSWORD}"));
    }
    import_text(
        &db,
        ImportKind::Agencies,
        &format!("code,name,oid\n{AGENCY},人事總處,\n"),
        &seed,
    )
    .await
    .unwrap();
    import_text(&db, ImportKind::Personnel, &people, &seed)
        .await
        .unwrap();
    import_text(&db, ImportKind::Accounts, &accounts, &seed)
        .await
        .unwrap();
    db.close().await;
    std::fs::write(
        dir.path().join("anchors.pem"),
        pkis().rsa.trust_anchors_pem(),
    )
    .unwrap();

    let (mut portal, base) = start_portal(dir.path(), &url);
    let now = OffsetDateTime::now_utc();
    let answered = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    let mut tasks = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let card = card_from(
            &pkis().rsa.moica,
            citizen_subject(&format!("員工{n}"), Some(&id[6..])),
            now - Duration::days(1),
            now + Duration::days(30),
        );
        let identity = ParsedCert::parse(&card.signing_cert_der)
            .unwrap()
            .identity_hex();
        let (base, answered, enough) = (base.clone(), answered.clone(), enough.clone());
        tasks.push(tokio::spawn(async move {
            let status = register(&base, &format!("emp{n}"), &card).await.ok();
            if status == Some(201) && answered.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                enough.notify_one();
            }
            (identity, status)
        }));
    }
    let wait = std::time::Duration::from_secs(300);
    tokio::time::timeout(wait, enough.notified())
        .await
        .unwrap_or_else(|_| panic!("fewer than {KILL_AFTER} registrations answered 201"));
    portal.kill().unwrap();
    portal.wait().unwrap();

    let mut created = Vec::new();
    let mut unanswered = 0;
    for task in tasks {
        match task.await.unwrap() {
            (identity, Some(201)) => created.push(identity),
            (_, Some(status)) => panic!("registration answered {status}"),
            (_, None) => unanswered += 1,
        }
    }
    assert!(
        created.len() >= KILL_AFTER,
        "{} answered 201",
        created.len()
    );
    assert!(
        unanswered > 0,
        "the portal was killed with registrations under way"
    );
    let db = Db::connect(&url).await.unwrap();
    for identity in &created {
        assert!(
            db.registration_by_identity(identity)
                .await
                .unwrap()
                .is_some(),
            "registration {identity} was answered 201 and is lost"
        );
    }
    db.close().await;
}
