//! Committing a writer's batches, on Postgres while its next batch already runs.
//!
//! A Postgres `COMMIT` waits for its WAL records to reach the disk. With one writer thread that
//! wait was dead time: nothing else was written meanwhile, and every write queued behind waited
//! as long. Measured in session 6 (50 users x 20 DMs): 3,558-4,377 relays/s committing on the
//! writer thread, 5,121-5,737 when the commit did not wait for the flush at all
//! (`synchronous_commit=off`, a setting we do not use: it gives up durability).
//!
//! Here the writer runs a batch up to its commit, hands the open transaction (its connection)
//! to a committer thread, and takes the next batch on another pooled connection while the first
//! commits; each caller is still answered only once its own batch is committed. At most one
//! commit is in flight. This is safe because a batch being committed has done all its work: the
//! next batch may wait on its row locks, but it never waits on the next, so they cannot
//! deadlock. And one conversation's writes never overlap: a batch holding a key (a user) that
//! the batch in flight also holds waits for that commit first ([`Committer::wait_if_it_holds_a_key_of`]),
//! so it reads what the earlier one wrote, as it did before.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;

use diesel::connection::TransactionManager as _;

use super::Job;
use crate::connection::{DbConnection, PooledConnection};

/// Commits the open transaction of a batch that took `taken_set_wise` writes set-wise
/// (counted into `set_wise` once committed); why, when it failed.
pub(super) fn commit(
    conn: &mut DbConnection,
    taken_set_wise: usize,
    set_wise: &AtomicU64,
) -> Result<(), String> {
    <DbConnection as diesel::Connection>::TransactionManager::commit_transaction(conn)
        .map_err(|e| e.to_string())?;
    set_wise.fetch_add(
        u64::try_from(taken_set_wise).unwrap_or(0),
        Ordering::Relaxed,
    );
    Ok(())
}

/// A batch whose writes all succeeded, its transaction open on `conn`.
struct Committing {
    conn: PooledConnection,
    batch: Vec<Job>,
    taken_set_wise: usize,
}

/// The writer's side of its committer thread.
pub(super) struct Committer {
    handoff: SyncSender<Committing>,
    finished: Receiver<()>,
    /// The keys of the batch being committed (`None`: no commit in flight).
    in_flight: Option<HashSet<u64>>,
    set_wise: Arc<AtomicU64>,
}

impl Committer {
    /// Starts the committer thread (`None` if the thread cannot start: commit on the writer).
    pub(super) fn start(set_wise: Arc<AtomicU64>) -> Option<Self> {
        // A rendezvous: the writer hands a batch over only when the committer is free.
        let (handoff, batches) = mpsc::sync_channel::<Committing>(0);
        let (done, finished) = mpsc::channel();
        let counter = Arc::clone(&set_wise);
        let spawned = std::thread::Builder::new()
            .name("rustmail-db-committer".to_owned())
            .spawn(move || {
                for mut batch in batches {
                    let failed = commit(&mut batch.conn, batch.taken_set_wise, &counter).err();
                    // The connection goes back to the pool before the callers are answered.
                    drop(batch.conn);
                    for job in batch.batch {
                        job.answer(failed.as_deref());
                    }
                    if done.send(()).is_err() {
                        return;
                    }
                }
            });
        match spawned {
            Ok(_) => Some(Self {
                handoff,
                finished,
                in_flight: None,
                set_wise,
            }),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the database committer thread");
                None
            }
        }
    }

    /// Waits for the commit in flight if it holds a key (a conversation) of `batch`.
    pub(super) fn wait_if_it_holds_a_key_of(&mut self, batch: &[Job]) {
        let shares = self.in_flight.as_ref().is_some_and(|keys| {
            batch
                .iter()
                .filter_map(|job| job.key())
                .any(|k| keys.contains(&k))
        });
        if shares {
            self.wait();
        }
    }

    /// Waits for the commit in flight, if any.
    fn wait(&mut self) {
        if self.in_flight.take().is_some() {
            // An error means the thread is gone; it answered what it had.
            let _ = self.finished.recv();
        }
    }

    /// Hands `batch`, its transaction open on `conn`, over to be committed and answered, once
    /// the commit before it is done.
    pub(super) fn commit(
        &mut self,
        conn: PooledConnection,
        batch: Vec<Job>,
        taken_set_wise: usize,
    ) {
        self.wait();
        let keys: HashSet<u64> = batch.iter().filter_map(|job| job.key()).collect();
        let committing = Committing {
            conn,
            batch,
            taken_set_wise,
        };
        match self.handoff.send(committing) {
            Ok(()) => self.in_flight = Some(keys),
            Err(mpsc::SendError(mut committing)) => {
                // The committer is gone (it panicked): commit here.
                let failed = commit(
                    &mut committing.conn,
                    committing.taken_set_wise,
                    &self.set_wise,
                )
                .err();
                drop(committing.conn);
                for job in committing.batch {
                    job.answer(failed.as_deref());
                }
            }
        }
    }
}
