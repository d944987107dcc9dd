//! Storage on SQLite (default, WAL) or PostgreSQL through sqlx's `Any` driver: one set of
//! queries (`$N` placeholders work on both), one migration folder per backend.

mod accounts;
mod agencies;
mod at_once;
mod audit;
mod card_holder;
mod challenges;
mod checkpoints;
mod columns;
mod direct;
mod passkeys;
mod personnel;
mod registrations;
mod sessions;
mod sqlite_url;
mod values;
mod write_thread;

pub use accounts::{AccountRow, RecentFailures, upsert_account};
pub use agencies::{PersonnelAuthority, set_personnel_authorities};
pub use audit::AuditEntry;
pub use card_holder::CardHolder;
pub use challenges::StoredChallenge;
pub use passkeys::{NewPasskey, PasskeyRow, PasskeyUse};
pub use personnel::{BATCH, format_date, insert_personnel, parse_date, upsert_agency};
pub use registrations::{NewRegistration, RegistrationRow};
pub use sessions::{SessionKind, SessionRow};

use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, migrate::Migrator};

use crate::PortalError;
use at_once::WriteQueue;
use checkpoints::Checkpoints;
use direct::DirectReads;
use write_thread::WriteThread;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, PortalError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(PortalError::Config(
                "ECPA_DATABASE_URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }
}

/// Longest a write waits for the writer connection before it fails.
const WRITE_WAIT: Duration = Duration::from_secs(10);
/// Longest a request waits for a PostgreSQL connection (while the server is away, the
/// answer is `SERVICE_UNAVAILABLE` after this).
const CONNECT_WAIT: Duration = Duration::from_secs(5);

/// The portal's database.
#[derive(Debug, Clone)]
pub struct Db {
    /// Reads (on PostgreSQL, writes too).
    pool: AnyPool,
    /// Writes. On SQLite one connection: SQLite has one writer at a time, and writers
    /// on several connections would wait for each other in its busy handler, which
    /// sleeps in steps of up to 100 ms. Queued on this pool instead, a write waits
    /// only for the writes before it.
    writer: AnyPool,
    backend: Backend,
    /// SQLite: the writes waiting for the writer, committed together.
    queue: Arc<WriteQueue>,
    /// SQLite in a file: the reads made on the calling thread.
    direct: Option<Arc<DirectReads>>,
    /// SQLite in a file: the WAL copied into the database file off the writer.
    checkpoints: Arc<OnceLock<Checkpoints>>,
    /// SQLite in a file: the writes every login makes, committed on a thread of their own.
    write_thread: Option<Arc<WriteThread>>,
}

/// Every SQLite connection: WAL with `synchronous = NORMAL`. A commit is written to
/// the WAL before it returns, so killing the process loses nothing committed; the WAL
/// is synced at checkpoints, so only a power failure or OS crash can lose the last
/// commits (the database stays consistent). This spares an `fsync` per commit.
/// A connection is not pinged before each use: it is a file handle on a thread of
/// this process, and the ping is one more thread round trip per statement.
fn sqlite_options(connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("PRAGMA synchronous = NORMAL")
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
}

/// Whether a connection going back to the pool is outside any transaction; one that is
/// not is closed, which rolls it back. After a failed write (a full disk) SQLite may
/// have ended the transaction itself or kept it open after a failed `COMMIT`, and the
/// driver's own count of open transactions no longer matches: a connection kept in
/// that state would run every later write in a transaction never committed. One call
/// to the connection's thread: `BEGIN` fails inside a transaction.
/// Skipped when `known_outside` says the last user saw its transaction commit.
fn outside_transaction<'c>(
    conn: &'c mut AnyConnection,
    known_outside: &AtomicBool,
) -> Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + 'c>> {
    let skip = at_once::skip_return_check(known_outside);
    Box::pin(async move {
        if skip {
            return Ok(true);
        }
        if sqlx::query("BEGIN; ROLLBACK").execute(conn).await.is_err() {
            tracing::warn!("closing a database connection left inside a transaction");
            return Ok(false);
        }
        Ok(true)
    })
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, PortalError> {
        install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = &*sqlite_url::creating(url);
        let queue = Arc::new(WriteQueue::default());
        let mut direct = None;
        let mut write_thread = None;
        let checkpoints: Arc<OnceLock<Checkpoints>> = Arc::new(OnceLock::new());
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let known_outside = queue.outside_transaction_flag();
                let written = checkpoints.clone();
                let writer = sqlite_options(1)
                    .acquire_timeout(WRITE_WAIT)
                    .after_release(move |conn, _| {
                        if let Some(checkpoints) = written.get() {
                            checkpoints.nudge();
                        }
                        outside_transaction(conn, &known_outside)
                    })
                    .connect(url)
                    .await?;
                // WAL lets readers and the one writer proceed together; it persists in the file.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&writer)
                    .await?;
                SQLITE_MIGRATIONS.run(&writer).await?;
                let options = SqliteConnectOptions::from_str(url)?;
                let path = options.get_filename();
                direct = DirectReads::for_url(url, path).map(Arc::new);
                if direct.is_some() {
                    let known_outside = queue.outside_transaction_flag();
                    let started = WriteThread::start(path, writer.clone(), known_outside)?;
                    write_thread = Some(Arc::new(started));
                }
                if direct.is_some()
                    && let Some(started) = Checkpoints::start(path)
                {
                    let _ = checkpoints.set(started);
                }
                (sqlite_options(8).connect(url).await?, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(CONNECT_WAIT)
                    .connect(url)
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                (pool.clone(), pool)
            }
        };
        let db = Self {
            pool,
            writer,
            backend,
            queue,
            direct,
            checkpoints,
            write_thread,
        };
        db.fill_in_identities().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// For reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// For writes and transactions that write.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Caps the database at `pages` pages (SQLite's `max_page_count`) on every connection
    /// that writes; a write that needs more is refused with `STORAGE_FULL`, as on a full
    /// disk. Does nothing on PostgreSQL.
    pub async fn limit_pages(&self, pages: u64) -> Result<(), PortalError> {
        if self.backend == Backend::Postgres {
            return Ok(());
        }
        sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
            .execute(&self.writer)
            .await?;
        if let Some(thread) = &self.write_thread {
            thread.limit_pages(pages);
        }
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(thread) = &self.write_thread {
            thread.close().await;
        }
        if let Some(checkpoints) = self.checkpoints.get() {
            checkpoints.stop();
        }
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// The row an INSERT … RETURNING stored, or `None` when a unique constraint refused it.
pub(crate) fn unless_duplicate(
    result: Result<sqlx::any::AnyRow, sqlx::Error>,
) -> Result<Option<sqlx::any::AnyRow>, PortalError> {
    match result {
        Ok(row) => Ok(Some(row)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// True for a unique-constraint violation, whichever backend raised it.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.code().as_deref() == Some("23505")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
