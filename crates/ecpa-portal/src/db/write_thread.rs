//! SQLite in a file: the writes every login makes (`at_once`) committed by a thread of
//! their own, on a connection of its own. A request queues its write and waits for the
//! answer; the thread takes the writes queued meanwhile, up to
//! [`MOST_IN_A_BATCH`] a transaction, and commits them together (group commit). With
//! sqlx the same batch cost a pool acquire, a spawned task and a round trip to the
//! connection's thread, each a hand-over behind the runtime's other work; without them
//! a complete login costs 4.6 % fewer instructions. Whether it also moves the load at
//! which latency climbs was not shown on a noisy machine (docs/PERFORMANCE.md, "A
//! thread for the writes").
//!
//! The thread writes only while it holds the writer pool's one connection, so SQLite
//! still has one writer at a time and transactions on that connection (imports,
//! registrations) take turns with it without meeting SQLite's busy handler. A write is
//! answered only once its transaction has committed.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};
use sqlx::AnyPool;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::at_once::{AtOnce, MOST_BATCHES_IN_A_TURN, MOST_IN_A_BATCH, address};
use super::values::Value;
use crate::PortalError;

/// How long the thread's connection waits for a lock SQLite holds briefly (a
/// checkpoint's, a recovery's), as sqlx's connections do.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The WAL size (pages) at which the thread's own commit checkpoints. The checkpoint
/// thread (`checkpoints`) copies the WAL shortly after each write; a checkpoint on this
/// connection would hold every queued write up for its two `fsync`s. SQLite's default,
/// 1,000 pages, is a few dozen milliseconds of logins under load, often reached before
/// the checkpoint thread's turn, so the writer checkpointed itself many times a second
/// (docs/PERFORMANCE.md, "SQLite's global locks, and checkpoints left to their
/// thread"). At this size it happens only when the checkpoint thread falls far behind
/// or could not start.
const OWN_CHECKPOINT_PAGES: i64 = 8192;

type Answer = Result<usize, PortalError>;

/// A write waiting for the thread.
struct Job {
    write: &'static AtOnce,
    values: Vec<Value>,
    reply: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct Waiting {
    jobs: VecDeque<Job>,
    stopping: bool,
    /// A page limit to set on the thread's connection (`Db::limit_pages`).
    max_pages: Option<u64>,
}

#[derive(Default)]
struct Shared {
    waiting: Mutex<Waiting>,
    work: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the thread needs besides its connection.
struct Turns {
    /// The writer pool: its connection is the permission to write.
    permits: AnyPool,
    /// Tells the pool's return check that the connection, untouched, is as it was.
    known_outside_transaction: Arc<AtomicBool>,
    runtime: Handle,
}

/// The write thread of one database file.
pub(super) struct WriteThread {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for WriteThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteThread").finish_non_exhaustive()
    }
}

impl WriteThread {
    /// Opens the database file at `path` (which must exist) and starts the thread;
    /// `permits` is the writer pool. Called inside the runtime.
    pub(super) fn start(
        path: &Path,
        permits: AnyPool,
        known_outside_transaction: Arc<AtomicBool>,
    ) -> Result<Self, PortalError> {
        let conn = open(path)?;
        let shared = Arc::new(Shared::default());
        let turns = Turns {
            permits,
            known_outside_transaction,
            runtime: Handle::current(),
        };
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sqlite-writes".into())
            .spawn(move || run(&conn, &for_thread, &turns))
            .map_err(|error| PortalError::Internal(format!("write thread: {error}")))?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues `write` with `values` and waits until its transaction has committed;
    /// how many rows its `RETURNING` clause gave.
    pub(super) async fn write(&self, write: &'static AtOnce, values: Vec<Value>) -> Answer {
        let (reply, answer) = oneshot::channel();
        {
            let mut waiting = self.shared.lock();
            if waiting.stopping {
                return Err(sqlx::Error::PoolClosed.into());
            }
            waiting.jobs.push_back(Job {
                write,
                values,
                reply,
            });
        }
        self.shared.work.notify_one();
        answer
            .await
            .unwrap_or_else(|_| Err(PortalError::Internal("a queued write was dropped".into())))
    }

    /// Sets SQLite's `max_page_count` on the thread's connection before its next turn.
    pub(super) fn limit_pages(&self, pages: u64) {
        self.shared.lock().max_pages = Some(pages);
    }

    /// Stops taking writes; the thread answers those queued and ends.
    fn stop(&self) -> Option<JoinHandle<()>> {
        self.shared.lock().stopping = true;
        self.shared.work.notify_one();
        self.thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Stops the thread and waits for it to end.
    pub(super) async fn close(&self) {
        if let Some(thread) = self.stop() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for WriteThread {
    fn drop(&mut self) {
        // Not joined here: the thread may be waiting for the runtime dropping us.
        let _ = self.stop();
    }
}

fn open(path: &Path) -> Result<Connection, PortalError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(PortalError::Write)?;
    conn.busy_timeout(BUSY_WAIT).map_err(PortalError::Write)?;
    // As every sqlx connection of the portal (`db::sqlite_options` and sqlx's defaults).
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
        .map_err(PortalError::Write)?;
    conn.pragma_update(None, "wal_autocheckpoint", OWN_CHECKPOINT_PAGES)
        .map_err(PortalError::Write)?;
    Ok(conn)
}

/// The thread: waits for writes, takes the writer, commits up to
/// [`MOST_BATCHES_IN_A_TURN`] batches, gives the writer back.
fn run(conn: &Connection, shared: &Shared, turns: &Turns) {
    let mut statements = Statements::default();
    while wait_for_work(shared) {
        let permit = turns.runtime.block_on(turns.permits.acquire());
        let permit = match permit {
            Ok(permit) => permit,
            Err(error) => {
                tracing::warn!(%error, "queued writes failed: no turn with the writer");
                for job in take(shared, usize::MAX) {
                    let _ = job.reply.send(Err(same_pool_error(&error).into()));
                }
                continue;
            }
        };
        if let Some(pages) = shared.lock().max_pages.take()
            && let Err(error) = conn.execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        {
            tracing::warn!(%error, "could not limit the database's pages");
        }
        for _ in 0..MOST_BATCHES_IN_A_TURN {
            let batch = take(shared, MOST_IN_A_BATCH);
            if batch.is_empty() {
                break;
            }
            commit(conn, &mut statements, batch);
        }
        turns
            .known_outside_transaction
            .store(true, Ordering::Release);
        // Given back on the runtime: the pool's return spawns a task.
        turns.runtime.block_on(async move { drop(permit) });
    }
    for job in take(shared, usize::MAX) {
        let _ = job.reply.send(Err(sqlx::Error::PoolClosed.into()));
    }
}

/// Waits until a write is queued; false once stopping with none queued.
fn wait_for_work(shared: &Shared) -> bool {
    let mut waiting = shared.lock();
    loop {
        if !waiting.jobs.is_empty() {
            return true;
        }
        if waiting.stopping {
            return false;
        }
        waiting = shared
            .work
            .wait(waiting)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

/// Up to `most` queued writes whose requests still wait for them.
fn take(shared: &Shared, most: usize) -> Vec<Job> {
    let mut waiting = shared.lock();
    waiting.jobs.retain(|job| !job.reply.is_closed());
    let take = waiting.jobs.len().min(most);
    waiting.jobs.drain(..take).collect()
}

fn same_pool_error(error: &sqlx::Error) -> sqlx::Error {
    match error {
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        _ => sqlx::Error::PoolTimedOut,
    }
}

/// `batch`'s writes in one transaction, answered once it has committed. If it fails,
/// each write is tried again in a transaction of its own, so that one write's failure
/// is answered to that write alone.
fn commit(conn: &Connection, statements: &mut Statements, batch: Vec<Job>) {
    match transaction(conn, statements, &batch) {
        Ok(rows) => {
            for (job, rows) in batch.into_iter().zip(rows) {
                let _ = job.reply.send(Ok(rows));
            }
        }
        Err(error) if batch.len() == 1 => {
            if let Some(job) = batch.into_iter().next() {
                let _ = job.reply.send(Err(PortalError::Write(error)));
            }
        }
        Err(error) => {
            tracing::warn!(writes = batch.len(), %error, "a batch of writes failed; each tried alone");
            for job in batch {
                commit(conn, statements, vec![job]);
            }
        }
    }
}

/// The rows each write returned; nothing is kept if any statement fails.
fn transaction(
    conn: &Connection,
    statements: &mut Statements,
    batch: &[Job],
) -> Result<Vec<usize>, rusqlite::Error> {
    execute(conn, "BEGIN IMMEDIATE")?;
    let mut rows = Vec::with_capacity(batch.len());
    let mut result = Ok(());
    for job in batch {
        match run_statements(conn, statements.of(job.write), &job.values) {
            Ok(returned) => rows.push(returned),
            Err(error) => {
                result = Err(error);
                break;
            }
        }
    }
    let result = result.and_then(|()| execute(conn, "COMMIT"));
    if result.is_err() && !conn.is_autocommit() {
        let _ = execute(conn, "ROLLBACK");
    }
    result.map(|()| rows)
}

fn run_statements(
    conn: &Connection,
    texts: &[String],
    values: &[Value],
) -> Result<usize, rusqlite::Error> {
    let mut returned = 0;
    for text in texts {
        let mut statement = conn.prepare_cached(text)?;
        for index in 1..=statement.parameter_count() {
            let value = statement
                .parameter_name(index)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|number| number.parse::<usize>().ok())
                .and_then(|number| values.get(number.wrapping_sub(1)))
                .ok_or(rusqlite::Error::InvalidParameterCount(index, values.len()))?;
            statement.raw_bind_parameter(index, value)?;
        }
        let has_columns = statement.column_count() > 0;
        let mut rows = statement.raw_query();
        while rows.next()?.is_some() {
            if has_columns {
                returned += 1;
            }
        }
    }
    Ok(returned)
}

fn execute(conn: &Connection, sql: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Each write's statements, split from its SQLite text once (rusqlite prepares one
/// statement at a time); `{job}` is 0, each write's rows being its own here.
#[derive(Default)]
struct Statements {
    by_write: HashMap<usize, Vec<String>>,
}

impl Statements {
    fn of(&mut self, write: &'static AtOnce) -> &[String] {
        self.by_write
            .entry(address(write))
            .or_insert_with(|| split(write.sqlite))
    }
}

fn split(sqlite: &str) -> Vec<String> {
    sqlite
        .replace("{job}", "0")
        .split(';')
        .map(str::trim)
        .filter(|statement| !statement.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::str::FromStr;
    use std::time::Duration;

    use sqlx::any::{AnyPoolOptions, install_default_drivers};
    use sqlx::sqlite::SqliteConnectOptions;

    use super::*;

    /// Stores `$2` under the key `$1`, then returns the key, each statement using the
    /// placeholders in another order.
    static STORE: AtOnce = AtOnce {
        sqlite: "INSERT INTO t (v, k) VALUES ($2, $1); \
                 UPDATE t SET v = v || '!' WHERE k = $1 RETURNING k, {job}",
        postgres: "",
        params: 2,
    };

    /// Stores `$2` under `$1`, then fails on storing `$1` again: nothing of it may stay.
    static TWICE: AtOnce = AtOnce {
        sqlite: "INSERT INTO t (k, v) VALUES ($1, $2); INSERT INTO t (k, v) VALUES ($1, 'again')",
        postgres: "",
        params: 2,
    };

    /// A WAL database with table `t`, its writer pool (one connection) and the thread.
    async fn database() -> (tempfile::TempDir, AnyPool, WriteThread) {
        install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("writes.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let writer = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect(&url)
            .await
            .unwrap();
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&writer)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
            .execute(&writer)
            .await
            .unwrap();
        let path = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .get_filename()
            .to_owned();
        let flag = Arc::new(AtomicBool::new(false));
        let thread = WriteThread::start(&path, writer.clone(), flag).unwrap();
        (dir, writer, thread)
    }

    fn values(k: &str, v: &str) -> Vec<Value> {
        vec![k.into(), v.into()]
    }

    async fn stored(writer: &AnyPool) -> Vec<(String, String)> {
        use sqlx::Row;
        sqlx::query("SELECT k, v FROM t ORDER BY k")
            .fetch_all(writer)
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_bind_by_placeholder_number_and_count_returned_rows() {
        let (_dir, writer, thread) = database().await;
        assert_eq!(thread.write(&STORE, values("a", "x")).await.unwrap(), 1);
        assert_eq!(stored(&writer).await, [("a".into(), "x!".into())]);
        thread.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_is_answered_alone_and_the_others_of_its_batch_commit() {
        let (_dir, writer, thread) = database().await;
        // Held, so that the three writes queue up and go in one batch.
        let held = writer.acquire().await.unwrap();
        let release = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(held);
        };
        let (first, second, third, ()) = tokio::join!(
            thread.write(&STORE, values("a", "1")),
            thread.write(&TWICE, values("b", "2")),
            thread.write(&STORE, values("c", "3")),
            release
        );
        assert_eq!(first.unwrap(), 1);
        let refused = second.unwrap_err();
        assert!(matches!(refused, PortalError::Write(_)), "{refused:?}");
        assert_eq!(third.unwrap(), 1);
        assert_eq!(
            stored(&writer).await,
            [("a".into(), "1!".into()), ("c".into(), "3!".into())]
        );
        thread.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_threads_commits_leave_a_wal_past_a_thousand_pages_to_the_checkpoint_thread() {
        let (dir, writer, thread) = database().await;
        let value = "x".repeat(4000);
        for i in 0..600 {
            let key = format!("{i:04}");
            assert_eq!(thread.write(&STORE, values(&key, &value)).await.unwrap(), 1);
        }
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().len();
        let wal_pages = size("writes.db-wal") / 4096;
        assert!(wal_pages > 1000, "WAL of {wal_pages} pages");
        // SQLite's default would have copied them into the file at 1,000 pages.
        assert!(
            size("writes.db") < 100 * 4096,
            "{} bytes",
            size("writes.db")
        );
        assert_eq!(stored(&writer).await.len(), 600);
        thread.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nothing_is_written_while_another_holds_the_writer() {
        let (_dir, writer, thread) = database().await;
        let mut held = writer.acquire().await.unwrap();
        let write = tokio::spawn(async move { thread.write(&STORE, values("a", "x")).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!write.is_finished());
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut *held)
            .await
            .unwrap();
        assert_eq!(rows, 0);
        drop(held);
        assert_eq!(write.await.unwrap().unwrap(), 1);
        assert_eq!(stored(&writer).await.len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_database_refuses_the_write_and_keeps_nothing_of_it() {
        let (_dir, writer, thread) = database().await;
        thread.limit_pages(1);
        let refused = thread.write(&STORE, values("a", &"x".repeat(20_000))).await;
        let code = refused.unwrap_err().code();
        assert_eq!(code, ecpa_wire::ErrorCode::STORAGE_FULL);
        assert!(stored(&writer).await.is_empty());
        thread.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_thread_refuses_new_writes() {
        let (_dir, _writer, thread) = database().await;
        thread.close().await;
        let refused = thread.write(&STORE, values("a", "x")).await.unwrap_err();
        assert_eq!(refused.code(), ecpa_wire::ErrorCode::SERVICE_UNAVAILABLE);
    }
}
