//! [`Db`]: the pool, opened and migrated, with the two ways to reach it.
//!
//! The CLI calls [`Db::with_conn`] (plain blocking code); the bot calls [`Db::run`], which moves
//! the same closure onto tokio's blocking pool so a database round trip never stalls the async
//! runtime. Both run the same domain functions, which take `&mut DbConnection`. The bot's
//! hot-path writes go through [`Db::write`] instead: group commit by writer threads
//! ([`writer`]).

pub mod writer;

use std::sync::{Arc, OnceLock};

use crate::connection::checkpoint::Checkpointer;
use crate::connection::{build_pool, Backend, DatabaseUrl, DbConnection, DbPool, PooledConnection};
use crate::error::{DbError, DomainError};
use crate::migrate::{self, MigrationState};

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    url: DatabaseUrl,
    /// How many writer threads the first [`Db::write`] starts.
    writer_threads: usize,
    /// Started by the first [`Db::write`] (the CLI never starts them).
    writers: Arc<OnceLock<writer::Writers>>,
    /// SQLite files: the thread that checkpoints the WAL (stops with the last clone).
    _checkpointer: Option<Arc<Checkpointer>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Connects (without migrating). `pool_size` is the number of pooled connections.
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, DbError> {
        let url = DatabaseUrl::parse(url)?;
        let in_memory = url.target() == ":memory:";
        let checkpointer = if url.backend() == Backend::Sqlite && !in_memory {
            Some(Arc::new(Checkpointer::start(&url)?))
        } else {
            None
        };
        let pool = build_pool(&url, pool_size, checkpointer.is_some())?;
        Ok(Self {
            pool,
            url,
            writer_threads: 1,
            writers: Arc::new(OnceLock::new()),
            _checkpointer: checkpointer,
        })
    }

    /// The same database with `threads` writer threads instead of one (the bot's),
    /// for a handle whose writers have not started yet: tests of several writers.
    #[must_use]
    pub fn with_writer_threads(mut self, threads: usize) -> Self {
        self.writer_threads = threads.max(1);
        self.writers = Arc::new(OnceLock::new());
        self
    }

    /// Connects and applies pending migrations: what the bot does at start-up.
    pub fn open(url: &str, pool_size: u32) -> Result<Self, DbError> {
        let db = Self::connect(url, pool_size)?;
        db.migrate()?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The URL with its password hidden, for messages.
    pub fn redacted_url(&self) -> String {
        self.url.redacted()
    }

    /// Applies pending migrations; returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.checkout()?;
        migrate::run_pending(&mut conn)
    }

    /// Every migration and whether it is applied.
    pub fn migration_status(&self) -> Result<Vec<MigrationState>, DbError> {
        let mut conn = self.checkout()?;
        migrate::status(&mut conn)
    }

    /// Runs `f` with a pooled connection on the current thread (CLI, tests, blocking code).
    pub fn with_conn<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.checkout().map_err(E::from)?;
        f(&mut conn)
    }

    /// Runs `f` with a pooled connection on tokio's blocking pool (the bot).
    pub async fn run<T, F>(&self, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.with_conn(f))
            .await
            .map_err(|e| DomainError::Db(DbError::Task(e.to_string())))?
    }

    /// Runs the write `f` in a batch with other queued writes, in one transaction (group
    /// commit; see [`writer`]). `f`'s failure undoes only itself (the batch is rolled back and
    /// its writes run again one by one, so `f` must be safe to run again); the result arrives
    /// once the batch is committed.
    pub async fn write<T, F>(&self, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        self.writers().write(f).await
    }

    /// [`Db::write`] for a write that locks a conversation's rows (its ticket, jobs, DM
    /// channel): keyed by the user, so all of one user's such writes go to one writer thread,
    /// in order, and two writer threads never deadlock over one conversation.
    pub async fn write_keyed<T, F>(&self, key: u64, f: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DomainError> + Send + 'static,
    {
        self.writers().write_keyed(key, f).await
    }

    /// Takes in a user's DM ([`crate::intake::intake_dm_within`]) as a write keyed by the user
    /// (see [`Db::write_keyed`]); a batch takes the DM intakes it holds set-wise.
    pub async fn intake(
        &self,
        dm: Arc<crate::intake::IncomingDm>,
    ) -> Result<crate::intake::Intake, DomainError> {
        self.writers().intake(dm).await
    }

    /// Records a relay's Discord copies ([`crate::messages::relay::record_copies`]) as a write
    /// (see [`Db::write`]); a batch settles the one-part relays it holds in one statement.
    pub async fn record_copies(
        &self,
        copies: crate::messages::relay::Copies,
    ) -> Result<(), DomainError> {
        self.writers().record_copies(copies).await
    }

    /// Queues the recording of a relay's copies on the writer of the conversation's `user`
    /// before returning ([`writer::Writers::queue_copies`]): the user's next write (their next
    /// DM's intake) is queued after it, so it sees the relay settled.
    pub fn queue_copies(
        &self,
        user: crate::ids::UserId,
        copies: crate::messages::relay::Copies,
    ) -> impl std::future::Future<Output = Result<(), DomainError>> + Send + 'static {
        self.writers().queue_copies(user, copies)
    }

    /// Waits until every write queued so far is committed or failed (nothing to wait for if no
    /// write was ever made): for a clean stop.
    pub async fn flush(&self) {
        if let Some(writers) = self.writers.get() {
            writers.flush().await;
        }
    }

    /// Records a staff reply, claiming its command first when asked
    /// ([`crate::messages::replies::record_claimed`]), as a write keyed by the ticket's user
    /// (see [`Db::write_keyed`]); a batch takes the plain replies it holds set-wise.
    pub async fn record_reply(
        &self,
        user: crate::ids::UserId,
        reply: Arc<crate::messages::replies::ClaimedReply>,
    ) -> Result<crate::messages::replies::ReplyRecorded, DomainError> {
        self.writers().record_reply(user, reply).await
    }

    /// Records the channel created for a ticket and gives up the turn to create it
    /// ([`crate::tickets::channels::record_channel`]), as a write keyed by the ticket's user
    /// (see [`Db::write_keyed`]); a batch records the channels it holds set-wise.
    pub async fn record_channel(
        &self,
        user: crate::ids::UserId,
        claim: crate::tickets::channels::ChannelClaim,
    ) -> Result<crate::tickets::Ticket, DomainError> {
        self.writers().record_channel(user, claim).await
    }

    /// Claims `key` for `worker`, once ([`crate::instances::claim_once`]), as a write (see
    /// [`Db::write`]); a batch takes the claims it holds in one statement.
    pub async fn claim_once(&self, key: String, worker: String) -> Result<bool, DomainError> {
        self.writers().claim_once(key, worker).await
    }

    /// How many writes were committed set-wise so far (see [`writer`]).
    pub fn set_wise_writes(&self) -> u64 {
        self.writers
            .get()
            .map_or(0, writer::Writers::set_wise_writes)
    }

    fn writers(&self) -> &writer::Writers {
        // One writer thread on either backend (unless a test asks for more). SQLite has one write lock, and one writer never
        // waits on it. On Postgres several writers used to overlap their round trips; since
        // batches are taken set-wise, one writer's batches are larger and cost the server about
        // half as much per relayed DM: 50 users x 20 DMs went from 2,861-3,106 relays/s with
        // four writers to 3,707-4,452 with one (BENCHMARKS.md, session 6). It also leaves no
        // two writers to deadlock over one conversation.
        self.writers
            .get_or_init(|| writer::Writers::start(&self.pool, self.writer_threads))
    }

    fn checkout(&self) -> Result<PooledConnection, DbError> {
        self.pool.get().map_err(|e| DbError::Pool(e.to_string()))
    }
}
