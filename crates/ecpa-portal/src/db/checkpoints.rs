//! WAL checkpoints, mostly on a thread of their own. SQLite checkpoints on the
//! connection whose commit brings the WAL to 1,000 pages: it copies them into the
//! database file and syncs both files before that commit returns, and with one writer
//! every write waits behind it (10–20 ms about every 50 logins: the p99 latency at a
//! few hundred logins/s; docs/PERFORMANCE.md, "Checkpoints off the writer"). Here a
//! second connection copies the WAL's new pages into the database file shortly after each
//! write, in a PASSIVE checkpoint, which never holds the writer up; when the writer's
//! own checkpoint comes, little is left for it to copy. Durability is unchanged: a
//! commit is in the WAL before it returns either way, and a checkpoint syncs the WAL
//! before it copies from it.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long after a write the checkpoint waits, so that it copies the writes of that
/// moment together and runs at most this often (about 30 times a second under load).
const GATHER: Duration = Duration::from_millis(30);

/// The checkpoint thread of one database file.
#[derive(Debug)]
pub(super) struct Checkpoints {
    nudges: SyncSender<()>,
    stopping: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Checkpoints {
    /// Starts the thread for the database file at `path`; `None` (and a warning) when
    /// it cannot open the file: the writer's own checkpoints then do all the copying.
    pub(super) fn start(path: &Path) -> Option<Self> {
        let conn = match open(path) {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "no checkpoint thread: the writer checkpoints");
                return None;
            }
        };
        let (nudges, nudged) = sync_channel(1);
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = stopping.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &nudged, &stop));
        match thread {
            Ok(thread) => Some(Self {
                nudges,
                stopping,
                thread: Mutex::new(Some(thread)),
            }),
            Err(error) => {
                tracing::warn!(%error, "no checkpoint thread: the writer checkpoints");
                None
            }
        }
    }

    /// Tells the thread the writer has written. Costs no system call while a checkpoint
    /// is already due.
    pub(super) fn nudge(&self) {
        // Full: a checkpoint is due already. Disconnected: the thread has stopped.
        match self.nudges.try_send(()) {
            Ok(()) | Err(TrySendError::Full(()) | TrySendError::Disconnected(())) => {}
        }
    }

    /// Stops the thread after the checkpoint it may be making; the writes since are
    /// checkpointed when the last connection closes.
    pub(super) fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            thread.thread().unpark();
            // Wakes a thread waiting for a nudge, which then sees `stopping`.
            self.nudge();
            if thread.join().is_err() {
                tracing::error!("the checkpoint thread panicked");
            }
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.stop();
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    // As the portal's other connections: the WAL and the file are synced at checkpoints.
    conn.execute_batch("PRAGMA synchronous = NORMAL")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

fn run(conn: &Connection, nudged: &Receiver<()>, stopping: &AtomicBool) {
    while nudged.recv().is_ok() && !stopping.load(Ordering::Acquire) {
        std::thread::park_timeout(GATHER);
        if stopping.load(Ordering::Acquire) {
            return;
        }
        // The nudges of the pause are served by the checkpoint that follows.
        while nudged.try_recv().is_ok() {}
        if let Err(error) = checkpoint(conn) {
            tracing::warn!(%error, "WAL checkpoint failed; the next write tries again");
        }
    }
}

/// Copies what it can of the WAL into the database file without waiting for readers or
/// the writer; the pages it could not copy yet are copied next time.
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// A WAL database whose writer never checkpoints by itself, holding `rows` rows of
    /// 1 KB in its WAL only; its path and the writer.
    fn database_in_wal(rows: usize) -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; \
                 CREATE TABLE t (a BLOB)",
            )
            .unwrap();
        for _ in 0..rows {
            writer
                .execute("INSERT INTO t VALUES (zeroblob(1024))", [])
                .unwrap();
        }
        (dir, path, writer)
    }

    fn file_size(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }

    /// Waits up to five seconds for the database file to hold at least `bytes`.
    fn grows_to(path: &Path, bytes: u64) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if file_size(path) >= bytes {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn a_nudge_copies_the_wal_into_the_database_file() {
        let (_dir, path, _writer) = database_in_wal(500);
        assert!(file_size(&path) < 100_000, "the rows are in the WAL only");
        let checkpoints = Checkpoints::start(&path).unwrap();
        checkpoints.nudge();
        assert!(grows_to(&path, 500 * 1024), "{}", file_size(&path));
    }

    #[test]
    fn a_stopped_thread_checkpoints_nothing_more() {
        let (_dir, path, _writer) = database_in_wal(500);
        let checkpoints = Checkpoints::start(&path).unwrap();
        checkpoints.stop();
        checkpoints.nudge();
        std::thread::sleep(GATHER * 3);
        assert!(file_size(&path) < 100_000);
    }

    #[test]
    fn a_missing_file_starts_no_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.db");
        assert!(Checkpoints::start(&path).is_none());
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn the_portals_writes_reach_the_database_file_before_the_writer_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.db");
        let db = super::super::Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let before = file_size(&path);
        let tbs = "x".repeat(4096);
        for n in 0..100 {
            db.insert_challenge(&format!("{n:064}"), "login", "session", &tbs, 0)
                .await
                .unwrap();
        }
        // 100 writes of 4 KB: fewer WAL pages than the writer checkpoints at (1,000).
        assert!(grows_to(&path, before + 100 * 4096), "{}", file_size(&path));
        db.close().await;
    }
}
