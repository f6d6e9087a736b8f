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
//! Five writes of the hot paths are typed rather than closures, so that a batch takes them
//! set-wise ([`set_wise`]): the DM intakes of a batch (new users' tickets included) in a handful
//! of statements for all of them, the settled one-part relays in one `UPDATE`, the claims of
//! events (one per command) in one `INSERT`, staff replies with their commands' claims in four
//! statements, new tickets' channels in two. On Postgres every statement is a round trip and an
//! executor start-up; under load this is most of the server's work per relayed DM
//! (BENCHMARKS.md, sessions 6 and 7). A write that the set-wise path does not take (an unusual
//! DM, a multi-part relay) runs alone as before, in the same transaction, after the set-wise
//! ones. That reorders a batch, safely: its writes were all queued before any of them was
//! answered, so no caller can have waited on another's, and any order of them is one the
//! callers could have seen. A batch holding one write of a kind runs it alone (with no load
//! nothing changes), except a DM intake, which is cheaper set-wise even alone. One order is kept
//! on purpose: relays' copies are recorded before any intake, because the bot queues a relay's
//! copies without waiting ([`Writers::queue_copies`]) and then the user's next DM, which must find
//! that relay settled.
//!
//! The bot runs one writer thread (see `crate::Db`): on SQLite one writer never waits on the
//! single write lock; on Postgres one writer's set-wise batches are larger, and cost the server
//! less per write, than several writers' overlapping round trips did (BENCHMARKS.md, session 6).
//! Several writers remain possible ([`Writers::start`]). A batch holds the row locks of all its
//! writes until its commit, so two writers could deadlock over the same tickets taken in
//! opposite orders (seen in the chaos suite: "deadlock detected" lost a staff reply). Writes
//! that lock a conversation's rows (its ticket, jobs, DM channel) are therefore keyed by the
//! user ([`Writers::write_keyed`]): all of one key's writes go to one writer thread, in the
//! order queued, so no two writers ever wait on each other's conversation.

mod set_wise;

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;

use diesel::connection::TransactionManager;

use crate::connection::{write_tx, DbConnection, DbPool};
use crate::error::{DbError, DomainError};

/// The most writes one transaction takes.
pub const MAX_BATCH: usize = 256;

/// A batch taking this long is logged: every write queued behind it waited as long.
const SLOW_BATCH: std::time::Duration = std::time::Duration::from_millis(50);

type Job = Box<dyn Write>;

/// A queued write.
trait Write: Send + Any {
    /// Runs inside a transaction and keeps the outcome (replacing an earlier run's, which a
    /// rollback undid); `true` if it succeeded.
    fn run(&mut self, conn: &mut DbConnection) -> bool;
    /// Answers the caller with the kept outcome once its transaction's fate is known:
    /// `commit_failed` is why it was not committed.
    fn answer(self: Box<Self>, commit_failed: Option<&str>);
    /// Answers the caller with an error without running.
    fn abandon(self: Box<Self>, reason: &str);
    /// Forgets the outcome of an earlier run (rolled back): a write's answer is only ever the
    /// outcome of the run that was committed, or an error.
    fn forget(&mut self);
    /// Keeps `error` as the outcome unless the run kept an error of its own (the set-wise path
    /// failed on this write alone).
    fn fail(&mut self, error: DomainError);
    /// The write itself, for the set-wise path to recognise its typed writes.
    fn as_any(&mut self) -> &mut dyn Any;
}

/// A queued write: its input, and how it runs (a closure's input is the closure itself; a
/// typed write's is its data, which the set-wise path reads).
struct Typed<I, T> {
    input: I,
    alone: fn(&mut DbConnection, &I) -> Result<T, DomainError>,
    outcome: Option<Result<T, DomainError>>,
    answer: tokio::sync::oneshot::Sender<Result<T, DomainError>>,
}

type Answer<T> = tokio::sync::oneshot::Receiver<Result<T, DomainError>>;

fn typed<I, T>(
    input: I,
    alone: fn(&mut DbConnection, &I) -> Result<T, DomainError>,
) -> (Job, Answer<T>)
where
    I: Send + 'static,
    T: Send + 'static,
{
    let (answer, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(Typed {
        input,
        alone,
        outcome: None,
        answer,
    });
    (job, result)
}

fn task_error(reason: String) -> DomainError {
    DomainError::Db(DbError::Task(reason))
}

impl<I, T> Write for Typed<I, T>
where
    I: Send + 'static,
    T: Send + 'static,
{
    fn run(&mut self, conn: &mut DbConnection) -> bool {
        // A panic becomes an error, undone like any failed write (see `run_batch`).
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| (self.alone)(conn, &self.input)))
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

    fn forget(&mut self) {
        self.outcome = None;
    }

    fn fail(&mut self, error: DomainError) {
        // The write's own error, if its run kept one, says more.
        if !matches!(self.outcome, Some(Err(_))) {
            self.outcome = Some(Err(error));
        }
    }

    fn as_any(&mut self) -> &mut dyn Any {
        self
    }
}

/// The writer threads' queues, one per thread. Dropping them (with the last [`crate::Db`])
/// stops the threads.
pub struct Writers {
    queues: Vec<Sender<Job>>,
    /// The queue the next unkeyed write goes to.
    next: AtomicUsize,
    /// Writes committed through the set-wise path (see [`Writers::set_wise_writes`]).
    set_wise: Arc<AtomicU64>,
}

impl Writers {
    /// Starts `threads` writer threads on `pool`.
    pub fn start(pool: &DbPool, threads: usize) -> Self {
        let mut queues = Vec::new();
        let set_wise = Arc::new(AtomicU64::new(0));
        for n in 0..threads.max(1) {
            let (queue, jobs) = mpsc::channel::<Job>();
            let pool = pool.clone();
            let counter = Arc::clone(&set_wise);
            let spawned = std::thread::Builder::new()
                .name(format!("rustmail-db-writer-{n}"))
                .spawn(move || run(&pool, &jobs, &counter));
            match spawned {
                Ok(_) => queues.push(queue),
                Err(e) => tracing::error!(error = %e, "cannot start a database writer thread"),
            }
        }
        Self {
            queues,
            next: AtomicUsize::new(0),
            set_wise,
        }
    }

    /// How many writes so far were committed set-wise (not one by one): a figure for the
    /// benchmarks and the tests that the set-wise path is taken at all.
    pub fn set_wise_writes(&self) -> u64 {
        self.set_wise.load(Ordering::Relaxed)
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
        self.write_on(spread(key), f).await
    }

    async fn write_on<T, F>(&self, n: usize, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let (job, result) = typed(f, |conn, f| f(conn));
        self.submit(n, job, result).await
    }

    /// Queues the DM intake `dm` on the writer of its user (as [`Writers::write_keyed`]); a
    /// batch takes the intakes it holds set-wise.
    pub async fn intake(
        &self,
        dm: std::sync::Arc<crate::intake::IncomingDm>,
    ) -> Result<crate::intake::Intake, DomainError> {
        let (job, result) = set_wise::intake(dm.clone());
        self.submit(spread(dm.user_id.get()), job, result).await
    }

    /// Queues the recording of a staff reply on the writer of the ticket's user (as
    /// [`Writers::write_keyed`]); a batch takes the plain replies it holds set-wise.
    pub async fn record_reply(
        &self,
        user: crate::ids::UserId,
        reply: std::sync::Arc<crate::messages::replies::ClaimedReply>,
    ) -> Result<crate::messages::replies::ReplyRecorded, DomainError> {
        let (job, result) = set_wise::reply(reply);
        self.submit(spread(user.get()), job, result).await
    }

    /// Queues the recording of a ticket's channel on the writer of the ticket's user (as
    /// [`Writers::write_keyed`]); a batch records the channels it holds set-wise.
    pub async fn record_channel(
        &self,
        user: crate::ids::UserId,
        claim: crate::tickets::channels::ChannelClaim,
    ) -> Result<crate::tickets::Ticket, DomainError> {
        let (job, result) = set_wise::channel(claim);
        self.submit(spread(user.get()), job, result).await
    }

    /// Queues [`crate::instances::claim_once`] of `key` for `worker` on any writer (as
    /// [`Writers::write`]); a batch takes the claims it holds in one statement.
    pub async fn claim_once(&self, key: String, worker: String) -> Result<bool, DomainError> {
        let (job, result) = set_wise::claim(key, worker);
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.submit(n, job, result).await
    }

    /// Queues the recording of a relay's copies on any writer (as [`Writers::write`]); a batch
    /// settles its one-part relays set-wise.
    pub async fn record_copies(
        &self,
        copies: crate::messages::relay::Copies,
    ) -> Result<(), DomainError> {
        let (job, result) = set_wise::copies(copies);
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.submit(n, job, result).await
    }

    /// Queues the recording of a relay's copies on the writer of `user` (as
    /// [`Writers::write_keyed`]) at once, before the returned future is polled: a write queued
    /// after this call (the user's next DM) runs after it, in its batch or a later one.
    pub fn queue_copies(
        &self,
        user: crate::ids::UserId,
        copies: crate::messages::relay::Copies,
    ) -> impl std::future::Future<Output = Result<(), DomainError>> + Send + 'static {
        let (job, result) = set_wise::copies(copies);
        let queued = self.send(spread(user.get()), job);
        async move {
            queued?;
            answered(result).await
        }
    }

    /// Waits until every write queued so far is answered, on every writer: a stop waits this way
    /// for the writes nobody waits on (a relay's copies, [`Writers::queue_copies`]).
    pub async fn flush(&self) {
        let mut answers = Vec::new();
        for n in 0..self.queues.len() {
            let (job, answer) = typed((), |_, ()| Ok(()));
            if self.send(n, job).is_ok() {
                answers.push(answer);
            }
        }
        for answer in answers {
            let _ = answer.await;
        }
    }

    async fn submit<T>(
        &self,
        n: usize,
        job: Job,
        result: tokio::sync::oneshot::Receiver<Result<T, DomainError>>,
    ) -> Result<T, DomainError> {
        self.send(n, job)?;
        answered(result).await
    }

    fn send(&self, n: usize, job: Job) -> Result<(), DomainError> {
        let Some(queue) = self.queues.get(n % self.queues.len().max(1)) else {
            return Err(task_error("no database writer is running".to_owned()));
        };
        queue
            .send(job)
            .map_err(|_| task_error("the database writers stopped".to_owned()))
    }
}

async fn answered<T>(result: Answer<T>) -> Result<T, DomainError> {
    result
        .await
        .map_err(|_| task_error("a database writer stopped before answering".to_owned()))?
}

/// The writer of `key`. Snowflakes' low bits are a counter: spread the keys with a
/// multiplicative hash.
fn spread(key: u64) -> usize {
    usize::try_from(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32).unwrap_or(0)
}

/// One writer thread: take a batch, run it in one transaction, commit, answer.
fn run(pool: &DbPool, jobs: &Receiver<Job>, set_wise: &AtomicU64) {
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
        let fate = run_batch(&mut conn, &mut batch, set_wise);
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
                match run_batch(&mut conn, std::slice::from_mut(&mut job), set_wise) {
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
fn run_batch(conn: &mut DbConnection, batch: &mut [Job], set_wise: &AtomicU64) -> Fate {
    let mut failed = false;
    let mut taken_set_wise = 0;
    // An outcome kept from a run that was rolled back must never be answered: a DM taken in by
    // a batch that failed, then failing alone (another bot process recorded it meanwhile), was
    // answered with its rolled-back record, and relayed under an id that never existed (CI,
    // `two_instances_same_token_postgres`: a DM relayed twice).
    for job in batch.iter_mut() {
        job.forget();
    }
    let result = write_tx(conn, |conn| {
        let done = match set_wise::run(conn, batch) {
            Ok(done) => done,
            Err(e) => {
                tracing::debug!(error = %e, "a set-wise write failed; each write runs alone");
                failed = true;
                if let [alone] = &mut *batch {
                    alone.fail(e);
                }
                return Err(diesel::result::Error::RollbackTransaction);
            }
        };
        close_nested(conn)?;
        taken_set_wise = done.iter().filter(|d| **d).count();
        for (job, done) in batch.iter_mut().zip(done) {
            if done {
                continue;
            }
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
        Ok(()) => {
            set_wise.fetch_add(
                u64::try_from(taken_set_wise).unwrap_or(0),
                Ordering::Relaxed,
            );
            Fate::Committed
        }
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
