//! Connecting to SQLite or PostgreSQL through one diesel `MultiConnection`.
//!
//! The backend is chosen from the URL scheme ourselves, because diesel's `establish` on a
//! `MultiConnection` swallows the real error of the first backend it tries. SQLite connections are
//! tuned on checkout (WAL, foreign keys, busy timeout) and write transactions on SQLite start with
//! `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing on lock upgrade.

use std::fmt;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use crate::error::DbError;

pub mod cached;
pub mod checkpoint;
pub mod per_row;
pub mod pool;

pub(crate) use cached::CachedDsl;

pub use pool::{build_pool, pool_error_count, DbPool, PooledConnection};

/// One database connection, to either backend. Domain functions take `&mut DbConnection`.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same generic expression on whichever concrete connection is inside a
/// [`DbConnection`]; for the few statements `MultiConnection` cannot express (`RETURNING`).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::DbConnection::Postgresql($c) => $body,
            $crate::connection::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// A parsed database URL: the backend and what to hand to the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// For SQLite, the file path (or `:memory:`); for Postgres, the whole URL.
    target: String,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("backend", &self.backend)
            .field("target", &redact_url(&self.target))
            .finish()
    }
}

impl DatabaseUrl {
    /// `postgres://` or `postgresql://` → Postgres; `sqlite://path` or a plain path → SQLite;
    /// any other scheme is an error that names the URL with its password hidden.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DbError::InvalidUrl {
                url: String::new(),
                reason: "is empty".into(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: without_tls_on_loopback(url),
            });
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::InvalidUrl {
                    url: url.to_owned(),
                    reason: "names no file (use sqlite://path/to/rustmail.db)".into(),
                });
            }
            return Ok(Self {
                backend: Backend::Sqlite,
                target: path.to_owned(),
            });
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(DbError::InvalidUrl {
                url: redact_url(url),
                reason: format!(
                    "unsupported scheme `{scheme}` (use sqlite://, postgres:// or postgresql://)"
                ),
            });
        }
        Ok(Self {
            backend: Backend::Sqlite,
            target: url.to_owned(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What the driver is given (a file path for SQLite).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The URL for messages and logs, with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.target),
            Backend::Postgres => redact_url(&self.target),
        }
    }
}

pub use crate::config::redact_url;

/// A PostgreSQL URL to this host without an `sslmode` gets `sslmode=disable`: libpq's default
/// (`prefer`) negotiates TLS even over loopback, where it protects nothing and costs about a
/// seventh of the bot's CPU per relayed DM (`SSL_write`/`SSL_read` on every round trip,
/// BENCHMARKS.md session 3). Any `sslmode` the operator wrote is kept, as is every other host.
fn without_tls_on_loopback(url: &str) -> String {
    let (_, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    let has_sslmode = query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("sslmode"));
    let has_host_param = query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("host"));
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if has_sslmode || has_host_param || !loopback {
        return url.to_owned();
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}sslmode=disable")
}

/// How long a SQLite writer waits for the lock before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The driver's connection to the backend the URL names (no settings applied): never the other
/// backend first, as diesel's `MultiConnection::establish` would try.
pub(crate) fn connect_driver(url: &DatabaseUrl) -> diesel::ConnectionResult<DbConnection> {
    match url.backend {
        Backend::Postgres => PgConnection::establish(&url.target).map(DbConnection::Postgresql),
        Backend::Sqlite => SqliteConnection::establish(&url.target).map(DbConnection::Sqlite),
    }
}

/// Opens one connection, with the backend's real error on failure.
pub fn establish(url: &DatabaseUrl) -> Result<DbConnection, DbError> {
    if url.backend == Backend::Sqlite {
        create_sqlite_file(&url.target)?;
    }
    let mut conn = connect_driver(url).map_err(|e| DbError::Connect {
        url: url.redacted(),
        reason: e.to_string(),
    })?;
    pool::ConnectionSetup {
        checkpoints_elsewhere: false,
    }
    .apply(&mut conn)
    .map_err(|e| DbError::Connect {
        url: url.redacted(),
        reason: e.to_string(),
    })?;
    if let DbConnection::Sqlite(c) = &mut conn {
        c.batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(|e| DbError::Connect {
                url: url.redacted(),
                reason: format!("cannot switch to WAL: {e}"),
            })?;
    }
    Ok(conn)
}

/// Creates a SQLite database file with owner-only permissions before SQLite opens it, so the
/// tickets (personal data) are not world-readable.
pub(crate) fn create_sqlite_file(path: &str) -> Result<(), DbError> {
    if path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| DbError::Connect {
            url: format!("sqlite://{}", path.display()),
            reason: format!("cannot create directory {}: {e}", parent.display()),
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(DbError::Connect {
            url: format!("sqlite://{}", path.display()),
            reason: format!("cannot create the database file: {e}"),
        }),
    }
}

/// The row of a lookup by a unique key, loaded without `LIMIT 1`. SQLite reads a bound `LIMIT ?`
/// (diesel's `.first()`) while planning, and then marks the cached statement to be prepared
/// again every time that parameter is bound: each one-row lookup on the relay path was parsed
/// and planned anew (~15% of the bot's CPU per relayed DM, BENCHMARKS.md session 3). A unique
/// key finds at most one row, so the limit adds nothing.
pub(crate) fn only_row<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// Runs `f` inside the caller's transaction when there is one (no savepoint), else in a write
/// transaction of its own ([`write_tx`]). Only for `f` that never carries on after one of its
/// own statements failed: its error must undo the caller's transaction too, as the bot's
/// batched writer does (it rolls the batch back and runs each write again alone). On Postgres
/// each savepoint is two more round trips.
pub fn within_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if in_transaction(conn)? {
        return f(conn);
    }
    write_tx(conn, f)
}

/// Whether `conn` is inside a transaction (a nested call would make a savepoint).
pub(crate) fn in_transaction(conn: &mut DbConnection) -> Result<bool, diesel::result::Error> {
    Ok(
        <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()?
            .is_some(),
    )
}

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (take the write lock up front, so
/// concurrent writers wait on the busy timeout rather than fail when upgrading a read lock), an
/// ordinary transaction on Postgres. Nested calls become savepoints.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if in_transaction(conn)? {
        return conn.transaction(f);
    }
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").map_err(E::from)?;
        }
        DbConnection::Postgresql(c) => {
            AnsiTransactionManager::begin_transaction(c).map_err(E::from)?;
        }
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
                .map_err(E::from)?;
            Ok(value)
        }
        Err(err) => {
            // The original error matters more than a failed rollback (which leaves the
            // connection marked broken, so the pool discards it).
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_pool_opens_cleanly_while_another_writer_holds_the_lock() {
        // Every pooled connection sets its busy timeout before anything that may need a lock,
        // so opening a pool while another process writes waits instead of failing.
        let path = std::env::temp_dir().join(format!("rustmail-pool-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let before = pool_error_count();
        let url = DatabaseUrl::parse(path.to_str().unwrap()).unwrap();
        // Another process (e.g. a running bot) holds the write lock while the pool opens.
        let mut writer = establish(&url).unwrap();
        if let DbConnection::Sqlite(c) = &mut writer {
            c.batch_execute(
                "CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);",
            )
            .unwrap();
        }
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            if let DbConnection::Sqlite(c) = &mut writer {
                c.batch_execute("COMMIT;").unwrap();
            }
        });
        let pool = build_pool(&url, 8, false).unwrap();
        release.join().unwrap();
        let conns: Vec<_> = (0..8).map(|_| pool.get().unwrap()).collect();
        assert_eq!(conns.len(), 8);
        assert_eq!(pool_error_count(), before);
        drop(conns);
        drop(pool);
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }

    #[test]
    fn picks_backend_from_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap().backend(),
            Backend::Postgres
        );
        let sqlite = DatabaseUrl::parse("sqlite://data/rustmail.db").unwrap();
        assert_eq!(sqlite.backend(), Backend::Sqlite);
        assert_eq!(sqlite.target(), "data/rustmail.db");
        assert_eq!(
            DatabaseUrl::parse("rustmail.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("/var/lib/x.db").unwrap().target(),
            "/var/lib/x.db"
        );
    }

    #[test]
    fn loopback_postgres_goes_without_tls_unless_the_url_says_otherwise() {
        let target = |u: &str| DatabaseUrl::parse(u).unwrap().target().to_owned();
        assert_eq!(
            target("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
        );
        assert_eq!(
            target("postgresql://u:p@localhost/db?application_name=x"),
            "postgresql://u:p@localhost/db?application_name=x&sslmode=disable"
        );
        assert_eq!(
            target("postgres://[::1]:5432/db"),
            "postgres://[::1]:5432/db?sslmode=disable"
        );
        for kept in [
            "postgres://u@127.0.0.1/db?sslmode=require",
            "postgres://u@db.example.net/db",
            "postgres://u@10.0.0.5:5432/db",
            "postgres://u@127.0.0.1/db?host=/run/postgresql",
        ] {
            assert_eq!(target(kept), kept);
        }
    }

    #[test]
    fn rejects_other_schemes_without_leaking_the_password() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@localhost/db").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("mysql"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("root:***@localhost"), "{text}");
        assert!(DatabaseUrl::parse("").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:p@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("plain.db"), "plain.db");
        let debug = format!(
            "{:?}",
            DatabaseUrl::parse("postgres://u:secret@h/db").unwrap()
        );
        assert!(!debug.contains("secret"), "{debug}");
    }
}
