//! Contention between transactions: a real PostgreSQL deadlock is reported as an error the
//! caller may retry ([`DomainError::is_retryable`]), which the bot does for staff replies (a
//! reply lost to a deadlock in the chaos suite, issue #7).

use std::sync::{Arc, Barrier};

use rustmail_db::connection::write_tx;
use rustmail_db::instances;
use rustmail_db::testing::TestDatabase;
use rustmail_db::DomainError;

#[test]
fn a_postgres_deadlock_is_retryable() {
    let Some(url) = TestDatabase::postgres_url() else {
        return;
    };
    let t = TestDatabase::postgres(&url);
    t.db.with_conn(|c| {
        instances::register(c, "a", "host", 1, "0")?;
        instances::register(c, "b", "host", 2, "0")
    })
    .expect("two rows");
    // Two transactions take the same two row locks in opposite orders.
    let both_hold_one = Arc::new(Barrier::new(2));
    let run = |first: &'static str, second: &'static str| {
        let db = t.db.clone();
        let barrier = Arc::clone(&both_hold_one);
        std::thread::spawn(move || {
            db.with_conn(|c| {
                write_tx(c, |c| {
                    instances::heartbeat(c, first)?;
                    barrier.wait();
                    instances::heartbeat(c, second)
                })
            })
        })
    };
    let one = run("a", "b");
    let other = run("b", "a");
    let results: Vec<Result<(), DomainError>> = [one, other]
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let failed: Vec<&DomainError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(
        failed.len(),
        1,
        "PostgreSQL aborts one of the two: {results:?}"
    );
    assert!(failed[0].to_string().contains("deadlock"), "{}", failed[0]);
    assert!(failed[0].is_retryable(), "{}", failed[0]);
}
