//! Group commit ([`rustmail_db::Db::write`]) on both backends: many concurrent writes share
//! transactions, yet each one that succeeds is durable when answered, each one that fails (or
//! panics) undoes only itself, and nothing else in its batch is lost.

use rustmail_db::error::DomainError;
use rustmail_db::testing::{runtime, user_ticket, TestDatabase};
use rustmail_db::tickets;
use rustmail_db::tickets::list::{StatusFilter, TicketFilter};

rustmail_db::stories!(
    concurrent_writes_all_land_and_failures_undo_only_themselves,
    a_panicking_write_is_an_error_and_the_batch_survives,
    a_unique_violation_inside_a_batch_spoils_nothing,
    one_keys_writes_all_run_on_one_writer,
    a_batch_with_a_failing_write_runs_the_others_again_alone,
    every_write_is_committed_when_answered,
    a_dm_failing_alone_after_its_batch_failed_is_answered_with_the_error,
);

fn open_tickets(t: &TestDatabase) -> Vec<u64> {
    let page =
        t.db.with_conn(|c| {
            tickets::list::list(
                c,
                &TicketFilter {
                    status: StatusFilter::Open,
                    limit: 500,
                    page: 1,
                    ..TicketFilter::default()
                },
            )
        })
        .expect("list");
    let mut users: Vec<u64> = page.tickets.iter().map(|t| t.ticket.user_id.0).collect();
    users.sort_unstable();
    users
}

fn concurrent_writes_all_land_and_failures_undo_only_themselves(t: &TestDatabase) {
    let writes = 300_u64;
    let results = runtime().block_on(async {
        let handles: Vec<_> = (1..=writes)
            .map(|user| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    db.write(move |c| {
                        let opened = tickets::open(c, &user_ticket(user))?;
                        // Every seventh write fails after writing: its ticket must not exist.
                        if user % 7 == 0 {
                            return Err(DomainError::NotOpen(opened.ticket.id));
                        }
                        Ok(opened.ticket.id)
                    })
                    .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    });
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, usize::try_from(writes / 7).expect("small"));
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(_) | Err(DomainError::NotOpen(_)))));
    let expected: Vec<u64> = (1..=writes).filter(|u| u % 7 != 0).collect();
    assert_eq!(open_tickets(t), expected);
}

fn a_panicking_write_is_an_error_and_the_batch_survives(t: &TestDatabase) {
    let results = runtime().block_on(async {
        let handles: Vec<_> = (1..=40_u64)
            .map(|user| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    db.write(move |c| {
                        tickets::open(c, &user_ticket(user))?;
                        assert!(user != 13, "a bug in a write");
                        Ok(())
                    })
                    .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    });
    for (user, result) in (1..=40_u64).zip(&results) {
        assert_eq!(result.is_err(), user == 13, "user {user}: {result:?}");
    }
    let expected: Vec<u64> = (1..=40).filter(|u| *u != 13).collect();
    assert_eq!(open_tickets(t), expected);
    // The writers still work afterwards.
    let after = runtime().block_on(t.db.write(|c| tickets::open(c, &user_ticket(99))));
    assert!(after.expect("a later write").created);
}

/// On Postgres a failed statement aborts its transaction unless rolled back to a savepoint:
/// claims that lose on the unique key, batched together, must neither fail nor spoil the batch.
fn a_unique_violation_inside_a_batch_spoils_nothing(t: &TestDatabase) {
    let results = runtime().block_on(async {
        let handles: Vec<_> = (0..60_u64)
            .map(|n| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let claimed = db
                        .write(move |c| {
                            rustmail_db::instances::claim_once(c, "cmd:1", &format!("w{n}"))
                        })
                        .await;
                    let opened = db
                        .write(move |c| Ok(tickets::open(c, &user_ticket(1000 + n))?.created))
                        .await;
                    (claimed, opened)
                })
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    });
    let won = results
        .iter()
        .filter(|(claimed, _)| matches!(claimed, Ok(true)))
        .count();
    assert_eq!(won, 1, "{results:?}");
    assert!(results
        .iter()
        .all(|(claimed, opened)| claimed.is_ok() && matches!(opened, Ok(true))));
    assert_eq!(open_tickets(t).len(), 60);
}

/// Keyed writes (a conversation's) all go to one writer thread, so two writers never hold
/// each other's conversation rows (PostgreSQL deadlocked over them before).
/// (The bot runs one writer; several remain possible, and keyed writes must stay safe there.)
fn one_keys_writes_all_run_on_one_writer(t: &TestDatabase) {
    let writers = t.db.clone().with_writer_threads(4);
    let results = runtime().block_on(async {
        let handles: Vec<_> = (0..60_u64)
            .map(|i| {
                let db = writers.clone();
                tokio::spawn(async move {
                    let key = i % 3;
                    let thread = db
                        .write_keyed(key, |_| {
                            Ok(std::thread::current().name().map(str::to_owned))
                        })
                        .await;
                    (key, thread.expect("write"))
                })
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    });
    for key in 0..3 {
        let threads: std::collections::BTreeSet<_> = results
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, thread)| thread.clone())
            .collect();
        assert_eq!(threads.len(), 1, "key {key} ran on {threads:?}");
        assert!(
            threads.iter().all(|t| t
                .as_deref()
                .is_some_and(|n| n.starts_with("rustmail-db-writer-"))),
            "{threads:?}"
        );
    }
}

/// A batch runs without a savepoint per write: when one write fails, the batch is rolled back
/// and each write runs again in a transaction of its own. Writes queued behind a slow one (one
/// key, so one writer) form one batch, the failing one last: it leaves nothing, every other
/// commits exactly once, and all of them ran twice (in the batch, then alone).
fn a_batch_with_a_failing_write_runs_the_others_again_alone(t: &TestDatabase) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    const FAILING: u64 = 9;
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..10).map(|_| AtomicUsize::new(0)).collect());
    let write = |i: u64| {
        let db = t.db.clone();
        let runs = Arc::clone(&runs);
        tokio::spawn(async move {
            db.write_keyed(7, move |c| {
                runs[usize::try_from(i).expect("index")].fetch_add(1, Ordering::SeqCst);
                tickets::open(c, &user_ticket(5_000 + i))?;
                if i == FAILING {
                    return Err(DomainError::InvalidTransition("this write fails".into()));
                }
                Ok(i)
            })
            .await
        })
    };
    let results = runtime().block_on(async {
        let db = t.db.clone();
        // Holds the key's writer while the next ten queue up behind it.
        let slow = tokio::spawn(async move {
            db.write_keyed(7, |_| {
                std::thread::sleep(Duration::from_millis(500));
                Ok(())
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut handles: Vec<_> = (0..FAILING).map(write).collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        handles.push(write(FAILING));
        slow.await.expect("task").expect("slow write");
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    });
    for (i, result) in results.iter().enumerate() {
        if i as u64 == FAILING {
            assert!(result.is_err(), "the failing write: {result:?}");
        } else {
            assert_eq!(result.as_ref().ok(), Some(&(i as u64)), "write {i}");
        }
    }
    let expected: Vec<u64> = (0..FAILING).map(|i| 5_000 + i).collect();
    assert_eq!(open_tickets(t), expected, "the failing write left nothing");
    let counts: Vec<usize> = runs.iter().map(|r| r.load(Ordering::SeqCst)).collect();
    assert_eq!(counts, vec![2; 10], "each ran in the batch and again alone");
}

/// A write is answered only once it is committed, also on Postgres, where batches are committed
/// by another thread while the writer runs the next one: the moment each of 400 concurrent
/// writes is answered, another connection already sees it.
fn every_write_is_committed_when_answered(t: &TestDatabase) {
    let unseen = runtime().block_on(async {
        let handles: Vec<_> = (1..=400_u64)
            .map(|user| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let key = user % 7;
                    let opened = db
                        .write_keyed(key, move |c| tickets::open(c, &user_ticket(20_000 + user)))
                        .await
                        .expect("write");
                    let id = opened.ticket.id;
                    let seen = db
                        .run(move |c| match tickets::get(c, id) {
                            Ok(_) => Ok(true),
                            Err(DomainError::NotFound { .. }) => Ok(false),
                            Err(e) => Err(e),
                        })
                        .await
                        .expect("read");
                    (!seen).then_some(user)
                })
            })
            .collect();
        let mut unseen = Vec::new();
        for handle in handles {
            unseen.extend(handle.await.expect("task"));
        }
        unseen
    });
    assert!(unseen.is_empty(), "answered before committed: {unseen:?}");
    assert_eq!(open_tickets(t).len(), 400);
}

/// A DM taken in set-wise by a batch that then fails is taken in again alone; if that fails too
/// (here: another user's record took its Discord id in between, as a second bot process's
/// insert can), the caller hears the error, never the record of the rolled-back run (which was
/// answered before, and relayed under an id that never existed: CI, a DM relayed twice with two
/// bot processes on one database).
fn a_dm_failing_alone_after_its_batch_failed_is_answered_with_the_error(t: &TestDatabase) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use rustmail_db::ids::{MessageId, UserId};
    use rustmail_db::intake::{self, Intake};

    let dm = rustmail_db::testing::plain_dm;
    let shared_id: u64 = 4_242;
    t.db.with_conn(|c| {
        for user in [1, 2] {
            // Delivered: the next DM of user 1 is on the set-wise path (no backlog).
            let Intake::Recorded(first) = intake::intake_dm(c, &dm(user, user * 1_000))? else {
                panic!("not recorded");
            };
            rustmail_db::messages::relay::record_copies(
                c,
                first.recorded.message.id,
                rustmail_db::messages::relay::Side::Inbox,
                0,
                &[MessageId(user * 1_000 + 1)],
                true,
            )?;
        }
        Ok::<_, DomainError>(())
    })
    .expect("two open tickets");
    let runs = Arc::new(AtomicUsize::new(0));
    let outcome = runtime().block_on(async {
        let hold =
            rustmail_db::testing::hold_writer(&t.db, std::time::Duration::from_millis(200)).await;
        let counted = Arc::clone(&runs);
        // In the batch (after the set-wise intake) it fails; alone (before the DM's own run) it
        // records user 2's DM under the same Discord id.
        let spoiler = t.db.write(move |c| {
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(DomainError::InvalidTransition("fails in the batch".into()));
            }
            intake::intake_dm_within(c, &dm(2, shared_id)).map(|_| ())
        });
        let taken_in = t.db.intake(Arc::new(dm(1, shared_id)));
        let (recorded_elsewhere, outcome) = futures::join!(spoiler, taken_in);
        hold.await.expect("task").expect("hold");
        assert!(recorded_elsewhere.is_ok(), "{recorded_elsewhere:?}");
        outcome
    });
    assert_eq!(runs.load(Ordering::SeqCst), 2, "in the batch and alone");
    match outcome {
        Err(_) => {}
        Ok(Intake::Recorded(r)) => {
            // Only a record that exists may be answered.
            let stored =
                t.db.with_conn(|c| rustmail_db::messages::get(c, r.recorded.message.id))
                    .expect("the answered record exists");
            assert_eq!(stored.author_id, UserId(1));
        }
        Ok(other) => panic!("{other:?}"),
    }
}
