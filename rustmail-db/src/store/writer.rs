//! Group commit for the bot's hot-path writes ([`crate::Db::write`]).
//!
//! Every DM relayed costs two small write transactions (the intake, then the settled relay).
//! Run one by one, each pays a `BEGIN`/`COMMIT` (a WAL append and, on Postgres, a flush and a
//! round trip) and, on SQLite, a turn at the single write lock. Here dedicated writer threads
//! take whatever writes are queued (up to [`MAX_BATCH`]), run each in a savepoint of one shared
//! transaction, commit once, and only then answer each caller: so nothing is reported written
//! before it is durable, one failing write rolls back only its own savepoint, and under load
//! the commit cost is shared by the whole batch. With no load a batch holds one write and
//! costs what it did before.
//!
//! SQLite gets one writer (it has one write lock anyway, and one writer never waits on it);
//! Postgres gets a few, so that round trips overlap. A batch holds the row locks of all its
//! writes until its commit, so two writers could deadlock over the same tickets taken in
//! opposite orders (seen in the chaos suite: "deadlock detected" lost a staff reply). Writes
//! that lock a conversation's rows (its ticket, jobs, DM channel) are therefore keyed by the
//! user ([`Writers::write_keyed`]): all of one key's writes go to one writer thread, in the
//! order queued, so no two writers ever wait on each other's conversation.
//!
//! The savepoints are the writer's own statements rather than diesel's nested transactions,
//! because on Postgres each statement is a round trip: a batch of one write needs no savepoint
//! (the transaction is its undo), and between two writes one `RELEASE SAVEPOINT; SAVEPOINT`
//! round trip replaces diesel's two. Nested transactions inside a write still work: diesel sees
//! the batch's transaction and makes its own savepoints under it.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use diesel::connection::{SimpleConnection as _, TransactionManager};

use crate::connection::{write_tx, DbConnection, DbPool};
use crate::error::{DbError, DomainError};

/// The most writes one transaction takes.
pub const MAX_BATCH: usize = 256;

/// A batch taking this long is logged: every write queued behind it waited as long.
const SLOW_BATCH: std::time::Duration = std::time::Duration::from_millis(50);

/// Answers the caller once the batch's fate is known: `Some(reason)` if the commit failed.
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;
type Job = Box<dyn Write>;

/// A queued write.
trait Write: Send {
    /// Runs inside the batch's transaction; returns how to answer the caller and whether it
    /// succeeded (the caller undoes a failed one).
    fn run(self: Box<Self>, conn: &mut DbConnection) -> (Finish, bool);
    /// Answers the caller with an error without running.
    fn abandon(self: Box<Self>, reason: &str);
}

struct Pending<T, F> {
    f: F,
    answer: tokio::sync::oneshot::Sender<Result<T, DomainError>>,
}

fn task_error(reason: String) -> DomainError {
    DomainError::Db(DbError::Task(reason))
}

impl<T, F> Write for Pending<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> (Finish, bool) {
        let Pending { f, answer } = *self;
        // A panic becomes an error, undone like any failed write (see `run_batch`).
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(task_error("a database write panicked".to_owned())));
        let ok = outcome.is_ok();
        let finish: Finish = Box::new(move |commit_failed: Option<&str>| {
            let outcome = match commit_failed {
                Some(reason) if outcome.is_ok() => {
                    Err(task_error(format!("the write was not committed: {reason}")))
                }
                _ => outcome,
            };
            let _ = answer.send(outcome);
        });
        (finish, ok)
    }

    fn abandon(self: Box<Self>, reason: &str) {
        let _ = self.answer.send(Err(task_error(reason.to_owned())));
    }
}

/// The writer threads' queues, one per thread. Dropping them (with the last [`crate::Db`])
/// stops the threads.
pub struct Writers {
    queues: Vec<Sender<Job>>,
    /// The queue the next unkeyed write goes to.
    next: AtomicUsize,
}

impl Writers {
    /// Starts `threads` writer threads on `pool`.
    pub fn start(pool: &DbPool, threads: usize) -> Self {
        let mut queues = Vec::new();
        for n in 0..threads.max(1) {
            let (queue, jobs) = mpsc::channel::<Job>();
            let pool = pool.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("rustmail-db-writer-{n}"))
                .spawn(move || run(&pool, &jobs));
            match spawned {
                Ok(_) => queues.push(queue),
                Err(e) => tracing::error!(error = %e, "cannot start a database writer thread"),
            }
        }
        Self {
            queues,
            next: AtomicUsize::new(0),
        }
    }

    /// Queues `f` on any writer; the result arrives once its batch is committed (or failed).
    /// For writes that lock no conversation's rows (a relay's copies, a claim).
    pub async fn write<T, F>(&self, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.write_on(n, f).await
    }

    /// Queues `f` on the writer of `key` (a user: every write of one conversation goes to the
    /// same writer, in the order queued); the result arrives once its batch is committed.
    pub async fn write_keyed<T, F>(&self, key: u64, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        // Snowflakes' low bits are a counter: spread the keys with a multiplicative hash.
        let spread = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        self.write_on(usize::try_from(spread).unwrap_or(0), f).await
    }

    async fn write_on<T, F>(&self, n: usize, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let Some(queue) = self.queues.get(n % self.queues.len().max(1)) else {
            return Err(task_error("no database writer is running".to_owned()));
        };
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(Pending { f, answer });
        queue
            .send(job)
            .map_err(|_| task_error("the database writers stopped".to_owned()))?;
        result
            .await
            .map_err(|_| task_error("a database writer stopped before answering".to_owned()))?
    }
}

/// One writer thread: take a batch, run it in one transaction, commit, answer.
fn run(pool: &DbPool, jobs: &Receiver<Job>) {
    loop {
        let mut batch = Vec::new();
        match jobs.recv() {
            Ok(job) => batch.push(job),
            Err(_) => return,
        }
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let mut conn = match pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                let reason = format!("no database connection available: {e}");
                for job in batch {
                    job.abandon(&reason);
                }
                continue;
            }
        };
        let connected = started.elapsed();
        let writes = batch.len();
        let mut finishes = Vec::with_capacity(batch.len());
        let committed = run_batch(&mut conn, batch, &mut finishes);
        let took = started.elapsed();
        if took >= SLOW_BATCH {
            tracing::warn!(
                writes,
                took_ms = took.as_millis(),
                connection_ms = connected.as_millis(),
                "slow database write batch"
            );
        }
        let reason = committed.err().map(|e| e.to_string());
        for finish in finishes {
            finish(reason.as_deref());
        }
    }
}

/// The savepoint that isolates each write of a batch of several: set, undone after a failed
/// write (which keeps it for the next), and released and set again after a successful one.
const SAVEPOINT: &str = "SAVEPOINT rustmail_write";
const UNDO: &str = "ROLLBACK TO SAVEPOINT rustmail_write";
const NEXT: &str = "RELEASE SAVEPOINT rustmail_write; SAVEPOINT rustmail_write";

/// Why a batch of one write is rolled back (its caller gets the write's own error).
const ONLY_WRITE_FAILED: &str = "the write failed";

/// Runs `batch` in one transaction and commits it. With several writes, each runs in the
/// savepoint [`SAVEPOINT`], rolled back to if the write fails; a batch of one has no savepoint
/// and is rolled back as a whole instead.
fn run_batch(
    conn: &mut DbConnection,
    batch: Vec<Job>,
    finishes: &mut Vec<Finish>,
) -> Result<(), diesel::result::Error> {
    let several = batch.len() > 1;
    let last = batch.len().saturating_sub(1);
    write_tx(conn, |conn| {
        if several {
            conn.batch_execute(SAVEPOINT)?;
        }
        for (i, job) in batch.into_iter().enumerate() {
            let (finish, ok) = job.run(conn);
            finishes.push(finish);
            close_nested(conn)?;
            if !ok && !several {
                return Err(diesel::result::Error::QueryBuilderError(
                    ONLY_WRITE_FAILED.into(),
                ));
            }
            if !ok {
                // Leaves the savepoint in place for the next write.
                conn.batch_execute(UNDO)?;
            } else if several && i < last {
                // The commit releases the last write's savepoint.
                conn.batch_execute(NEXT)?;
            }
        }
        Ok(())
    })
}

/// Rolls back nested transactions a write left open (a panic halfway through one), so the
/// batch's own statements run at the depth they expect.
fn close_nested(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    loop {
        let depth =
            <DbConnection as diesel::Connection>::TransactionManager::transaction_manager_status_mut(
                conn,
            )
            .transaction_depth()?
            .map_or(0, std::num::NonZeroU32::get);
        if depth <= 1 {
            return Ok(());
        }
        <DbConnection as diesel::Connection>::TransactionManager::rollback_transaction(conn)?;
    }
}
