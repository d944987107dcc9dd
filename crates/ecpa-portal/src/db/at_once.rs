//! Writes made as one transaction in one call to the database, for the requests every
//! login makes. On PostgreSQL one statement whose `WITH` parts make the other changes,
//! atomic on its own. On SQLite in a file, the write thread (`write_thread`) commits
//! them. On SQLite in memory (which no second connection can open) the statements in
//! one text, so the connection's thread is handed the work once instead of once per
//! statement; and the writes waiting for the one writer connection are committed
//! together (group commit): whoever gets the writer takes every write queued meanwhile
//! and sends them as one transaction. A write is answered only once its transaction
//! has committed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::Row;
use sqlx::any::{Any, AnyRow};
use sqlx::pool::PoolConnection;
use tokio::sync::oneshot;

use super::values::{Value, bind_values};
use super::{Backend, Db};
use crate::PortalError;

/// Most writes committed in one transaction.
pub(super) const MOST_IN_A_BATCH: usize = 8;

/// Most batches committed in one turn with the writer: each turn costs a pool
/// acquire, a spawned return and a hand-over between requests, during which the writer
/// is idle; a few batches a turn keep it busy under load, and a transaction that waits
/// for the writer (an import, a registration) still gets it after a few commits.
pub(super) const MOST_BATCHES_IN_A_TURN: usize = 4;

/// The text of one such write for each backend.
pub(super) struct AtOnce {
    /// The statements without `BEGIN`/`COMMIT`, placeholders `$1`…`$params`; a
    /// `RETURNING` clause returns `{job}` as its last column.
    pub sqlite: &'static str,
    pub postgres: &'static str,
    /// How many placeholders the texts use.
    pub params: usize,
}

/// A write waiting for the writer.
struct Queued {
    id: u64,
    write: &'static AtOnce,
    values: Vec<Value>,
    reply: oneshot::Sender<Result<Vec<AnyRow>, PortalError>>,
}

/// The SQLite writer's queue of writes and the batch texts made so far.
#[derive(Default)]
pub(super) struct WriteQueue {
    waiting: Mutex<Vec<Queued>>,
    next_id: AtomicU64,
    /// Batch texts by the sequence of writes they hold (each write by its address).
    texts: Mutex<HashMap<Vec<usize>, Arc<str>>>,
    /// Set when the writer connection is known to be outside any transaction, for the
    /// check as it goes back to the pool (see `Db::connect`).
    known_outside_transaction: Arc<AtomicBool>,
}

impl std::fmt::Debug for WriteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteQueue").finish_non_exhaustive()
    }
}

impl WriteQueue {
    /// The flag the writer pool's return check reads and clears.
    pub(super) fn outside_transaction_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.known_outside_transaction)
    }

    /// Queues a write; its number for [`WriteQueue::withdraw`].
    fn push(
        &self,
        write: &'static AtOnce,
        values: Vec<Value>,
        reply: oneshot::Sender<Result<Vec<AnyRow>, PortalError>>,
    ) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let queued = Queued {
            id,
            write,
            values,
            reply,
        };
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(queued);
        id
    }

    /// Takes write `id` out of the queue; false if a batch has already taken it.
    fn withdraw(&self, id: u64) -> bool {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let before = waiting.len();
        waiting.retain(|queued| queued.id != id);
        waiting.len() < before
    }

    fn take_batch(&self) -> Vec<Queued> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        waiting.retain(|queued| !queued.reply.is_closed());
        let take = waiting.len().min(MOST_IN_A_BATCH);
        let mut batch: Vec<Queued> = waiting.drain(..take).collect();
        // One text per mix of writes, whatever order they came in.
        batch.sort_by_key(|queued| address(queued.write));
        batch
    }

    fn text(&self, batch: &[Queued]) -> Arc<str> {
        let key: Vec<usize> = batch.iter().map(|queued| address(queued.write)).collect();
        let mut texts = self.texts.lock().unwrap_or_else(PoisonError::into_inner);
        let text = texts
            .entry(key)
            .or_insert_with(|| batch_text(batch.iter().map(|queued| queued.write)).into());
        Arc::clone(text)
    }
}

/// A write's identity: the address of its static text.
pub(super) fn address(write: &'static AtOnce) -> usize {
    std::ptr::from_ref(write) as usize
}

/// `BEGIN`, each write's statements with its placeholders numbered on from the last
/// write's and its number in place of `{job}`, `COMMIT`.
fn batch_text<'a>(writes: impl Iterator<Item = &'a AtOnce>) -> String {
    let mut text = String::from("BEGIN; ");
    let mut offset = 0;
    for (job, write) in writes.enumerate() {
        let statements = write.sqlite.replace("{job}", &job.to_string());
        let mut rest = statements.as_str();
        while let Some(at) = rest.find('$') {
            text.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let number: usize = rest[..digits].parse().unwrap_or(0);
            let _ = write!(text, "{}", number + offset);
            rest = &rest[digits..];
        }
        text.push_str(rest);
        text.push_str("; ");
        offset += write.params;
    }
    text.push_str("COMMIT");
    text
}

impl Db {
    /// Runs `write` with `values` (in the order of its placeholders) on the writer;
    /// how many rows its `RETURNING` clause gave.
    pub(super) async fn write_at_once(
        &self,
        write: &'static AtOnce,
        values: Vec<Value>,
    ) -> Result<usize, PortalError> {
        if self.backend == Backend::Postgres {
            let query = bind_values(sqlx::query(write.postgres), &values);
            return Ok(query.fetch_all(&self.writer).await?.len());
        }
        if let Some(thread) = &self.write_thread {
            return thread.write(write, values).await;
        }
        self.write_in_queue(write, values)
            .await
            .map(|rows| rows.len())
    }

    /// SQLite in memory: `write` committed by whichever request gets the writer.
    async fn write_in_queue(
        &self,
        write: &'static AtOnce,
        values: Vec<Value>,
    ) -> Result<Vec<AnyRow>, PortalError> {
        let (reply, mut answer) = oneshot::channel();
        let id = self.queue.push(write, values, reply);
        loop {
            tokio::select! {
                biased;
                done = &mut answer => {
                    return done.unwrap_or_else(|_| {
                        Err(PortalError::Internal("a queued write was dropped".into()))
                    });
                }
                writer = self.writer.acquire() => {
                    let writer = match writer {
                        Ok(writer) => writer,
                        // Given up only if no batch has taken the write yet; a batch
                        // that has is committing it and will answer.
                        Err(error) if self.queue.withdraw(id) => return Err(error.into()),
                        Err(_) => continue,
                    };
                    let batch = self.queue.take_batch();
                    if batch.is_empty() {
                        // Our write went in an earlier batch; the writer, untouched,
                        // is as the last return check left it.
                        self.queue.known_outside_transaction.store(true, Ordering::Release);
                        drop(writer);
                        continue;
                    }
                    // On a task of its own, so that this request going away does not
                    // stop a transaction other requests wait for.
                    let queue = Arc::clone(&self.queue);
                    let _ = tokio::spawn(commit_batch(queue, writer, batch)).await;
                }
            }
        }
    }
}

/// Sends `batch` as one transaction on `writer` and answers each write, then the
/// writes queued meanwhile, up to [`MOST_BATCHES_IN_A_TURN`] batches. If a batch
/// fails, each of its writes is tried again in a transaction of its own, so that one
/// write's failure is answered to that write alone. The answers go out before the
/// writer is released, so a request that gets the writer next finds its own write
/// answered.
async fn commit_batch(queue: Arc<WriteQueue>, mut writer: PoolConnection<Any>, batch: Vec<Queued>) {
    commit_one_batch(&queue, &mut writer, batch).await;
    for _ in 1..MOST_BATCHES_IN_A_TURN {
        let batch = queue.take_batch();
        if batch.is_empty() {
            break;
        }
        commit_one_batch(&queue, &mut writer, batch).await;
    }
    drop(writer);
}

async fn commit_one_batch(
    queue: &WriteQueue,
    writer: &mut PoolConnection<Any>,
    batch: Vec<Queued>,
) {
    let answers = match run(queue, writer, &batch).await {
        Ok(rows) => rows_by_job(rows, batch.len()).into_iter().map(Ok).collect(),
        Err(error) if batch.len() == 1 => vec![Err(error)],
        Err(error) => {
            tracing::warn!(writes = batch.len(), %error, "a batch of writes failed; each tried alone");
            let mut answers = Vec::with_capacity(batch.len());
            for queued in &batch {
                answers.push(run(queue, writer, std::slice::from_ref(queued)).await);
            }
            answers
        }
    };
    for (queued, answer) in batch.into_iter().zip(answers) {
        let _ = queued.reply.send(answer);
    }
}

/// One transaction of `batch`'s writes; rolled back if it fails.
async fn run(
    queue: &WriteQueue,
    writer: &mut PoolConnection<Any>,
    batch: &[Queued],
) -> Result<Vec<AnyRow>, PortalError> {
    let text = queue.text(batch);
    let query = batch.iter().fold(sqlx::query(&text), |query, queued| {
        bind_values(query, &queued.values)
    });
    match query.fetch_all(&mut **writer).await {
        Ok(rows) => {
            queue
                .known_outside_transaction
                .store(true, Ordering::Release);
            Ok(rows)
        }
        Err(error) => {
            // A failed statement leaves the transaction open: roll it back (a connection
            // still inside one is closed when it goes back to the pool).
            let _ = sqlx::query("ROLLBACK").execute(&mut **writer).await;
            queue
                .known_outside_transaction
                .store(false, Ordering::Release);
            Err(error.into())
        }
    }
}

/// The rows of a batch split by the job number in their last column.
fn rows_by_job(rows: Vec<AnyRow>, jobs: usize) -> Vec<Vec<AnyRow>> {
    let mut by_job: Vec<Vec<AnyRow>> = (0..jobs).map(|_| Vec::new()).collect();
    for row in rows {
        let job = row
            .try_get::<i64, _>(row.len().saturating_sub(1))
            .unwrap_or(-1);
        if let Some(rows) = usize::try_from(job).ok().and_then(|j| by_job.get_mut(j)) {
            rows.push(row);
        }
    }
    by_job
}

/// The writer pool's return check: skipped once when [`commit_batch`] has just seen
/// its transaction commit.
pub(super) fn skip_return_check(flag: &AtomicBool) -> bool {
    flag.swap(false, Ordering::AcqRel)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const FIRST: AtOnce = AtOnce {
        sqlite: "INSERT INTO t VALUES ($1, $2)",
        postgres: "",
        params: 2,
    };
    const SECOND: AtOnce = AtOnce {
        sqlite: "UPDATE t SET a = $1 WHERE b = $3 RETURNING a, {job}",
        postgres: "",
        params: 3,
    };

    #[test]
    fn a_batch_numbers_each_writes_placeholders_on_from_the_last() {
        let text = batch_text([&FIRST, &SECOND, &SECOND].into_iter());
        assert_eq!(
            text,
            "BEGIN; INSERT INTO t VALUES ($1, $2); \
             UPDATE t SET a = $3 WHERE b = $5 RETURNING a, 1; \
             UPDATE t SET a = $6 WHERE b = $8 RETURNING a, 2; COMMIT"
        );
    }
}
