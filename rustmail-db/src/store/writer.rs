//! Group commit for the bot's hot-path writes ([`crate::Db::write`]).
//!
//! Every DM relayed costs two small write transactions (the intake, then the settled relay).
//! Run one by one, each pays a `BEGIN`/`COMMIT` (a WAL append and, on Postgres, a flush and a
//! round trip) and, on SQLite, a turn at the single write lock. Here dedicated writer threads
//! take whatever writes are queued (up to [`MAX_BATCH`]), run them all in one transaction,
//! commit once, and only then answer each caller: so nothing is reported written before it is
//! durable, and under load the commit cost is shared by the whole batch. With no load a batch
//! holds one write and costs what it did before.
//!
//! A failing write undoes only itself, without a savepoint per write (on Postgres each
//! `SAVEPOINT` is a round trip and a subtransaction, on SQLite a statement journal): the batch is
//! optimistic. When one of its writes fails, the whole transaction is rolled back and every write
//! of the batch runs again alone, in its own transaction, so the failing one fails by itself and
//! the others commit. Writes are therefore `Fn`: they must be safe to run again after a rollback
//! (they only touch the database). Failing writes are rare on the hot path (an expected conflict,
//! such as a claim already taken, is handled inside the write, in a nested transaction).
//!
//! SQLite gets one writer (it has one write lock anyway, and one writer never waits on it);
//! Postgres gets a few, so that round trips overlap. A batch holds the row locks of all its
//! writes until its commit, so two writers could deadlock over the same tickets taken in
//! opposite orders (seen in the chaos suite: "deadlock detected" lost a staff reply). Writes
//! that lock a conversation's rows (its ticket, jobs, DM channel) are therefore keyed by the
//! user ([`Writers::write_keyed`]): all of one key's writes go to one writer thread, in the
//! order queued, so no two writers ever wait on each other's conversation.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use diesel::connection::TransactionManager;

use crate::connection::{write_tx, DbConnection, DbPool};
use crate::error::{DbError, DomainError};

/// The most writes one transaction takes.
pub const MAX_BATCH: usize = 256;

/// A batch taking this long is logged: every write queued behind it waited as long.
const SLOW_BATCH: std::time::Duration = std::time::Duration::from_millis(50);

type Job = Box<dyn Write>;

/// A queued write.
trait Write: Send {
    /// Runs inside a transaction and keeps the outcome (replacing an earlier run's, which a
    /// rollback undid); `true` if it succeeded.
    fn run(&mut self, conn: &mut DbConnection) -> bool;
    /// Answers the caller with the kept outcome once its transaction's fate is known:
    /// `commit_failed` is why it was not committed.
    fn answer(self: Box<Self>, commit_failed: Option<&str>);
    /// Answers the caller with an error without running.
    fn abandon(self: Box<Self>, reason: &str);
}

struct Pending<T, F> {
    f: F,
    outcome: Option<Result<T, DomainError>>,
    answer: tokio::sync::oneshot::Sender<Result<T, DomainError>>,
}

fn task_error(reason: String) -> DomainError {
    DomainError::Db(DbError::Task(reason))
}

impl<T, F> Write for Pending<T, F>
where
    T: Send + 'static,
    F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
{
    fn run(&mut self, conn: &mut DbConnection) -> bool {
        // A panic becomes an error, undone like any failed write (see `run_batch`).
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (self.f)(conn)))
            .unwrap_or_else(|_| Err(task_error("a database write panicked".to_owned())));
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn answer(self: Box<Self>, commit_failed: Option<&str>) {
        let outcome = match (self.outcome, commit_failed) {
            (None, reason) => Err(task_error(
                reason.unwrap_or("the write did not run").to_owned(),
            )),
            (Some(Ok(_)), Some(reason)) => {
                Err(task_error(format!("the write was not committed: {reason}")))
            }
            (Some(outcome), _) => outcome,
        };
        let _ = self.answer.send(outcome);
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
        F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.write_on(n, f).await
    }

    /// Queues `f` on the writer of `key` (a user: every write of one conversation goes to the
    /// same writer, in the order queued); the result arrives once its batch is committed.
    pub async fn write_keyed<T, F>(&self, key: u64, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        // Snowflakes' low bits are a counter: spread the keys with a multiplicative hash.
        let spread = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        self.write_on(usize::try_from(spread).unwrap_or(0), f).await
    }

    async fn write_on<T, F>(&self, n: usize, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let Some(queue) = self.queues.get(n % self.queues.len().max(1)) else {
            return Err(task_error("no database writer is running".to_owned()));
        };
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(Pending {
            f,
            outcome: None,
            answer,
        });
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
        let fate = run_batch(&mut conn, &mut batch);
        let took = started.elapsed();
        if took >= SLOW_BATCH {
            tracing::warn!(
                writes,
                took_ms = took.as_millis(),
                connection_ms = connected.as_millis(),
                "slow database write batch"
            );
        }
        let reason = match &fate {
            Fate::NotCommitted(reason) => Some(reason.as_str()),
            Fate::Committed | Fate::AWriteFailed => None,
        };
        if matches!(fate, Fate::AWriteFailed) && writes > 1 {
            // Each write again, alone: the failing one undoes only itself.
            for mut job in batch {
                match run_batch(&mut conn, std::slice::from_mut(&mut job)) {
                    Fate::NotCommitted(reason) => job.answer(Some(&reason)),
                    Fate::Committed | Fate::AWriteFailed => job.answer(None),
                }
            }
        } else {
            for job in batch {
                job.answer(reason);
            }
        }
    }
}

/// What became of a batch.
enum Fate {
    /// Every write succeeded and the transaction was committed.
    Committed,
    /// A write failed; the transaction was rolled back.
    AWriteFailed,
    /// The transaction failed around the writes (begin or commit): why.
    NotCommitted(String),
}

/// Runs `batch` in one transaction (no savepoints) and commits it, or rolls it back at the
/// first write that fails.
fn run_batch(conn: &mut DbConnection, batch: &mut [Job]) -> Fate {
    let mut failed = false;
    let result = write_tx(conn, |conn| {
        for job in batch.iter_mut() {
            let ok = job.run(conn);
            close_nested(conn)?;
            if !ok {
                failed = true;
                return Err(diesel::result::Error::RollbackTransaction);
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => Fate::Committed,
        Err(_) if failed => Fate::AWriteFailed,
        Err(e) => Fate::NotCommitted(e.to_string()),
    }
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
