//! `kill -9` of the portal process (the real binary, on SQLite) in the middle of a load
//! of registrations: every registration that was answered 201 is in the database.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ecpa_portal::db::Db;
use ecpa_portal::pki::ParsedCert;
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

use crate::portal_process::{Portal, register_card};
use crate::support::*;

/// Employees registering at the same time: fewer than the password throttle's per-address
/// limit, since every password check in flight counts against the one test address.
const EMPLOYEES: u32 = 16;
/// Registrations answered 201 before the portal is killed.
const KILL_AFTER: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_portal_loses_no_answered_registration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("portal.db").display()
    );
    let ids = seed_employees(&url, dir.path(), 500, EMPLOYEES).await;

    let now = OffsetDateTime::now_utc();
    let crls = moica_crl_file(dir.path(), now);
    let mut portal = Portal::start(&url, &dir.path().join("anchors.pem"), &crls, dir.path());
    let base = portal.base.clone();
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
            let account = format!("emp{n}");
            let status = register_card(&base, &account, PASSWORD, &card).await.ok();
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
    portal.child.kill().unwrap();
    portal.child.wait().unwrap();

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
