//! Writes made as one transaction in one call to the database, for the requests every
//! login makes: on SQLite the statements from `BEGIN` to `COMMIT` in one text, so the
//! connection's thread is handed the work once instead of once per statement (and once
//! more for each `BEGIN` and `COMMIT`); on PostgreSQL one statement whose `WITH` parts
//! make the other changes, atomic on its own.

use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::query::Query;

use super::{Backend, Db};
use crate::PortalError;

/// The text of one such write for each backend.
pub(super) struct AtOnce {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl Db {
    /// The text of `write` for this database.
    pub(super) fn at_once_sql(&self, write: &AtOnce) -> &'static str {
        match self.backend {
            Backend::Sqlite => write.sqlite,
            Backend::Postgres => write.postgres,
        }
    }

    /// Runs `query`, made from [`Self::at_once_sql`], on the writer.
    pub(super) async fn write_at_once(
        &self,
        query: Query<'static, Any, AnyArguments<'static>>,
    ) -> Result<(), PortalError> {
        self.write_at_once_returning(query).await.map(drop)
    }

    /// Runs `query`, made from [`Self::at_once_sql`], on the writer, every statement of
    /// it to the end; the rows its `RETURNING` clauses gave. (Counts of changed rows
    /// cannot tell what it did: SQLite reports, for a statement that changes nothing
    /// such as `BEGIN`, the count of the connection's last change.) On SQLite a failed
    /// statement leaves the batch's transaction open: it is rolled back here (and a
    /// connection still inside one is closed when it goes back to the pool).
    pub(super) async fn write_at_once_returning(
        &self,
        query: Query<'static, Any, AnyArguments<'static>>,
    ) -> Result<Vec<AnyRow>, PortalError> {
        let mut conn = self.writer.acquire().await?;
        let done = query.fetch_all(&mut *conn).await;
        if done.is_err() && self.backend == Backend::Sqlite {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        }
        Ok(done?)
    }
}
