//! Set-wise writes (the writer's batches, `rustmail_db::store::writer`), on both backends: many
//! users' DMs taken in with a handful of statements for all of them, one-part relays settled in
//! one statement, exactly the outcomes the one-at-a-time path gives; every DM off the common
//! path left to that path; and through the writer, nothing lost, doubled or mixed up, even when
//! a set-wise statement fails.

use std::sync::Arc;

use diesel::Connection as _;
use rustmail_db::attachments::NewAttachment;
use rustmail_db::connection::write_tx;
use rustmail_db::ids::{ChannelId, MessageId, MessageRecordId, UserId};
use rustmail_db::intake::{self, set_wise, IncomingDm, Intake};
use rustmail_db::messages::marks::{self, DmMarks};
use rustmail_db::messages::relay::{self, Copies, Side, SingleCopy};
use rustmail_db::messages::{self, RelayState};
use rustmail_db::testing::{StatementLog, TestDatabase};
use rustmail_db::{access, blocks, dm_channels, instances, tickets, DomainError};

rustmail_db::stories!(
    many_users_dms_are_taken_in_with_two_statements_and_marked_when_settled,
    dms_off_the_common_path_are_left_to_the_one_at_a_time_path,
    one_part_relays_settle_in_one_statement_and_a_missing_one_fails_them_all,
    many_claims_take_one_statement_and_each_key_is_won_once,
    through_the_writer_nothing_is_lost_doubled_or_mixed_up,
    a_relay_settled_just_before_the_next_dm_in_its_batch_leaves_no_backlog,
);

fn dm(user: u64, id: u64) -> IncomingDm {
    rustmail_db::testing::plain_dm(user, id)
}

/// Takes in `dm` alone (the one-at-a-time path) and returns its record.
fn take_in_alone(c: &mut rustmail_db::DbConnection, dm: &IncomingDm) -> Box<intake::IntakeRecord> {
    match intake::intake_dm(c, dm).expect("intake") {
        Intake::Recorded(r) => r,
        other => panic!("DM {} not recorded: {other:?}", dm.message_id.0),
    }
}

/// Marks a recorded DM delivered (so its ticket has no backlog).
fn deliver(c: &mut rustmail_db::DbConnection, id: MessageRecordId, copy: u64) {
    relay::record_copies(c, id, Side::Inbox, 0, &[MessageId(copy)], true).expect("deliver");
}

/// Ten users with an open ticket, each DM delivered: what the set-wise path takes.
fn ten_open_conversations(c: &mut rustmail_db::DbConnection) {
    for user in 1..=10 {
        let r = take_in_alone(c, &dm(user, user * 1_000));
        deliver(c, r.recorded.message.id, user * 1_000 + 1);
    }
}

fn many_users_dms_are_taken_in_with_two_statements_and_marked_when_settled(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        ten_open_conversations(c);
        let before: Vec<_> = (1..=10)
            .map(|u| {
                tickets::find_open_by_user(c, UserId(u))
                    .expect("read")
                    .expect("open")
            })
            .collect();
        let dms: Vec<IncomingDm> = (1..=10).map(|u| dm(u, u * 1_000 + 2)).collect();
        let refs: Vec<&IncomingDm> = dms.iter().collect();
        c.set_instrumentation(seen.clone());
        let outcomes = write_tx(c, |c| set_wise::intake_many(c, &refs))?;
        c.set_instrumentation(StatementLog::new());
        let statements = seen.work();
        // One read and the messages (one insert) on Postgres: the tickets' activity and the DM
        // channels' last-seen DM are left to the relays' settle. diesel runs SQLite's multi-row
        // insert row by row (in-process, with no round trip).
        let expected = if t.db.backend() == rustmail_db::connection::Backend::Postgres {
            2
        } else {
            1 + 10
        };
        assert_eq!(statements.len(), expected, "{statements:#?}");
        let mut marks = Vec::new();
        for ((dm, outcome), ticket) in dms.iter().zip(outcomes).zip(&before) {
            let Some(Intake::Recorded(r)) = outcome else {
                panic!("DM {} not taken set-wise: {outcome:?}", dm.message_id.0);
            };
            assert_eq!(r.ticket.id, ticket.id);
            assert!(!r.ticket_created && !r.selection_pending);
            assert!(r.backlog.is_empty() && r.recorded.alerts.is_empty());
            assert!(r.recorded.created && r.recorded.cancelled_close.is_none());
            assert!(r.marks_deferred);
            let stored = messages::get(c, r.recorded.message.id)?;
            assert_eq!(stored.id, r.recorded.message.id);
            assert_eq!(stored.content, dm.content);
            assert_eq!(stored.author_id, dm.user_id);
            assert_eq!(stored.author_name, dm.user_name);
            assert_eq!(stored.ticket_id, ticket.id);
            assert_eq!(stored.source_message_id, Some(dm.message_id));
            assert_eq!(stored.relay_state, RelayState::Pending);
            assert_eq!(r.recorded.message.created_at, stored.created_at);
            // Not marked yet.
            let channel = dm_channels::get(c, dm.user_id)?.expect("DM channel");
            assert_eq!(
                channel.last_seen_message_id,
                Some(MessageId(dm.message_id.0 - 2))
            );
            let unmarked = tickets::get(c, ticket.id)?;
            assert_eq!(unmarked.last_activity_at, ticket.last_activity_at);
            marks.push(SingleCopy {
                id: stored.id,
                side: Side::Inbox,
                discord_id: MessageId(dm.message_id.0 + 500),
                complete: true,
                marks: DmMarks::of(&stored),
            });
        }
        // The relays settled: one update of the messages, one of the tickets, one of the
        // channels, as the one-at-a-time path would have left them.
        c.set_instrumentation(seen.clone());
        let before_settle = seen.work().len();
        write_tx(c, |c| relay::settle_many(c, &marks))?;
        c.set_instrumentation(StatementLog::new());
        assert_eq!(seen.work().len() - before_settle, 3, "{:#?}", seen.work());
        for dm in &dms {
            let stored = messages::find_by_source(c, dm.message_id)?.expect("recorded");
            assert_eq!(stored.relay_state, RelayState::Delivered);
            let channel = dm_channels::get(c, dm.user_id)?.expect("DM channel");
            assert_eq!(channel.channel_id, dm.dm_channel);
            assert_eq!(channel.last_seen_message_id, Some(dm.message_id));
            let after = tickets::get(c, stored.ticket_id)?;
            assert_eq!(
                after.last_activity_at, stored.created_at,
                "the ticket's activity"
            );
        }
        // The same DMs again (a recovery pass): all seen, none taken, nothing doubled.
        let again = write_tx(c, |c| set_wise::intake_many(c, &refs))?;
        assert!(again.iter().all(Option::is_none), "{again:?}");
        // An older DM's marks never move the last-seen DM or the activity backwards, and a
        // re-drive writing them again changes nothing.
        let older = dm(1, 1_001);
        let older_outcome = write_tx(c, |c| set_wise::intake_many(c, &[&older]))?;
        let Some(Intake::Recorded(older_record)) = &older_outcome[0] else {
            panic!("older DM: {older_outcome:?}");
        };
        let ticket1 = tickets::get(c, older_record.ticket.id)?;
        let mut older_marks = DmMarks::of(&older_record.recorded.message).expect("marks");
        older_marks.at = ticket1.last_activity_at - chrono::Duration::seconds(1);
        write_tx(c, |c| marks::write(c, &[older_marks, older_marks]))?;
        write_tx(c, |c| marks::write(c, &[older_marks]))?;
        let channel = dm_channels::get(c, UserId(1))?.expect("DM channel");
        assert_eq!(channel.last_seen_message_id, Some(MessageId(1_002)));
        assert_eq!(
            tickets::get(c, ticket1.id)?.last_activity_at,
            ticket1.last_activity_at
        );
        // A DM from a DM channel not known yet is marked at once (the channel is needed to
        // answer the user), as the one-at-a-time path does.
        let mut moved = dm(2, 2_003);
        moved.dm_channel = ChannelId(710_000_000_000_000_002);
        let second = messages::find_by_source(c, MessageId(2_002))?
            .expect("2")
            .id;
        deliver(c, second, 2_502);
        let moved_outcome = write_tx(c, |c| set_wise::intake_many(c, &[&moved]))?;
        let Some(Intake::Recorded(moved_record)) = &moved_outcome[0] else {
            panic!("moved DM: {moved_outcome:?}");
        };
        assert!(!moved_record.marks_deferred);
        let channel = dm_channels::get(c, UserId(2))?.expect("DM channel");
        assert_eq!(channel.channel_id, moved.dm_channel);
        assert_eq!(channel.last_seen_message_id, Some(moved.message_id));
        assert_eq!(
            tickets::get(c, moved_record.ticket.id)?.last_activity_at,
            moved_record.recorded.message.created_at
        );
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

fn dms_off_the_common_path_are_left_to_the_one_at_a_time_path(t: &TestDatabase) {
    t.db.with_conn(|c| {
        ten_open_conversations(c);
        // 1: blocked. 2: a DM recorded before. 3: a pending relay (backlog). 4: an alert.
        // 5: attachments. 6: too long. 7: two DMs (the second is left). 8: ordinary.
        // 11: no ticket (a new ticket is opened set-wise). 12: no ticket, blocked. 13: no
        // ticket, and may not open one.
        blocks::block(c, UserId(1), UserId(99), "spam", None)?;
        blocks::block(c, UserId(12), UserId(99), "spam", None)?;
        let mut not_a_member = dm(13, 13_002);
        not_a_member.may_open = false;
        take_in_alone(c, &dm(3, 3_002));
        let ticket4 = tickets::find_open_by_user(c, UserId(4))?.expect("open");
        access::set_alert(c, ticket4.id, UserId(77))?;
        let mut with_file = dm(5, 5_002);
        with_file.attachments.push(NewAttachment {
            discord_attachment_id: None,
            filename: "a.txt".to_owned(),
            content_type: None,
            size_bytes: 1,
            url: "https://cdn.example/a.txt".to_owned(),
            data: None,
        });
        let mut too_long = dm(6, 6_002);
        too_long.content = "x".repeat(messages::MAX_CONTENT_CHARS + 1);
        let dms = [
            dm(1, 1_002),
            dm(2, 2_000),
            dm(3, 3_003),
            dm(4, 4_002),
            with_file,
            too_long,
            dm(7, 7_002),
            dm(7, 7_003),
            dm(8, 8_002),
            dm(11, 11_002),
            dm(12, 12_002),
            not_a_member,
        ];
        let refs: Vec<&IncomingDm> = dms.iter().collect();
        let outcomes = write_tx(c, |c| set_wise::intake_many(c, &refs))?;
        let taken: Vec<u64> = dms
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.is_some())
            .map(|(d, _)| d.message_id.0)
            .collect();
        assert_eq!(taken, vec![7_002, 8_002, 11_002], "taken set-wise");
        let Some(Intake::Recorded(opened)) = &outcomes[9] else {
            panic!("no ticket: {:?}", outcomes[9]);
        };
        assert!(opened.ticket_created && opened.recorded.created);
        // Left alone, each gets what the one-at-a-time path decides.
        assert!(matches!(intake::intake_dm(c, &dms[0])?, Intake::Blocked));
        let Intake::Recorded(seen) = intake::intake_dm(c, &dms[1])? else {
            panic!("seen before");
        };
        assert!(!seen.recorded.created);
        let Intake::Recorded(backlog) = intake::intake_dm(c, &dms[2])? else {
            panic!("backlog");
        };
        assert_eq!(backlog.backlog.len(), 1);
        let Intake::Recorded(alerted) = intake::intake_dm(c, &dms[3])? else {
            panic!("alert");
        };
        assert_eq!(alerted.recorded.alerts, vec![UserId(77)]);
        assert!(matches!(
            intake::intake_dm(c, &dms[5]),
            Err(DomainError::Invalid { .. })
        ));
        assert!(matches!(intake::intake_dm(c, &dms[10])?, Intake::Blocked));
        assert!(matches!(intake::intake_dm(c, &dms[11])?, Intake::NoTicket));
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

fn one_part_relays_settle_in_one_statement_and_a_missing_one_fails_them_all(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        let ids: Vec<MessageRecordId> = (1..=6)
            .map(|u| take_in_alone(c, &dm(u, u * 1_000)).recorded.message.id)
            .collect();
        let single = |id: MessageRecordId, copy: u64| {
            Copies {
                id,
                side: Side::Inbox,
                first_part: 0,
                discord_ids: vec![MessageId(copy)],
                complete: true,
                marks: None,
            }
            .single()
            .expect("one part")
        };
        let first: Vec<_> = ids[..4]
            .iter()
            .map(|id| single(*id, 50_000 + u64::try_from(id.0).expect("id")))
            .collect();
        c.set_instrumentation(seen.clone());
        write_tx(c, |c| relay::settle_many(c, &first))?;
        c.set_instrumentation(StatementLog::new());
        assert_eq!(seen.work().len(), 1);
        for copy in &first {
            let m = messages::get(c, copy.id)?;
            assert_eq!(m.relay_state, RelayState::Delivered);
            assert_eq!(m.inbox_message_id, Some(copy.discord_id));
            assert_eq!(m.relay_attempts, 1);
        }
        // One record missing: the whole set fails (the writer then runs each alone), and the
        // caller's transaction leaves the others pending.
        let mut second: Vec<_> = ids[4..].iter().map(|id| single(*id, 60_000)).collect();
        second[1].discord_id = MessageId(60_001);
        second.push(single(MessageRecordId(999_999), 60_002));
        assert!(write_tx(c, |c| relay::settle_many(c, &second)).is_err());
        for id in &ids[4..] {
            assert_eq!(messages::get(c, *id)?.relay_state, RelayState::Pending);
        }
        // Later parts, or several at once, are not taken set-wise.
        let parts = Copies {
            id: ids[4],
            side: Side::Inbox,
            first_part: 0,
            discord_ids: vec![MessageId(1), MessageId(2)],
            complete: true,
            marks: None,
        };
        assert!(parts.single().is_none());
        let later = Copies {
            first_part: 1,
            discord_ids: vec![MessageId(1)],
            ..parts
        };
        assert!(later.single().is_none());
        // A first part not yet complete (a staff reply's DM copy) sets its copy only.
        let dm_copy = Copies {
            id: ids[4],
            side: Side::Dm,
            first_part: 0,
            discord_ids: vec![MessageId(70_000)],
            complete: false,
            marks: None,
        };
        let dm_single = dm_copy.single().expect("first part");
        write_tx(c, |c| relay::settle_many(c, &[dm_single, first[0]]))?;
        let m = messages::get(c, ids[4])?;
        assert_eq!(m.dm_message_id, Some(MessageId(70_000)));
        assert_eq!(m.relay_state, RelayState::Pending, "not delivered yet");
        assert_eq!(m.relay_attempts, 0);
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

fn many_claims_take_one_statement_and_each_key_is_won_once(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        assert!(instances::claim_once(c, "cmd:3", "other")?);
        c.set_instrumentation(seen.clone());
        let won = write_tx(c, |c| {
            instances::claim_many_once(c, &["cmd:1", "cmd:2", "cmd:1", "cmd:3"], "me")
        })?;
        c.set_instrumentation(StatementLog::new());
        assert_eq!(won, vec![true, true, false, false]);
        let statements = seen.work().len();
        if t.db.backend() == rustmail_db::connection::Backend::Postgres {
            assert_eq!(statements, 1);
        }
        // Claimed once: nobody, the winner included, wins them again.
        for key in ["cmd:1", "cmd:2", "cmd:3"] {
            assert!(!instances::claim_once(c, key, "me")?, "{key}");
        }
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

/// Every writer held by a slow write while 40 users' DMs (and 40 relays to settle, one of them
/// for a record that does not exist) queue up behind it, so they form batches: every DM is
/// recorded once and answered with its own record, the set-wise path was taken, the missing
/// record's settle fails alone, and a second pass over the same DMs records nothing new.
fn through_the_writer_nothing_is_lost_doubled_or_mixed_up(t: &TestDatabase) {
    use std::time::Duration;

    const USERS: u64 = 40;
    t.db.with_conn(|c| {
        for user in 1..=USERS {
            let r = take_in_alone(c, &dm(user, user * 1_000));
            deliver(c, r.recorded.message.id, user * 1_000 + 1);
        }
        Ok::<_, DomainError>(())
    })
    .expect("conversations");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let hold_every_writer = |db: &rustmail_db::Db| {
        // Unkeyed writes go round the writers: eight reach each of at most four at least twice.
        (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.write(|_| {
                        std::thread::sleep(Duration::from_millis(300));
                        Ok(())
                    })
                    .await
                })
            })
            .collect::<Vec<_>>()
    };
    let take_in_all = |db: &rustmail_db::Db, id: u64| {
        (1..=USERS)
            .map(|user| {
                let db = db.clone();
                tokio::spawn(async move { db.intake(Arc::new(dm(user, user * 1_000 + id))).await })
            })
            .collect::<Vec<_>>()
    };
    let (first, second) = runtime.block_on(async {
        let holds = hold_every_writer(&t.db);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let first = take_in_all(&t.db, 2);
        for hold in holds {
            hold.await.expect("task").expect("hold");
        }
        let mut outcomes = Vec::new();
        for handle in first {
            outcomes.push(handle.await.expect("task").expect("intake"));
        }
        let holds = hold_every_writer(&t.db);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let again = take_in_all(&t.db, 2);
        for hold in holds {
            hold.await.expect("task").expect("hold");
        }
        let mut repeated = Vec::new();
        for handle in again {
            repeated.push(handle.await.expect("task").expect("intake"));
        }
        (outcomes, repeated)
    });
    let taken = t.db.set_wise_writes();
    assert!(taken >= 2, "set-wise writes: {taken}");
    // Claims through the writer, each key claimed three times: each is won exactly once.
    let won = runtime.block_on(async {
        let holds = hold_every_writer(&t.db);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let handles: Vec<_> = (0..60_u64)
            .map(|n| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let key = format!("cmd:{}", n % 20);
                    (n % 20, db.claim_once(key, "me".to_owned()).await)
                })
            })
            .collect();
        for hold in holds {
            hold.await.expect("task").expect("hold");
        }
        let mut won = std::collections::BTreeMap::new();
        for handle in handles {
            let (key, result) = handle.await.expect("task");
            *won.entry(key).or_insert(0) += usize::from(result.expect("claim"));
        }
        won
    });
    assert_eq!(won.len(), 20);
    assert!(won.values().all(|n| *n == 1), "{won:?}");
    assert!(
        t.db.set_wise_writes() > taken,
        "the claims were taken set-wise"
    );
    let mut records = Vec::new();
    for (user, (first, second)) in (1..=USERS).zip(first.iter().zip(&second)) {
        let (Intake::Recorded(a), Intake::Recorded(b)) = (first, second) else {
            panic!("user {user}: {first:?} / {second:?}");
        };
        assert!(a.recorded.created, "user {user}");
        assert!(!b.recorded.created, "user {user}: recorded twice");
        assert_eq!(a.recorded.message.id, b.recorded.message.id);
        assert_eq!(a.recorded.message.author_id, UserId(user));
        assert_eq!(
            a.recorded.message.source_message_id,
            Some(MessageId(user * 1_000 + 2))
        );
        assert_eq!(a.ticket.user_id, UserId(user));
        records.push(a.recorded.message.id);
    }
    // Settles through the writer, one for a record that does not exist.
    let settled = runtime.block_on(async {
        let holds = hold_every_writer(&t.db);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut handles = Vec::new();
        for (n, id) in records
            .iter()
            .copied()
            .chain([MessageRecordId(999_999)])
            .enumerate()
        {
            let db = t.db.clone();
            handles.push(tokio::spawn(async move {
                db.record_copies(Copies {
                    id,
                    side: Side::Inbox,
                    first_part: 0,
                    discord_ids: vec![MessageId(80_000 + u64::try_from(n).expect("n"))],
                    complete: true,
                    marks: None,
                })
                .await
            }));
        }
        for hold in holds {
            hold.await.expect("task").expect("hold");
        }
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    });
    let (missing, delivered) = settled.split_last().expect("results");
    assert!(missing.is_err(), "{missing:?}");
    assert!(delivered.iter().all(Result::is_ok), "{delivered:?}");
    t.db.with_conn(|c| {
        for (n, id) in records.iter().enumerate() {
            let m = messages::get(c, *id)?;
            assert_eq!(m.relay_state, RelayState::Delivered);
            let copy = 80_000 + u64::try_from(n).expect("n");
            assert_eq!(m.inbox_message_id, Some(MessageId(copy)));
        }
        Ok::<_, DomainError>(())
    })
    .expect("settled");
}

/// The bot queues a relay's copies without waiting, then takes in the user's next DM
/// (`Db::queue_copies`): when both land in one batch, the settle runs first, so the next DM
/// finds no backlog and is taken set-wise. (Intakes ran first before: each next DM saw its
/// predecessor pending, went the one-at-a-time way and would have waited behind it.)
fn a_relay_settled_just_before_the_next_dm_in_its_batch_leaves_no_backlog(t: &TestDatabase) {
    use std::time::Duration;

    // One user (a single settle in the batch) and five (settled in one statement).
    for users in [vec![1_u64], (2..=6).collect::<Vec<u64>>()] {
        let pending: Vec<(u64, MessageRecordId)> =
            t.db.with_conn(|c| {
                let mut pending = Vec::new();
                for &user in &users {
                    let first = take_in_alone(c, &dm(user, user * 1_000));
                    deliver(c, first.recorded.message.id, user * 1_000 + 1);
                    let second = take_in_alone(c, &dm(user, user * 1_000 + 2));
                    pending.push((user, second.recorded.message.id));
                }
                Ok::<_, DomainError>(pending)
            })
            .expect("conversations");
        let runtime = rustmail_db::testing::runtime();
        let taken_before = t.db.set_wise_writes();
        let outcomes = runtime.block_on(async {
            let hold = rustmail_db::testing::hold_writer(&t.db, Duration::from_millis(200)).await;
            let mut settles = Vec::new();
            let mut intakes = Vec::new();
            for &(user, record) in &pending {
                settles.push(t.db.queue_copies(
                    UserId(user),
                    Copies {
                        id: record,
                        side: Side::Inbox,
                        first_part: 0,
                        discord_ids: vec![MessageId(user * 1_000 + 3)],
                        complete: true,
                        marks: None,
                    },
                ));
                let db = t.db.clone();
                intakes.push(tokio::spawn(async move {
                    db.intake(Arc::new(dm(user, user * 1_000 + 4))).await
                }));
            }
            hold.await.expect("task").expect("hold");
            for settle in settles {
                settle.await.expect("settled");
            }
            let mut outcomes = Vec::new();
            for intake in intakes {
                outcomes.push(intake.await.expect("task").expect("intake"));
            }
            outcomes
        });
        for (outcome, (user, _)) in outcomes.iter().zip(&pending) {
            let Intake::Recorded(r) = outcome else {
                panic!("DM of {user} not recorded: {outcome:?}");
            };
            assert!(r.backlog.is_empty(), "user {user}: backlog {:?}", r.backlog);
            assert!(r.recorded.created);
        }
        // Every settle and every intake in the set-wise pass (an intake that saw a backlog
        // would have been left to the one-at-a-time path, run after it).
        let taken = t.db.set_wise_writes() - taken_before;
        assert_eq!(taken, 2 * u64::try_from(users.len()).expect("count"));
        t.db.with_conn(|c| {
            for &(user, record) in &pending {
                let m = messages::get(c, record)?;
                assert_eq!(m.relay_state, RelayState::Delivered, "user {user}");
                assert_eq!(m.inbox_message_id, Some(MessageId(user * 1_000 + 3)));
            }
            Ok::<_, DomainError>(())
        })
        .expect("settled");
    }
}
