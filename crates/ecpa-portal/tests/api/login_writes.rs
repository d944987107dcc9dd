//! A login's writes and a new visitor's first challenge are each one transaction made in
//! one call to the database: when a statement in it fails, nothing of it stays, and the
//! writer connection is left outside any transaction (later writes are committed).

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

#[tokio::test]
async fn a_login_write_that_fails_leaves_nothing_of_it() {
    let app = spawn_app().await;
    let (previous, taken) = (
        session('a', SessionKind::Anonymous),
        session('b', SessionKind::Anonymous),
    );
    app.db.insert_session(&previous).await.unwrap();
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
        .open_login_session(Some(&previous.token_hash), &clash, &audit)
        .await;
    assert!(failed.is_err());
    assert!(stored(&app, &previous).await, "the DELETE was kept");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );

    let new = session('c', SessionKind::Employee);
    app.db
        .open_login_session(Some(&previous.token_hash), &new, &audit)
        .await
        .unwrap();
    // Seen from another connection: committed, not held in an open transaction.
    assert!(stored(&app, &new).await);
    assert!(!stored(&app, &previous).await);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows + 1
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
