//! SQLite reads made on the calling thread. sqlx runs each SQLite connection on a
//! thread of its own and hands every statement and its rows across a channel, a few
//! context switches each: most of a login's CPU time (docs/PERFORMANCE.md, "Where the
//! time goes").
//! The reads every request or login makes (its session, its challenge, the card's
//! holder) go through these connections instead, called directly: SQLite answers them
//! from its page cache in microseconds, less than one hand-over costs. A read holds a
//! runtime thread only that long; writes stay with the one writer (`at_once`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::PortalError;

/// Most idle connections kept; a read finding none idle opens one, so at most one
/// per thread reading at the same moment is ever open.
const MOST_IDLE: usize = 16;

/// How long a read waits for a lock SQLite holds briefly (a WAL reset, a recovery);
/// the same as sqlx's connections.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// Read-only connections to one SQLite file, opened on demand and reused.
#[derive(Debug)]
pub(super) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReads {
    /// For the database file at `path`; `None` for an in-memory database, which
    /// another connection cannot open.
    pub(super) fn for_url(url: &str, path: &Path) -> Option<Self> {
        (!super::sqlite_url::in_memory(url)).then(|| Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Runs `read` on an idle connection (or a new one) and keeps the connection.
    pub(super) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, PortalError>,
    ) -> Result<T, PortalError> {
        let idle = self.lock().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = read(&conn);
        let mut idle = self.lock();
        if idle.len() < MOST_IDLE {
            idle.push(conn);
        }
        result
    }

    /// The first row `sql` gives with `params`, read by `map`; the statement is reset
    /// after it, so no read transaction stays open.
    pub(super) fn first_row<T>(
        &self,
        sql: &str,
        params: &[(&str, &dyn rusqlite::ToSql)],
        map: impl FnOnce(&rusqlite::Row<'_>) -> Result<T, PortalError>,
    ) -> Result<Option<T>, PortalError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(sql)?;
            let mut rows = statement.query(params)?;
            rows.next()?.map(map).transpose()
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> Result<Connection, PortalError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(BUSY_WAIT)?;
        Ok(conn)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A WAL database file with table `t` made by `sql`, its writer connection, and
    /// direct reads of it.
    fn database(sql: &str) -> (tempfile::TempDir, Connection, DirectReads) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reads.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(&format!("PRAGMA journal_mode = WAL; {sql}"))
            .unwrap();
        let reads = DirectReads::for_url("sqlite://reads.db", &path).unwrap();
        (dir, writer, reads)
    }

    fn count(reads: &DirectReads) -> Result<i64, PortalError> {
        reads.read(|conn| Ok(conn.query_row("SELECT count(*) FROM t", [], |row| row.get(0))?))
    }

    #[test]
    fn reads_see_each_commit_of_another_connection_and_reuse_one_connection() {
        let (_dir, writer, reads) = database("CREATE TABLE t (a INTEGER)");
        assert_eq!(count(&reads).unwrap(), 0);
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_eq!(count(&reads).unwrap(), 1);
        assert_eq!(reads.lock().len(), 1, "one connection, kept between reads");
    }

    #[test]
    fn a_read_that_stops_after_the_first_row_leaves_no_snapshot_open() {
        let (dir, writer, reads) =
            database("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3)");
        let first: Option<i64> = reads
            .first_row("SELECT a FROM t ORDER BY a", &[], |row| Ok(row.get(0)?))
            .unwrap();
        assert_eq!(first, Some(1));
        writer.execute("INSERT INTO t VALUES (4)", []).unwrap();
        // A reader still inside a read transaction would keep the WAL from being reset.
        let (busy, _, _): (i64, i64, i64) = writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!(busy, 0);
        assert_eq!(
            std::fs::metadata(dir.path().join("reads.db-wal"))
                .unwrap()
                .len(),
            0
        );
    }

    /// `.cargo/config.toml` builds the bundled SQLite without the locks every
    /// connection of the process would share.
    #[test]
    fn sqlite_is_built_without_a_shared_page_cache_lock_or_memory_statistics() {
        let conn = Connection::open_in_memory().unwrap();
        let mut statement = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }

    #[test]
    fn a_read_cannot_write() {
        let (_dir, _writer, reads) = database("CREATE TABLE t (a INTEGER)");
        let write = reads.read(|conn| Ok(conn.execute("INSERT INTO t VALUES (1)", [])?));
        assert!(
            matches!(write, Err(PortalError::DirectRead(_))),
            "{write:?}"
        );
        assert_eq!(count(&reads).unwrap(), 0);
    }

    #[test]
    fn an_in_memory_database_has_no_direct_reads() {
        let path = Path::new(":memory:");
        assert!(DirectReads::for_url("sqlite::memory:", path).is_none());
        assert!(DirectReads::for_url("sqlite://x?mode=memory", path).is_none());
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_new_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.db");
        let reads = DirectReads::for_url("sqlite://missing.db", &path).unwrap();
        let read = count(&reads);
        assert_eq!(
            read.map_err(|e| e.code()).unwrap_err(),
            ecpa_wire::ErrorCode::SERVICE_UNAVAILABLE
        );
        assert!(!path.exists());
    }
}
