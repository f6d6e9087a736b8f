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
//! Postgres gets a few, so that round trips overlap.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use crate::connection::{write_tx, DbConnection, DbPool};
use crate::error::{DbError, DomainError};

/// The most writes one transaction takes.
pub const MAX_BATCH: usize = 256;

/// Answers the caller once the batch's fate is known: `Some(reason)` if the commit failed.
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;
type Job = Box<dyn Write>;

/// A queued write.
trait Write: Send {
    /// Runs in its savepoint; returns how to answer the caller.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Finish;
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
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Finish {
        let Pending { f, answer } = *self;
        // A nested `write_tx` is a savepoint: a failed write undoes only itself. A panic
        // becomes an error inside the savepoint, so the transaction stays consistent.
        let outcome = write_tx(conn, |conn| {
            std::panic::catch_unwind(AssertUnwindSafe(|| f(conn)))
                .unwrap_or_else(|_| Err(task_error("a database write panicked".to_owned())))
        });
        Box::new(move |commit_failed: Option<&str>| {
            let outcome = match commit_failed {
                Some(reason) if outcome.is_ok() => {
                    Err(task_error(format!("the write was not committed: {reason}")))
                }
                _ => outcome,
            };
            let _ = answer.send(outcome);
        })
    }

    fn abandon(self: Box<Self>, reason: &str) {
        let _ = self.answer.send(Err(task_error(reason.to_owned())));
    }
}

/// The writer threads' queue. Dropping it (with the last [`crate::Db`]) stops the threads.
pub struct Writers {
    queue: Sender<Job>,
}

impl Writers {
    /// Starts `threads` writer threads on `pool`.
    pub fn start(pool: &DbPool, threads: usize) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads.max(1) {
            let pool = pool.clone();
            let jobs = Arc::clone(&jobs);
            let spawned = std::thread::Builder::new()
                .name(format!("rustmail-db-writer-{n}"))
                .spawn(move || run(&pool, &jobs));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a database writer thread");
            }
        }
        Self { queue }
    }

    /// Queues `f`; the result arrives once its batch is committed (or failed).
    pub async fn write<T, F>(&self, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(Pending { f, answer });
        self.queue
            .send(job)
            .map_err(|_| task_error("the database writers stopped".to_owned()))?;
        result
            .await
            .map_err(|_| task_error("a database writer stopped before answering".to_owned()))?
    }
}

/// One writer thread: take a batch, run it in one transaction, commit, answer.
fn run(pool: &DbPool, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let mut batch = Vec::new();
        {
            let jobs = jobs.lock().unwrap_or_else(PoisonError::into_inner);
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
        }
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
        let mut finishes = Vec::with_capacity(batch.len());
        let committed = write_tx(&mut conn, |conn| {
            for job in batch {
                finishes.push(job.run(conn));
            }
            Ok::<(), diesel::result::Error>(())
        });
        let reason = committed.err().map(|e| e.to_string());
        for finish in finishes {
            finish(reason.as_deref());
        }
    }
}
