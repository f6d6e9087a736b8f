//! The connection pool: r2d2 over our own connection manager.
//!
//! r2d2 checks a connection on every checkout by default, which for diesel means a `SELECT 1`:
//! one extra round trip to PostgreSQL for every read the bot makes and every batch a writer
//! commits (and a statement on SQLite). Here a connection is checked on checkout only when its
//! last check is older than [`RECHECK_AFTER`]: a connection broken while pooled (PostgreSQL
//! restarted) is still found and replaced, by the first checkout after that interval, while a
//! busy connection is not pinged hundreds of times a second. A connection that breaks in use
//! fails that use (callers treat it as transient and retry) and is replaced within
//! [`RECHECK_AFTER`].

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection as _;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection as _};

use super::{DatabaseUrl, DbConnection, SQLITE_BUSY_TIMEOUT};
use crate::error::DbError;

/// How old a connection's last check may be before a checkout checks it again.
pub const RECHECK_AFTER: Duration = Duration::from_secs(1);

/// A pooled connection and when it was last known to work.
pub struct Pooled {
    conn: DbConnection,
    checked: Instant,
}

impl Deref for Pooled {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Opens connections to the backend the URL names (never trying the other one first, as
/// diesel's `MultiConnection::establish` would).
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        let conn =
            super::connect_driver(&self.url).map_err(diesel::r2d2::Error::ConnectionError)?;
        Ok(Pooled {
            conn,
            checked: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), Self::Error> {
        if conn.checked.elapsed() < RECHECK_AFTER {
            return Ok(());
        }
        conn.conn.ping().map_err(diesel::r2d2::Error::QueryError)?;
        conn.checked = Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        std::thread::panicking() || conn.conn.is_broken()
    }
}

/// Applies the per-connection settings every pooled connection needs.
#[derive(Debug, Clone, Copy)]
pub(super) struct ConnectionSetup {
    /// SQLite: WAL checkpoints are left to the checkpointer thread
    /// ([`super::checkpoint`]) instead of whichever connection commits past the threshold.
    pub(super) checkpoints_elsewhere: bool,
}

impl ConnectionSetup {
    pub(super) fn apply(self, conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
        if let DbConnection::Sqlite(c) = conn {
            // busy_timeout first, so the pragmas after it wait for a lock instead of failing.
            // journal_mode is not set here: WAL is persistent in the file and is switched on once
            // by `establish` (switching needs an exclusive lock, which pooled connections opening
            // together would fight over).
            // temp_store: the writer runs each write of a batch in a savepoint, whose undo
            // (statement journal) SQLite otherwise keeps in a temporary file: a `pwrite` system
            // call per page changed (seen in the writer's stack during the relay benchmark).
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA temp_store = MEMORY;",
                SQLITE_BUSY_TIMEOUT.as_millis()
            ))?;
            if self.checkpoints_elsewhere {
                c.batch_execute("PRAGMA wal_autocheckpoint = 0;")?;
            }
        }
        Ok(())
    }
}

impl CustomizeConnection<Pooled, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut Pooled) -> Result<(), diesel::r2d2::Error> {
        self.apply(&mut conn.conn)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Connection errors the pool met while opening connections in the background (r2d2 retries them;
/// they are logged and counted here, for metrics and tests).
static POOL_ERRORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many background connection errors the pools of this process have met.
pub fn pool_error_count() -> u64 {
    POOL_ERRORS.load(std::sync::atomic::Ordering::Relaxed)
}

#[derive(Debug, Clone, Copy)]
struct PoolErrors;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for PoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        POOL_ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::warn!(%error, "database pool could not open a connection");
    }
}

/// The connection pool type used by [`crate::Db`].
pub type DbPool = Pool<Manager>;

/// A connection checked out of a [`DbPool`].
pub type PooledConnection = diesel::r2d2::PooledConnection<Manager>;

/// Connections kept open while idle. SQLite: open them as load needs them (and let idle ones go)
/// rather than all at start-up, since each carries its own page cache. Postgres: all of them
/// from start-up, since each costs the server a process fork and some milliseconds; opened
/// during a burst, they delayed its first reads (BENCHMARKS.md, session 7).
fn min_idle(backend: super::Backend, size: u32) -> u32 {
    match backend {
        super::Backend::Sqlite => size.clamp(1, 2),
        super::Backend::Postgres => size.max(1),
    }
}

/// Builds a pool after checking that one connection can be opened (so a bad URL or a stopped
/// server is reported once, clearly, instead of as a pool timeout). `checkpoints_elsewhere`:
/// SQLite connections leave WAL checkpoints to a [`super::checkpoint::Checkpointer`].
pub fn build_pool(
    url: &DatabaseUrl,
    size: u32,
    checkpoints_elsewhere: bool,
) -> Result<DbPool, DbError> {
    drop(super::establish(url)?);
    Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(min_idle(url.backend(), size)))
        .connection_timeout(Duration::from_secs(15))
        .connection_customizer(Box::new(ConnectionSetup {
            checkpoints_elsewhere,
        }))
        .error_handler(Box::new(PoolErrors))
        .build(Manager::new(url.clone()))
        .map_err(|e| DbError::Connect {
            url: url.redacted(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::RunQueryDsl as _;

    fn temp_url(name: &str) -> (DatabaseUrl, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("rustmail-{name}-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        (DatabaseUrl::parse(path.to_str().unwrap()).unwrap(), path)
    }

    #[test]
    fn a_connection_is_checked_again_only_after_the_interval() {
        let (url, _path) = temp_url("recheck");
        let manager = Manager::new(url);
        let mut conn = manager.connect().unwrap();
        let fresh = conn.checked;
        manager.is_valid(&mut conn).unwrap();
        assert_eq!(conn.checked, fresh, "a fresh connection is not pinged");
        conn.checked = Instant::now().checked_sub(RECHECK_AFTER * 2).unwrap();
        manager.is_valid(&mut conn).unwrap();
        assert!(
            conn.checked.elapsed() < RECHECK_AFTER,
            "an old check is renewed by a ping"
        );
    }

    #[test]
    fn a_broken_postgres_connection_is_found_by_the_next_check() {
        let Some(url) = crate::testing::TestDatabase::postgres_url() else {
            return;
        };
        let manager = Manager::new(DatabaseUrl::parse(&url).unwrap());
        let mut conn = manager.connect().unwrap();
        // Ends this connection's server process, as a server restart would.
        let mut other = manager.connect().unwrap();
        let pid: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
            "pg_backend_pid()",
        ))
        .get_result(&mut *conn)
        .unwrap();
        diesel::select(
            diesel::dsl::sql::<diesel::sql_types::Bool>("pg_terminate_backend(")
                .bind::<diesel::sql_types::Integer, _>(pid)
                .sql(")"),
        )
        .get_result::<bool>(&mut *other)
        .unwrap();
        conn.checked = Instant::now().checked_sub(RECHECK_AFTER * 2).unwrap();
        assert!(manager.is_valid(&mut conn).is_err());
    }
}
