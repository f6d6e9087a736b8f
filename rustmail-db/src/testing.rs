//! Throw-away databases for tests, on both backends.
//!
//! [`TestDatabase::sqlite`] makes a file in the temp directory; [`TestDatabase::postgres`] creates
//! a fresh database on the server named by `RUSTMAIL_TEST_POSTGRES_URL`, so concurrent test runs
//! never see each other's rows. Both are removed on drop.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;

use crate::store::Db;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The environment variable naming the Postgres server used by the test suites.
pub const POSTGRES_ENV: &str = "RUSTMAIL_TEST_POSTGRES_URL";

/// Instantiates each story `fn name(t: &TestDatabase)` of a test file for both backends: a
/// `sqlite::name` test always, and a `postgres::name` test that runs on a fresh database when
/// [`POSTGRES_ENV`] is set (and fails under `CI=true` when it is not).
#[macro_export]
macro_rules! stories {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                let t = $crate::testing::TestDatabase::sqlite();
                super::$name(&t);
            })+
        }
        mod postgres {
            $(#[test]
            fn $name() {
                let Some(url) = $crate::testing::TestDatabase::postgres_url() else {
                    eprintln!("RUSTMAIL_TEST_POSTGRES_URL is not set: Postgres story not run");
                    return;
                };
                let t = $crate::testing::TestDatabase::postgres(&url);
                super::$name(&t);
            })+
        }
    };
}

/// A database that exists for as long as this value.
pub struct TestDatabase {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn unique_suffix() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}_{}_{}", std::process::id(), n, nanos)
}

impl TestDatabase {
    /// A fresh, migrated SQLite database in a temporary file.
    pub fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("rustmail-test-{}.db", unique_suffix()));
        let url = format!("sqlite://{}", path.display());
        let db = Db::open(&url, 8).expect("open test sqlite database");
        Self {
            db,
            url,
            cleanup: Cleanup::File(path),
        }
    }

    /// The Postgres server URL for tests, if configured. With `CI=true` an unset variable is a
    /// failure, never a skip.
    pub fn postgres_url() -> Option<String> {
        match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.trim().is_empty() => Some(url),
            _ => {
                assert!(
                    std::env::var("CI").map_or(true, |v| v != "true"),
                    "{POSTGRES_ENV} must be set when CI=true: the Postgres suite is mandatory"
                );
                None
            }
        }
    }

    /// A fresh, migrated Postgres database (its own `CREATE DATABASE`) on the server at
    /// `admin_url`.
    pub fn postgres(admin_url: &str) -> Self {
        let name = format!("rustmail_test_{}", unique_suffix());
        let mut admin = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("connect to Postgres for tests ({POSTGRES_ENV}): {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = replace_database(admin_url, &name);
        let db = Db::open(&url, 8).expect("open test postgres database");
        Self {
            db,
            url,
            cleanup: Cleanup::PgDatabase {
                admin_url: admin_url.to_owned(),
                name,
            },
        }
    }
}

/// `postgres://u@h:5432/test?x=y` with the database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            replace_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}

/// The SQL of every statement run on a connection while it is installed
/// (`conn.set_instrumentation(log.clone())`): for tests that count statements. Clones share one
/// log.
#[derive(Clone, Default)]
pub struct StatementLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl StatementLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every statement so far, with diesel's `-- binds: [...]` suffix.
    pub fn statements(&self) -> Vec<String> {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The statements that do work: without transaction control (`BEGIN`, `COMMIT`,
    /// `ROLLBACK`, savepoints).
    pub fn work(&self) -> Vec<String> {
        let control = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"];
        self.statements()
            .into_iter()
            .filter(|sql| !control.iter().any(|c| sql.starts_with(c)))
            .collect()
    }
}

impl diesel::connection::Instrumentation for StatementLog {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = event {
            if let Ok(mut log) = self.0.lock() {
                log.push(query.to_string());
            }
        }
    }
}

/// Holds the writer with a write that sleeps for `hold` (spawned on the current tokio runtime),
/// so that the writes queued meanwhile form one batch behind it: how the tests reach the
/// writer's set-wise path. Returns once the hold has started. With several writer threads, an
/// unkeyed write holds only one of them.
pub async fn hold_writer(
    db: &Db,
    hold: std::time::Duration,
) -> tokio::task::JoinHandle<Result<(), crate::DomainError>> {
    let db = db.clone();
    let holding = tokio::spawn(async move {
        db.write(move |_| {
            std::thread::sleep(hold);
            Ok(())
        })
        .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    holding
}

/// The tokio runtime of the tests that drive the writer: two workers, as the bot's machine.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A ticket opened by `user`'s DM, in the tests' staff guild.
pub fn user_ticket(user: u64) -> crate::tickets::NewTicket {
    crate::tickets::NewTicket {
        user_id: crate::ids::UserId(user),
        user_name: format!("user{user}"),
        guild_id: crate::ids::GuildId(900_000_000_000_000_001),
        opened_via: crate::tickets::OpenedVia::UserDm,
        opened_by: crate::ids::UserId(user),
        category_id: None,
    }
}

/// A plain DM of `user` with Discord id `id`: text only, from their DM channel, allowed to open a
/// ticket, no channel turn.
pub fn plain_dm(user: u64, id: u64) -> crate::intake::IncomingDm {
    crate::intake::IncomingDm {
        user_id: crate::ids::UserId(user),
        user_name: format!("user{user}"),
        staff_guild: crate::ids::GuildId(900_000_000_000_000_001),
        dm_channel: crate::ids::ChannelId(700_000_000_000_000_000 + user),
        message_id: crate::ids::MessageId(id),
        content: format!("message {id} of {user}"),
        attachments: Vec::new(),
        may_open: true,
        channel_turn: None,
    }
}
