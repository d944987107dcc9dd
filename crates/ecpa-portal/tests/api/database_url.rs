//! `sqlite://FILE` creates FILE, as a new operator writing the plain URL expects.

use ecpa_portal::db::Db;

#[tokio::test]
async fn a_plain_sqlite_url_creates_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.db");
    assert!(!file.exists());
    let db = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(tables, 0);
    db.close().await;
    assert!(file.exists());
    // Opened again, the same file and schema.
    let again = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    again.close().await;
    // An explicit read-only mode is kept: a missing file is not created.
    let missing = dir.path().join("missing.db");
    let read_only = Db::connect(&format!("sqlite://{}?mode=ro", missing.display())).await;
    assert!(read_only.is_err());
    assert!(!missing.exists());
}
