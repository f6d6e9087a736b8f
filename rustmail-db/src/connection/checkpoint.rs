//! SQLite WAL checkpoints on a thread of their own.
//!
//! By default the connection whose commit takes the WAL past 1,000 pages runs the checkpoint
//! inside that commit: it copies the WAL into the database file and syncs both, several
//! milliseconds on this kind of disk, and on the bot that connection is the writer thread, so
//! every relay in the batches queued behind it waited too (the tail of the paced relay
//! benchmark, BENCHMARKS.md session 4). Here pooled connections have automatic checkpoints off
//! and [`Checkpointer`] runs a `PASSIVE` checkpoint (one that never waits for, or blocks,
//! readers and writers) every [`INTERVAL`] on a connection of its own.
//!
//! Even off the writer thread a checkpoint slows the relays around it (it competes for the
//! two cores and the disk), so fewer is better up to a point: paced relays' p99 (3 runs each)
//! was 2.70–3.28 ms with SQLite's own checkpoints, 2.36–2.61 ms every 200 ms, 1.82–1.98 ms every
//! second; every 3 s measured no better than every second and lets the WAL grow longer.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use diesel::connection::SimpleConnection as _;

use super::{establish, DatabaseUrl, DbConnection};
use crate::error::DbError;

/// How often the WAL is copied back into the database file.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// The running checkpointer; dropping it (with the last [`crate::Db`]) stops the thread after
/// one last checkpoint.
#[derive(Debug)]
pub struct Checkpointer {
    _stop: Sender<()>,
}

impl Checkpointer {
    /// Opens the checkpointer's connection and starts its thread.
    pub fn start(url: &DatabaseUrl) -> Result<Self, DbError> {
        let mut conn = establish(url)?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("rustmail-db-checkpoint".into())
            .spawn(move || loop {
                let last = !matches!(
                    stopped.recv_timeout(INTERVAL),
                    Err(RecvTimeoutError::Timeout)
                );
                checkpoint(&mut conn);
                if last {
                    return;
                }
            })
            .map_err(|e| DbError::Task(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self { _stop: stop })
    }
}

fn checkpoint(conn: &mut DbConnection) {
    if let DbConnection::Sqlite(c) = conn {
        if let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
            tracing::warn!(error = %e, "WAL checkpoint failed; retrying at the next interval");
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection as _;
    use diesel::RunQueryDsl as _;

    use crate::testing::TestDatabase;

    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        wal_autocheckpoint: i64,
    }

    #[test]
    fn the_wal_is_copied_back_by_the_checkpointer_not_by_committing_connections() {
        let test = TestDatabase::sqlite();
        let path = test.url.trim_start_matches("sqlite://").to_owned();
        let size = || std::fs::metadata(&path).map_or(0, |m| m.len());
        let setting: Setting = test
            .db
            .with_conn(|c| {
                diesel::sql_query("PRAGMA wal_autocheckpoint")
                    .get_result(c)
                    .map_err(crate::DomainError::from)
            })
            .unwrap();
        assert_eq!(setting.wal_autocheckpoint, 0, "pooled connections leave it");
        // Settle what the migrations wrote, then write ~4 MB (about 1,000 pages: the point at
        // which a committing connection would checkpoint on its own).
        std::thread::sleep(super::INTERVAL + std::time::Duration::from_millis(500));
        let before = size();
        test.db
            .with_conn(|c| {
                c.batch_execute(
                    "CREATE TABLE filler (x BLOB);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
                     INSERT INTO filler SELECT randomblob(4000) FROM n;",
                )
                .map_err(crate::DomainError::from)
            })
            .unwrap();
        let deadline = std::time::Instant::now() + super::INTERVAL * 20;
        while size() < before + 3_000_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(super::INTERVAL / 2);
        }
        assert!(
            size() >= before + 3_000_000,
            "the database file grew from {before} to only {} bytes",
            size()
        );
    }
}
