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
    pool_size: u32,
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
            pool_size,
            writers: Arc::new(OnceLock::new()),
            _checkpointer: checkpointer,
        })
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

    fn writers(&self) -> &writer::Writers {
        self.writers.get_or_init(|| {
            let threads = match self.backend() {
                // One write lock: one writer never waits on it.
                Backend::Sqlite => 1,
                // Overlap round trips, leaving connections for readers.
                Backend::Postgres => usize::try_from(self.pool_size / 2).unwrap_or(1).clamp(1, 4),
            };
            writer::Writers::start(&self.pool, threads)
        })
    }

    fn checkout(&self) -> Result<PooledConnection, DbError> {
        self.pool.get().map_err(|e| DbError::Pool(e.to_string()))
    }
}
