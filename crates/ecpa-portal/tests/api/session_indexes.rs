//! Sessions are looked up by registration and by passkey only to end those of one
//! registration or one passkey, and a session before its login has neither: the two
//! indexes hold only the sessions that have one (fewer writes per login), and both
//! look-ups still use them.

use ecpa_portal::db::{Backend, SessionKind, SessionRow};
use ecpa_wire::api::LoginMethod;
use sqlx::Row;

use crate::support::*;

/// The plan of `statement` as text. Sequential scans are off on PostgreSQL, so an index
/// it can use is used whatever the table's size.
async fn plan(app: &TestApp, statement: &str) -> String {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let explain = match app.db.backend() {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {statement}"),
        Backend::Postgres => {
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .unwrap();
            format!("EXPLAIN {statement}")
        }
    };
    let rows = sqlx::query(&explain).fetch_all(&mut *conn).await.unwrap();
    if app.db.backend() == Backend::Postgres {
        sqlx::query("RESET enable_seqscan")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    rows.iter()
        .map(|row| row.get::<String, _>(row.len() - 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How the database defines index `name`.
async fn index_definition(app: &TestApp, name: &str) -> String {
    let query = match app.db.backend() {
        Backend::Sqlite => "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
        Backend::Postgres => "SELECT indexdef FROM pg_indexes WHERE indexname = $1",
    };
    sqlx::query(query)
        .bind(name)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get::<String, _>(0)
}

fn session(token: char, registration_id: Option<i64>) -> SessionRow {
    SessionRow {
        token_hash: token.to_string().repeat(64),
        kind: match registration_id {
            Some(_) => SessionKind::Employee,
            None => SessionKind::Anonymous,
        },
        national_id: registration_id.map(|_| national_id(1)),
        registration_id,
        login_method: registration_id.map(|_| LoginMethod::Certificate),
        passkey_id: None,
        created_at: 1_000,
        expires_at: 100_000,
    }
}

#[tokio::test]
async fn ending_the_sessions_of_a_registration_or_a_passkey_uses_their_index() {
    let app = spawn_app().await;
    for (index, column) in [
        ("sessions_registration", "registration_id"),
        ("sessions_passkey", "passkey_id"),
    ] {
        let definition = index_definition(&app, index).await;
        assert!(
            definition.contains(&format!("WHERE {column} IS NOT NULL"))
                || definition.contains(&format!("WHERE ({column} IS NOT NULL)")),
            "{definition}"
        );
    }
    let by_registration = plan(&app, "DELETE FROM sessions WHERE registration_id = 7").await;
    assert!(
        by_registration.contains("sessions_registration"),
        "{by_registration}"
    );
    let by_passkey = plan(
        &app,
        "DELETE FROM sessions WHERE passkey_id = 7 AND token_hash <> 'x'",
    )
    .await;
    assert!(by_passkey.contains("sessions_passkey"), "{by_passkey}");
}

#[tokio::test]
async fn ending_a_registrations_sessions_leaves_the_sessions_before_a_login() {
    let app = spawn_app().await;
    let (visitor, card, other_card) = (
        session('a', None),
        session('b', Some(7)),
        session('c', Some(8)),
    );
    for s in [&visitor, &card, &other_card] {
        app.db.insert_session(s).await.unwrap();
    }
    app.db.delete_sessions_of_registration(7).await.unwrap();
    for (s, kept) in [(&visitor, true), (&card, false), (&other_card, true)] {
        let found = app.db.session(&s.token_hash, 0).await.unwrap();
        assert_eq!(found.is_some(), kept, "{}", s.token_hash);
    }
}
