//! SQLite-specific guarantees: the database file is created owner-only, and every pooled
//! connection has WAL, foreign keys and a busy timeout.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use rustmail_db::connection::DbConnection;
use rustmail_db::Db;

#[derive(QueryableByName)]
struct Mode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = BigInt)]
    foreign_keys: i64,
}

#[derive(QueryableByName)]
struct Timeout {
    #[diesel(sql_type = BigInt)]
    timeout: i64,
}

#[test]
fn sqlite_file_is_owner_only_and_connections_are_tuned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("rustmail.db");
    let db = Db::open(&format!("sqlite://{}", path.display()), 2).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "database file mode {mode:o}");
    }
    db.with_conn(|c: &mut DbConnection| -> Result<(), rustmail_db::DbError> {
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(c).unwrap();
        assert_eq!(mode.journal_mode, "wal");
        let fk: Flag = diesel::sql_query("PRAGMA foreign_keys").get_result(c).unwrap();
        assert_eq!(fk.foreign_keys, 1);
        let t: Timeout = diesel::sql_query("PRAGMA busy_timeout").get_result(c).unwrap();
        assert!(t.timeout >= 1000);
        // Foreign keys are enforced: a message for a ticket that does not exist is refused.
        let err = c
            .batch_execute(
                "INSERT INTO messages (ticket_id, direction, author_id, author_name, content, relay_state, created_at) \
                 VALUES (424242, 'system', 1, 'x', 'y', 'not_relayed', '2026-01-01 00:00:00')",
            )
            .unwrap_err();
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
        Ok(())
    })
    .unwrap();
}

#[test]
fn plain_paths_are_sqlite_and_other_schemes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    let db = Db::open(path.to_str().unwrap(), 1).unwrap();
    assert_eq!(db.backend(), rustmail_db::Backend::Sqlite);
    let err = Db::open("mysql://root:secret@localhost/x", 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("mysql") && !err.contains("secret"), "{err}");
}

#[test]
fn unreachable_postgres_is_a_clear_error() {
    // Port 1 on loopback: nothing listens there.
    let err = Db::open("postgres://u:pw@127.0.0.1:1/x", 1)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot connect to postgres://u:***@127.0.0.1:1/x"),
        "{err}"
    );
    assert!(!err.contains("pw@"), "{err}");
}
