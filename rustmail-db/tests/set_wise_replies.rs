//! Staff replies recorded with their command's claim in one write, and many at once in the
//! writer's batch (`rustmail_db::messages::replies`), on both backends: four statements on
//! Postgres for any number of replies, exactly the outcomes of one at a time; every reply off the
//! common path left alone; a lost claim records nothing; and through the writer, every command
//! recorded once, numbered in the order sent.

use std::sync::Arc;

use diesel::Connection as _;
use rustmail_db::attachments::NewAttachment;
use rustmail_db::connection::write_tx;
use rustmail_db::ids::{MessageId, TicketId, UserId};
use rustmail_db::messages::replies::{self, ClaimedReply, EventClaim, ReplyRecorded};
use rustmail_db::messages::{self, Author, Direction, RelayState, StaffReply};
use rustmail_db::testing::{hold_writer, runtime, user_ticket, StatementLog, TestDatabase};
use rustmail_db::tickets::{self, CloseKind, CloseRequest};
use rustmail_db::{instances, DbConnection, DomainError};

rustmail_db::stories!(
    many_replies_take_four_statements_and_come_out_as_one_at_a_time,
    replies_off_the_common_path_are_left_alone_and_lost_claims_record_nothing,
    a_closed_ticket_or_a_command_recorded_before_fails_the_set,
    through_the_writer_every_command_is_recorded_once_in_order,
);

const STAFF: u64 = 500;

fn open(c: &mut DbConnection, user: u64) -> TicketId {
    tickets::open(c, &user_ticket(user))
        .expect("open")
        .ticket
        .id
}

fn reply(ticket: TicketId, command: u64) -> StaffReply {
    StaffReply {
        ticket_id: ticket,
        source_message_id: MessageId(command),
        author: Author {
            id: UserId(STAFF),
            name: "bob".to_owned(),
            role: command.is_multiple_of(2).then(|| "Moderator".to_owned()),
        },
        anonymous: command.is_multiple_of(3),
        content: format!("reply {command}"),
        attachments: Vec::new(),
        inactivity_close_after: None,
    }
}

fn claimed(ticket: TicketId, command: u64, worker: &str) -> ClaimedReply {
    ClaimedReply {
        reply: reply(ticket, command),
        claim: Some(EventClaim {
            key: format!("cmd:{command}"),
            worker: worker.to_owned(),
        }),
    }
}

fn recorded(outcome: Option<ReplyRecorded>) -> (messages::Recorded, Vec<messages::MessageRecord>) {
    match outcome {
        Some(ReplyRecorded::Recorded { recorded, earlier }) => (*recorded, earlier),
        other => panic!("not recorded: {other:?}"),
    }
}

fn many_replies_take_four_statements_and_come_out_as_one_at_a_time(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        let tickets: Vec<TicketId> = (1..=10).map(|u| open(c, u)).collect();
        // Tickets 1 and 2 have a reply still pending (recorded alone): it is "earlier".
        let mut pending = Vec::new();
        for (n, ticket) in tickets.iter().take(2).enumerate() {
            let alone = write_tx(c, |c| {
                replies::record_claimed(c, &claimed(*ticket, 100 + n as u64, "me"))
            })?;
            pending.push(recorded(Some(alone)).0.message);
        }
        let writes: Vec<ClaimedReply> = tickets
            .iter()
            .enumerate()
            .map(|(n, t)| claimed(*t, 1_000 + n as u64, "me"))
            .collect();
        let refs: Vec<&ClaimedReply> = writes.iter().collect();
        c.set_instrumentation(seen.clone());
        let outcomes = write_tx(c, |c| replies::record_many(c, &refs))?;
        c.set_instrumentation(StatementLog::new());
        // The claims (one insert), the numbers (one update), the replies (one insert), the
        // pending replies (one read) on Postgres. diesel runs SQLite's multi-row inserts row by
        // row, so there each reply costs two statements (in-process, no round trip).
        let expected = if t.db.backend() == rustmail_db::connection::Backend::Postgres {
            4
        } else {
            2 + 2 * 10
        };
        assert_eq!(seen.work().len(), expected, "{:#?}", seen.work());
        for (n, (write, outcome)) in writes.iter().zip(outcomes).enumerate() {
            let (recorded, earlier) = recorded(outcome);
            let message = &recorded.message;
            let sent = &write.reply;
            assert!(recorded.created && recorded.cancelled_close.is_none());
            assert!(recorded.alerts.is_empty());
            // What the one-at-a-time path stores, read back.
            let stored = messages::get(c, message.id)?;
            assert_eq!(&stored, message);
            assert_eq!(stored.ticket_id, sent.ticket_id);
            assert_eq!(stored.direction, Direction::StaffToUser);
            assert_eq!(stored.author_id, UserId(STAFF));
            assert_eq!(stored.author_name, "bob");
            assert_eq!(stored.author_role, sent.author.role);
            assert_eq!(stored.anonymous, sent.anonymous);
            assert_eq!(stored.content, sent.content);
            assert_eq!(stored.source_message_id, Some(sent.source_message_id));
            assert_eq!(stored.relay_state, RelayState::Pending);
            assert_eq!(stored.relay_attempts, 0);
            assert!(stored.dm_message_id.is_none() && stored.inbox_message_id.is_none());
            // Numbered after the ticket's earlier reply, if any.
            let first = n >= 2;
            assert_eq!(stored.number, Some(if first { 1 } else { 2 }), "reply {n}");
            let ticket = tickets::get(c, sent.ticket_id)?;
            assert_eq!(
                ticket.next_message_number,
                stored.number.expect("number") + 1
            );
            assert_eq!(ticket.last_activity_at, stored.created_at);
            if first {
                assert_eq!(ticket.first_staff_reply_at, Some(stored.created_at));
                assert!(earlier.is_empty(), "reply {n}: {earlier:?}");
            } else {
                assert!(ticket.first_staff_reply_at < Some(stored.created_at));
                assert_eq!(earlier, vec![pending[n].clone()], "reply {n}");
            }
            let key = format!("cmd:{}", sent.source_message_id.0);
            let holder = instances::claim_holder(c, &key)?.expect("claimed").0;
            assert_eq!(holder, "me");
        }
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

fn replies_off_the_common_path_are_left_alone_and_lost_claims_record_nothing(t: &TestDatabase) {
    t.db.with_conn(|c| {
        let tickets: Vec<TicketId> = (1..=8).map(|u| open(c, u)).collect();
        assert!(instances::claim_once(c, "cmd:2002", "other")?);
        let mut with_file = claimed(tickets[0], 2000, "me");
        with_file.reply.attachments.push(NewAttachment {
            discord_attachment_id: None,
            filename: "a.txt".to_owned(),
            content_type: None,
            size_bytes: 1,
            url: "https://cdn.example/a.txt".to_owned(),
            data: Some(vec![b'a']),
        });
        let mut closing = claimed(tickets[1], 2001, "me");
        closing.reply.inactivity_close_after = Some(std::time::Duration::from_secs(60));
        let lost = claimed(tickets[2], 2002, "me");
        let mut blank = claimed(tickets[3], 2003, "me");
        "  ".clone_into(&mut blank.reply.content);
        let first = claimed(tickets[4], 2004, "me");
        let second_of_ticket = claimed(tickets[4], 2005, "me");
        let other_worker = claimed(tickets[5], 2006, "other");
        let plain = claimed(tickets[6], 2007, "me");
        let writes = [
            with_file,
            closing,
            lost,
            blank,
            first,
            second_of_ticket,
            other_worker,
            plain,
        ];
        let refs: Vec<&ClaimedReply> = writes.iter().collect();
        let outcomes = write_tx(c, |c| replies::record_many(c, &refs))?;
        let left: Vec<usize> = outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_none())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(left, vec![0, 1, 3, 5, 6], "{outcomes:?}");
        assert!(matches!(outcomes[2], Some(ReplyRecorded::ClaimedElsewhere)));
        assert!(messages::find_by_source(c, MessageId(2002))?.is_none());
        assert!(messages::find_by_source(c, MessageId(2004))?.is_some());
        assert!(messages::find_by_source(c, MessageId(2007))?.is_some());
        // Left alone, each gets what the one-at-a-time path decides.
        for i in left {
            let outcome = write_tx(c, |c| replies::record_claimed(c, &writes[i]));
            match i {
                3 => assert!(
                    matches!(outcome, Err(DomainError::Invalid { .. })),
                    "{outcome:?}"
                ),
                5 => assert_eq!(recorded(Some(outcome?)).0.message.number, Some(2)),
                _ => assert!(recorded(Some(outcome?)).0.created),
            }
        }
        // A claim lost alone records nothing either.
        let again = write_tx(c, |c| {
            replies::record_claimed(c, &claimed(tickets[7], 2002, "me"))
        })?;
        assert!(matches!(again, ReplyRecorded::ClaimedElsewhere));
        assert!(messages::find_by_source(c, MessageId(2002))?.is_none());
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

fn a_closed_ticket_or_a_command_recorded_before_fails_the_set(t: &TestDatabase) {
    t.db.with_conn(|c| {
        let tickets: Vec<TicketId> = (1..=3).map(|u| open(c, u)).collect();
        tickets::close(
            c,
            tickets[0],
            &CloseRequest {
                kind: CloseKind::Staff,
                by: Some(UserId(STAFF)),
                reason: None,
            },
        )?;
        let set = [
            claimed(tickets[0], 3000, "me"),
            claimed(tickets[1], 3001, "me"),
        ];
        let refs: Vec<&ClaimedReply> = set.iter().collect();
        assert!(write_tx(c, |c| replies::record_many(c, &refs)).is_err());
        // Rolled back: nothing recorded, nothing claimed.
        assert!(messages::find_by_source(c, MessageId(3001))?.is_none());
        assert!(instances::claim_holder(c, "cmd:3001")?.is_none());
        // Recorded before without a claim (the unique index on the command's id decides).
        let plain = ClaimedReply {
            reply: reply(tickets[1], 3002),
            claim: None,
        };
        write_tx(c, |c| replies::record_claimed(c, &plain))?;
        let twice = ClaimedReply {
            reply: reply(tickets[2], 3002),
            claim: None,
        };
        let unclaimed = ClaimedReply {
            reply: reply(tickets[1], 3003),
            claim: None,
        };
        let set = [twice, unclaimed];
        let refs: Vec<&ClaimedReply> = set.iter().collect();
        assert!(write_tx(c, |c| replies::record_many(c, &refs)).is_err());
        assert!(messages::find_by_source(c, MessageId(3003))?.is_none());
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

/// Every writer held by a slow write while 30 tickets' staff send two replies each, every
/// command recorded twice at once (two bot processes): each command is recorded once, by one of
/// its two writes (the other hears `ClaimedElsewhere`), numbered 1 and 2 in the order sent, and
/// the set-wise path was taken.
fn through_the_writer_every_command_is_recorded_once_in_order(t: &TestDatabase) {
    use std::time::Duration;

    const TICKETS: usize = 30;
    let tickets: Vec<TicketId> = t
        .db
        .with_conn(|c| Ok::<_, DomainError>((1..=TICKETS as u64).map(|u| open(c, u)).collect()))
        .expect("tickets");
    let runtime = runtime();
    let before = t.db.set_wise_writes();
    let outcomes = runtime.block_on(async {
        let hold = hold_writer(&t.db, Duration::from_millis(300)).await;
        let mut writes = Vec::new();
        for k in 1..=2_u64 {
            for (n, ticket) in tickets.iter().enumerate() {
                let user = UserId(n as u64 + 1);
                for worker in ["me", "twin"] {
                    let write = Arc::new(claimed(*ticket, k * 10_000 + n as u64, worker));
                    writes.push(t.db.record_reply(user, write));
                }
            }
        }
        // Polled in order, so queued in the order sent (spawned tasks may start in any order:
        // a second reply queued before the first was numbered 1, under load).
        let outcomes = futures::future::join_all(writes).await;
        hold.await.expect("task").expect("hold");
        outcomes
            .into_iter()
            .map(|outcome| outcome.expect("record"))
            .collect::<Vec<_>>()
    });
    assert!(
        t.db.set_wise_writes() > before,
        "the set-wise path was taken"
    );
    let mut recorded_once = std::collections::HashMap::new();
    for outcome in outcomes {
        if let ReplyRecorded::Recorded { recorded, .. } = outcome {
            assert!(recorded.created);
            let command = recorded.message.source_message_id.expect("command").0;
            assert!(
                recorded_once.insert(command, recorded.message).is_none(),
                "command {command} recorded twice"
            );
        }
    }
    assert_eq!(recorded_once.len(), 2 * TICKETS);
    for (command, message) in recorded_once {
        let k = command / 10_000;
        assert_eq!(
            message.number,
            Some(i32::try_from(k).expect("k")),
            "command {command}"
        );
        assert_eq!(
            message.ticket_id,
            tickets[usize::try_from(command % 10_000).expect("n")]
        );
    }
}
