//! A full disk on SQLite, made with `PRAGMA max_page_count` on the connections that
//! write (`Db::limit_pages`): writes are refused with `STORAGE_FULL` (507), and a login
//! answered 200 always has its session stored. (A connection SQLite left inside a
//! transaction after the failed write used to be kept: later logins were answered 200
//! and never committed.)

use ecpa_portal::db::Backend;
use serde_json::json;
use sqlx::Row;

use crate::support::*;

#[tokio::test]
async fn a_full_database_refuses_writes_clearly_and_loses_no_answered_login() {
    let app = spawn_app().await;
    if app.db.backend() != Backend::Sqlite {
        return;
    }
    app.add_employee("clerk", Person::clerk(&national_id(41), "王小明"))
        .await;
    let pages: i64 = sqlx::query("PRAGMA page_count")
        .fetch_one(app.db.writer())
        .await
        .unwrap()
        .get(0);
    app.db.limit_pages(pages.try_into().unwrap()).await.unwrap();

    let mut full = 0;
    let mut browser = app.browser();
    for _ in 0..500 {
        let answer = browser
            .post("/api/challenges", json!({"purpose": "login"}))
            .await;
        if !answer.status.is_success() {
            answer.assert_error(507, "STORAGE_FULL");
            full += 1;
            break;
        }
    }
    assert_eq!(full, 1, "the database never filled up");
    for _ in 0..5 {
        let mut clerk = app.browser();
        let login = clerk.password_login("clerk").await;
        if login.status.is_success() {
            clerk.get("/api/me").await.assert_ok();
        } else {
            login.assert_error(507, "STORAGE_FULL");
        }
    }
}
