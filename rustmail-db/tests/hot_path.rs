//! The statements of the DM intake (the relay's hot path), as SQLite sees them: no one-row
//! lookup binds a `LIMIT` (SQLite then prepares the cached statement again on every execution,
//! see `rustmail_db::connection::only_row`), and the intake run through the bot's batched writer
//! adds no savepoint of its own (each is a round trip on Postgres), nor any other statement; and
//! every statement of a relayed DM is prepared once per connection, then only executed (on both
//! backends).

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection as _;
use rustmail_db::connection::write_tx;
use rustmail_db::ids::{ChannelId, GuildId, MessageId, UserId};
use rustmail_db::intake::{self, IncomingDm, Intake};
use rustmail_db::messages::{self, relay, Author, StaffReply};
use rustmail_db::testing::{StatementLog, TestDatabase};
use rustmail_db::tickets;
use rustmail_db::DomainError;

fn dm(id: u64) -> IncomingDm {
    IncomingDm {
        user_id: UserId(42),
        user_name: "user42".to_owned(),
        staff_guild: GuildId(900_000_000_000_000_001),
        dm_channel: ChannelId(700_000_000_000_000_042),
        message_id: MessageId(id),
        content: format!("message {id}"),
        attachments: Vec::new(),
        may_open: true,
        channel_turn: None,
    }
}

/// Statements run, and statements put in the connection's prepared-statement cache.
#[derive(Default)]
struct Preparations {
    run: Vec<String>,
    cached: Vec<String>,
}

struct CacheRecorder(Arc<Mutex<Preparations>>);

impl Instrumentation for CacheRecorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let mut seen = self.0.lock().expect("recorder");
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                // The text without diesel's `-- binds: [...]` suffix.
                let text = query.to_string();
                let sql = text.split(" -- binds: ").next().unwrap_or_default();
                seen.run.push(sql.to_owned());
            }
            InstrumentationEvent::CacheQuery { sql, .. } => seen.cached.push(sql.to_owned()),
            _ => {}
        }
    }
}

rustmail_db::stories!(
    every_statement_of_a_relayed_dm_is_prepared_once,
    a_dm_taken_alone_by_the_set_wise_path_is_prepared_once,
    a_staff_reply_takes_its_number_and_the_ticket_activity_in_one_statement,
    a_claim_already_taken_costs_one_statement_and_spoils_nothing,
    copies_recorded_twice_in_a_batch_need_no_savepoint,
    a_staff_reply_in_a_batch_adds_no_savepoint,
    one_command_recorded_by_two_writers_at_once_is_one_reply_with_no_gap,
);

/// Takes in DM `id` of user 42 and records its relay as delivered (the bot's two writes).
fn relay_one(c: &mut rustmail_db::DbConnection, id: u64) -> Result<(), DomainError> {
    let Intake::Recorded(r) = write_tx(c, |c| intake::intake_dm_within(c, &dm(id)))? else {
        panic!("DM {id} is recorded");
    };
    relay::record_copies(
        c,
        r.recorded.message.id,
        relay::Side::Inbox,
        0,
        &[MessageId(id + 1_000_000)],
        true,
    )
}

/// Every statement of `measured` was prepared before (in `warm`) and none again.
fn assert_prepared_once(warm: &Preparations, measured: &Preparations) {
    assert!(
        measured.cached.is_empty(),
        "prepared again: {:#?}",
        measured.cached
    );
    let unprepared: Vec<&String> = measured
        .run
        .iter()
        .filter(|sql| !matches!(sql.as_str(), "BEGIN" | "BEGIN IMMEDIATE" | "COMMIT"))
        .filter(|sql| !warm.cached.contains(sql))
        .collect();
    assert!(
        unprepared.is_empty(),
        "statements not taken from the cache: {unprepared:#?}\ncached: {:#?}",
        warm.cached
    );
    assert!(measured.run.len() >= 5, "{:#?}", measured.run);
}

/// diesel caches no `UPDATE` and no `INSERT` with an `Option` field by itself: each was parsed
/// and planned again on every DM (session 5). Once a conversation is warm, relaying a DM must
/// run only statements the connection has prepared before, and prepare nothing new.
fn every_statement_of_a_relayed_dm_is_prepared_once(t: &TestDatabase) {
    let seen = Arc::new(Mutex::new(Preparations::default()));
    t.db.with_conn(|c| {
        c.set_instrumentation(CacheRecorder(Arc::clone(&seen)));
        // Warm-up: the first DM opens the ticket, the second is an ordinary one.
        relay_one(c, 1)?;
        relay_one(c, 2)?;
        let warm = std::mem::take(&mut *seen.lock().expect("recorder"));
        relay_one(c, 3)?;
        let measured = std::mem::take(&mut *seen.lock().expect("recorder"));
        assert_prepared_once(&warm, &measured);
        Ok::<_, DomainError>(())
    })
    .expect("relay");
}

/// The writer takes even a batch of one DM set-wise (a new user's first DM costs nine statements
/// there and twenty alone). Its statements must then be prepared once too: three of them were
/// prepared on every DM, and the paced relay's median went from 1.3 to 1.7 ms on Postgres
/// (session 7).
fn a_dm_taken_alone_by_the_set_wise_path_is_prepared_once(t: &TestDatabase) {
    let seen = Arc::new(Mutex::new(Preparations::default()));
    let set_wise_one = |c: &mut rustmail_db::DbConnection, id: u64| {
        let dm = dm(id);
        let outcome = write_tx(c, |c| intake::set_wise::intake_many(c, &[&dm]))?;
        let Some(Intake::Recorded(r)) = outcome.into_iter().next().flatten() else {
            panic!("DM {id} is taken set-wise");
        };
        relay::record_copies(
            c,
            r.recorded.message.id,
            relay::Side::Inbox,
            0,
            &[MessageId(id + 1_000_000)],
            true,
        )?;
        Ok::<_, DomainError>(())
    };
    t.db.with_conn(|c| {
        c.set_instrumentation(CacheRecorder(Arc::clone(&seen)));
        // Warm-up: the first DM opens the ticket, the next are ordinary ones.
        set_wise_one(c, 1)?;
        set_wise_one(c, 2)?;
        let warm = std::mem::take(&mut *seen.lock().expect("recorder"));
        set_wise_one(c, 3)?;
        let measured = std::mem::take(&mut *seen.lock().expect("recorder"));
        assert_prepared_once(&warm, &measured);
        Ok::<_, DomainError>(())
    })
    .expect("relay");
}

#[test]
fn the_intake_of_a_dm_binds_no_limit_and_adds_no_savepoint() {
    let t = TestDatabase::sqlite();
    let statements = StatementLog::new();
    t.db.with_conn(|c| {
        // The first DM opens the ticket; the second is the common case measured here.
        let Intake::Recorded(first) = intake::intake_dm(c, &dm(1))? else {
            panic!("the first DM is recorded");
        };
        // Relayed, as the per-user lane does before it takes in the next DM.
        relay::mark_delivered(c, first.recorded.message.id)?;
        c.set_instrumentation(statements.clone());
        let outcome = write_tx(c, |c| intake::intake_dm_within(c, &dm(2)))?;
        assert!(matches!(outcome, Intake::Recorded(r) if r.recorded.created));
        Ok::<_, DomainError>(())
    })
    .expect("intake");
    let statements = statements.statements();
    // Each statement is a round trip on Postgres: record the last-seen DM; the open ticket with
    // seen, blocked, selection, backlog, jobs and alerts in one read; the insert; the ticket's
    // activity (nothing to cancel, fire or deliver first, so no statement for those).
    let work = statements
        .iter()
        .filter(|s| !matches!(s.as_str(), "BEGIN IMMEDIATE" | "COMMIT"))
        .count();
    assert_eq!(work, 4, "{statements:#?}");
    let limited: Vec<&String> = statements
        .iter()
        .filter(|s| s.to_uppercase().contains("LIMIT"))
        .collect();
    assert!(
        limited.is_empty(),
        "lookups with a bound LIMIT: {limited:#?}"
    );
    let savepoints = statements
        .iter()
        .filter(|s| s.to_uppercase().contains("SAVEPOINT"))
        .count();
    assert_eq!(savepoints, 0, "{statements:#?}");
}

fn staff_reply(ticket: rustmail_db::ids::TicketId, source: u64) -> StaffReply {
    StaffReply {
        ticket_id: ticket,
        source_message_id: MessageId(source),
        author: Author {
            id: UserId(900),
            name: "staff".to_owned(),
            role: None,
        },
        anonymous: false,
        content: format!("reply {source}"),
        attachments: Vec::new(),
        inactivity_close_after: None,
    }
}

/// A reply's number, the ticket's latest activity and its first staff reply are written by one
/// cached `UPDATE ... RETURNING` (they were four statements, two never cached): the first reply
/// time is kept, the activity moves, the numbers follow each other, and nothing is prepared
/// again once warm.
fn a_staff_reply_takes_its_number_and_the_ticket_activity_in_one_statement(t: &TestDatabase) {
    let seen = Arc::new(Mutex::new(Preparations::default()));
    t.db.with_conn(|c| {
        let Intake::Recorded(first) = intake::intake_dm(c, &dm(1))? else {
            panic!("recorded");
        };
        let ticket = first.ticket.id;
        c.set_instrumentation(CacheRecorder(Arc::clone(&seen)));
        let one = messages::record_reply(c, &staff_reply(ticket, 5_001))?;
        let after_one = tickets::get(c, ticket)?;
        let warm = std::mem::take(&mut *seen.lock().expect("recorder"));
        std::thread::sleep(std::time::Duration::from_millis(5));
        let two = messages::record_reply(c, &staff_reply(ticket, 5_002))?;
        let measured = std::mem::take(&mut *seen.lock().expect("recorder"));
        let after_two = tickets::get(c, ticket)?;

        assert_eq!((one.message.number, two.message.number), (Some(1), Some(2)));
        assert_eq!(after_one.first_staff_reply_at, Some(one.message.created_at));
        assert_eq!(after_two.first_staff_reply_at, Some(one.message.created_at));
        assert_eq!(after_two.last_activity_at, two.message.created_at);
        assert!(after_two.last_activity_at > after_one.last_activity_at);

        assert!(measured.cached.is_empty(), "{:#?}", measured.cached);
        let work: Vec<&String> = measured
            .run
            .iter()
            .filter(|sql| {
                !sql.contains("SAVEPOINT") && !sql.starts_with("BEGIN") && *sql != "COMMIT"
            })
            .collect();
        // The ticket's row locked (Postgres: a concurrent duplicate is then seen, not raced);
        // seen before? The number with the activity; the insert returning the row.
        let expected = if t.db.backend() == rustmail_db::connection::Backend::Postgres {
            4
        } else {
            3
        };
        assert_eq!(work.len(), expected, "{work:#?}");
        assert!(
            work.iter().all(|sql| warm.cached.contains(sql)),
            "{work:#?}"
        );
        Ok::<_, DomainError>(())
    })
    .expect("replies");
}

/// Every staff command and new ticket takes a claim inside the bot's batched writes. A key
/// already taken inserts nothing (`ON CONFLICT DO NOTHING`), where it used to fail on the unique
/// key inside a savepoint (two more round trips on Postgres, per claim).
fn a_claim_already_taken_costs_one_statement_and_spoils_nothing(t: &TestDatabase) {
    let seen = Arc::new(Mutex::new(Preparations::default()));
    t.db.with_conn(|c| {
        c.set_instrumentation(CacheRecorder(Arc::clone(&seen)));
        write_tx(c, |c| {
            assert!(rustmail_db::instances::claim_once(c, "cmd:7", "w1")?);
            assert!(!rustmail_db::instances::claim_once(c, "cmd:7", "w2")?);
            // The transaction is still usable (on Postgres a failed statement would abort it).
            assert!(rustmail_db::instances::claim_once(c, "cmd:8", "w2")?);
            Ok::<_, DomainError>(())
        })?;
        let run = std::mem::take(&mut seen.lock().expect("recorder").run);
        assert_eq!(
            run.iter().filter(|sql| sql.contains("SAVEPOINT")).count(),
            0,
            "{run:#?}"
        );
        assert_eq!(run.len(), 5, "{run:#?}");
        Ok::<_, DomainError>(())
    })
    .expect("claims");
    let holder =
        t.db.with_conn(|c| rustmail_db::instances::claim_once(c, "cmd:7", "w3"))
            .expect("claim");
    assert!(!holder);
}

/// A relay's copies (a staff reply's DM side, a long text's parts) are recorded inside the
/// bot's batched writes without a savepoint per copy (two round trips each on Postgres), and
/// recording them again, as a re-drive after a crash does, is harmless.
fn copies_recorded_twice_in_a_batch_need_no_savepoint(t: &TestDatabase) {
    let seen = Arc::new(Mutex::new(Preparations::default()));
    t.db.with_conn(|c| {
        let Intake::Recorded(first) = intake::intake_dm(c, &dm(1))? else {
            panic!("recorded");
        };
        let reply = messages::record_reply(c, &staff_reply(first.ticket.id, 6_001))?.message;
        let parts = [MessageId(7_001), MessageId(7_002), MessageId(7_003)];
        c.set_instrumentation(CacheRecorder(Arc::clone(&seen)));
        write_tx(c, |c| {
            relay::record_copies(c, reply.id, relay::Side::Dm, 0, &parts, false)?;
            relay::record_copies(c, reply.id, relay::Side::Dm, 0, &parts, false)?;
            relay::record_copies(c, reply.id, relay::Side::Dm, 1, &parts[1..], true)
        })?;
        let run = std::mem::take(&mut seen.lock().expect("recorder").run);
        assert_eq!(
            run.iter().filter(|sql| sql.contains("SAVEPOINT")).count(),
            0,
            "{run:#?}"
        );
        assert_eq!(relay::copies(c, reply.id, relay::Side::Dm)?, parts.to_vec());
        let settled = messages::get(c, reply.id)?;
        assert_eq!(settled.relay_state, messages::RelayState::Delivered);
        Ok::<_, DomainError>(())
    })
    .expect("copies");
}

/// A staff reply recorded inside the writer's batch transaction runs no savepoint (two round
/// trips on Postgres): a concurrent duplicate fails the write and the writer runs it alone.
fn a_staff_reply_in_a_batch_adds_no_savepoint(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        let Intake::Recorded(first) = intake::intake_dm(c, &dm(1))? else {
            panic!("recorded");
        };
        c.set_instrumentation(seen.clone());
        let one = write_tx(c, |c| {
            messages::record_reply(c, &staff_reply(first.ticket.id, 6_001))
        })?;
        c.set_instrumentation(StatementLog::new());
        assert_eq!(one.message.number, Some(1));
        let statements = seen.statements();
        assert!(
            !statements
                .iter()
                .any(|s| s.to_uppercase().contains("SAVEPOINT")),
            "{statements:#?}"
        );
        Ok::<_, DomainError>(())
    })
    .expect("reply");
}

/// Two writers (as two bot processes on one database) record the same commands at the same
/// moment, many times over: each command is one reply, both are answered with it, and the
/// numbers have no gap (a duplicate undone with its batch leaves no number taken).
fn one_command_recorded_by_two_writers_at_once_is_one_reply_with_no_gap(t: &TestDatabase) {
    let ticket =
        t.db.with_conn(|c| match intake::intake_dm(c, &dm(1))? {
            Intake::Recorded(r) => Ok::<_, DomainError>(r.ticket.id),
            other => panic!("{other:?}"),
        })
        .expect("ticket");
    let other = t.db.clone().with_writer_threads(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let answers = runtime.block_on(async {
        let mut handles = Vec::new();
        for source in 7_001..=7_030_u64 {
            for db in [t.db.clone(), other.clone()] {
                handles.push(tokio::spawn(async move {
                    let reply = staff_reply(ticket, source);
                    (
                        source,
                        db.write(move |c| messages::record_reply(c, &reply)).await,
                    )
                }));
            }
        }
        let mut answers = Vec::new();
        for handle in handles {
            answers.push(handle.await.expect("task"));
        }
        answers
    });
    let mut by_source = std::collections::BTreeMap::new();
    for (source, answer) in answers {
        let recorded = answer.expect("recorded");
        by_source
            .entry(source)
            .or_insert_with(Vec::new)
            .push((recorded.message.id, recorded.created));
    }
    for (source, answers) in &by_source {
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[0].0, answers[1].0, "command {source}: two records");
        let created = answers.iter().filter(|(_, created)| *created).count();
        assert_eq!(created, 1, "command {source}");
    }
    t.db.with_conn(|c| {
        let mut numbers: Vec<i32> = messages::for_ticket(c, ticket)?
            .into_iter()
            .filter_map(|m| m.number)
            .collect();
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (1..=30).collect::<Vec<_>>(),
            "numbers without a gap"
        );
        Ok::<_, DomainError>(())
    })
    .expect("numbers");
}
