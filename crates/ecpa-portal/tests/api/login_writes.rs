//! A login's writes and a new visitor's first challenge are each one transaction made in
//! one call to the database: when a statement in it fails, nothing of it stays, and the
//! writer connection is left outside any transaction (later writes are committed). A
//! login's write uses up its challenge: a second one with the same challenge writes
//! nothing. Writes sent at the same time (committed together on SQLite) are each
//! answered with their own outcome: one that fails does not take the others with it.

use ecpa_portal::db::{AuditEntry, SessionKind, SessionRow};
use sqlx::Row;

use crate::support::*;

fn session(token: char, kind: SessionKind) -> SessionRow {
    SessionRow {
        token_hash: token.to_string().repeat(64),
        kind,
        national_id: None,
        registration_id: None,
        login_method: None,
        passkey_id: None,
        created_at: 1_000,
        expires_at: 100_000,
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

async fn stored(app: &TestApp, s: &SessionRow) -> bool {
    app.db.session(&s.token_hash, 0).await.unwrap().is_some()
}

async fn unused_challenges(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM challenges WHERE used = 0").await
}

#[tokio::test]
async fn a_login_write_that_fails_leaves_nothing_of_it() {
    let app = spawn_app().await;
    let (previous, taken) = (
        session('a', SessionKind::Anonymous),
        session('b', SessionKind::Anonymous),
    );
    let nonce = "7".repeat(32);
    app.db
        .insert_session_with_challenge(&previous, &nonce, "login", "text", 2_000)
        .await
        .unwrap();
    app.db.insert_session(&taken).await.unwrap();
    let audit = AuditEntry {
        at: 1_000,
        outcome: "OK".into(),
        ..AuditEntry::attempt("certificate_login", "127.0.0.1".into())
    };
    let audit_rows = count(&app, "SELECT COUNT(*) FROM audit_log").await;

    // The new session's token is taken: its INSERT fails after the DELETE.
    let clash = SessionRow {
        kind: SessionKind::Employee,
        ..taken.clone()
    };
    let failed = app
        .db
        .open_login_session(&previous.token_hash, &nonce, &clash, &audit)
        .await;
    assert!(failed.is_err());
    assert!(stored(&app, &previous).await, "the DELETE was kept");
    assert_eq!(
        unused_challenges(&app).await,
        1,
        "the challenge was used up"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );

    let new = session('c', SessionKind::Employee);
    let opened = app
        .db
        .open_login_session(&previous.token_hash, &nonce, &new, &audit)
        .await
        .unwrap();
    assert!(opened);
    // Seen from another connection: committed, not held in an open transaction.
    assert!(stored(&app, &new).await);
    assert!(!stored(&app, &previous).await);
    assert_eq!(unused_challenges(&app).await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows + 1
    );
}

#[tokio::test]
async fn a_second_login_with_a_used_challenge_writes_nothing() {
    let app = spawn_app().await;
    let previous = session('a', SessionKind::Anonymous);
    let nonce = "8".repeat(32);
    app.db
        .insert_session_with_challenge(&previous, &nonce, "login", "text", 2_000)
        .await
        .unwrap();
    let audit = AuditEntry {
        at: 1_000,
        outcome: "OK".into(),
        ..AuditEntry::attempt("certificate_login", "127.0.0.1".into())
    };
    let first = session('c', SessionKind::Employee);
    let second = session('d', SessionKind::Employee);
    let (a, b) = tokio::join!(
        app.db
            .open_login_session(&previous.token_hash, &nonce, &first, &audit),
        app.db
            .open_login_session(&previous.token_hash, &nonce, &second, &audit),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a != b, "exactly one login got the challenge: {a} {b}");
    let (won, lost) = if a {
        (&first, &second)
    } else {
        (&second, &first)
    };
    assert!(stored(&app, won).await);
    assert!(!stored(&app, lost).await);
    assert!(!stored(&app, &previous).await);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE event = 'certificate_login'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_first_challenge_that_fails_stores_no_session() {
    let app = spawn_app().await;
    let first = session('d', SessionKind::Anonymous);
    app.db
        .insert_session_with_challenge(&first, &"0".repeat(32), "login", "text", 2_000)
        .await
        .unwrap();
    assert!(stored(&app, &first).await);

    // The same nonce again: the challenge's INSERT fails after the session's.
    let second = session('e', SessionKind::Anonymous);
    let failed = app
        .db
        .insert_session_with_challenge(&second, &"0".repeat(32), "login", "text", 2_000)
        .await;
    assert!(failed.is_err());
    assert!(!stored(&app, &second).await);

    let third = session('f', SessionKind::Anonymous);
    app.db
        .insert_session_with_challenge(&third, &"1".repeat(32), "login", "text", 2_000)
        .await
        .unwrap();
    assert!(stored(&app, &third).await);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM challenges").await, 2);
}

fn numbered(prefix: char, n: usize, kind: SessionKind) -> SessionRow {
    SessionRow {
        token_hash: format!("{prefix}{n:063}"),
        ..session(prefix, kind)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_sent_together_are_answered_each_on_its_own() {
    let app = spawn_app().await;
    let audit = AuditEntry {
        at: 1_000,
        outcome: "OK".into(),
        ..AuditEntry::attempt("certificate_login", "127.0.0.1".into())
    };
    // 24 visitors with a challenge each; the first 4 challenges already used by a login.
    for n in 0..24 {
        let visitor = numbered('a', n, SessionKind::Anonymous);
        let nonce = format!("{n:032}");
        app.db
            .insert_session_with_challenge(&visitor, &nonce, "login", "text", 2_000)
            .await
            .unwrap();
    }
    for n in 0..4 {
        let (visitor, nonce) = (numbered('a', n, SessionKind::Anonymous), format!("{n:032}"));
        let employee = numbered('b', n, SessionKind::Employee);
        let opened = app
            .db
            .open_login_session(&visitor.token_hash, &nonce, &employee, &audit);
        assert!(opened.await.unwrap());
    }

    let mut logins = tokio::task::JoinSet::new();
    for n in 0..24 {
        let (db, audit) = (app.db.clone(), audit.clone());
        logins.spawn(async move {
            let (visitor, nonce) = (numbered('a', n, SessionKind::Anonymous), format!("{n:032}"));
            let employee = numbered('c', n, SessionKind::Employee);
            let opened = db.open_login_session(&visitor.token_hash, &nonce, &employee, &audit);
            (n, opened.await.unwrap())
        });
    }
    let mut firsts = tokio::task::JoinSet::new();
    for n in 0..16 {
        let db = app.db.clone();
        firsts.spawn(async move {
            // Every fourth one reuses a nonce already stored: its INSERT fails.
            let nonce = if n % 4 == 0 {
                format!("{n:032}")
            } else {
                format!("f{n:031}")
            };
            let visitor = numbered('d', n, SessionKind::Anonymous);
            let stored = db.insert_session_with_challenge(&visitor, &nonce, "login", "t", 2_000);
            (n, stored.await.is_ok())
        });
    }
    for (n, opened) in logins.join_all().await {
        assert_eq!(
            opened,
            n >= 4,
            "login {n}: its challenge was used {}",
            n < 4
        );
        assert_eq!(
            stored(&app, &numbered('c', n, SessionKind::Employee)).await,
            n >= 4
        );
    }
    for (n, ok) in firsts.join_all().await {
        assert_eq!(ok, n % 4 != 0, "first challenge {n}");
        assert_eq!(
            stored(&app, &numbered('d', n, SessionKind::Anonymous)).await,
            ok
        );
    }
    let logins = "SELECT COUNT(*) FROM audit_log WHERE event = 'certificate_login'";
    assert_eq!(count(&app, logins).await, 4 + 20);
    assert_eq!(unused_challenges(&app).await, 12);
}
