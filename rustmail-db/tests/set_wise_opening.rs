//! New users' tickets opened set-wise in the writer's batch (`rustmail_db::intake::set_wise`),
//! on both backends: a handful of statements for any number of new users, exactly the tickets,
//! opening events, DM records and channel turns of the one-DM path; left to that path while the
//! category prompt applies; and through the writer, fifty users at once each get one ticket.

use std::sync::Arc;
use std::time::Duration;

use diesel::Connection as _;
use rustmail_db::categories::{self, NewCategory};
use rustmail_db::connection::write_tx;
use rustmail_db::events::{self, EventKind};
use rustmail_db::ids::{ChannelId, GuildId, MessageId, UserId};
use rustmail_db::instances::EventClaim;
use rustmail_db::intake::{self, set_wise, ChannelTurn, IncomingDm, Intake, IntakeRecord};
use rustmail_db::messages::RelayState;
use rustmail_db::testing::{hold_writer, runtime, StatementLog, TestDatabase};
use rustmail_db::tickets::channels::{self, ChannelClaim};
use rustmail_db::tickets::{CloseKind, CloseRequest, OpenedVia, Ticket, TicketStatus};
use rustmail_db::{dm_channels, instances, notes, tickets, DbConnection, DomainError};

rustmail_db::stories!(
    new_users_tickets_open_with_nine_statements_as_one_at_a_time_would,
    while_the_category_prompt_applies_new_tickets_are_left_alone,
    through_the_writer_fifty_new_users_get_one_ticket_each,
    new_tickets_channels_are_recorded_with_two_statements_as_one_at_a_time_would,
);

const GUILD: GuildId = GuildId(900_000_000_000_000_001);

fn turn() -> ChannelTurn {
    ChannelTurn {
        worker: "me".to_owned(),
        lease: Duration::from_secs(30),
    }
}

fn dm(user: u64, id: u64) -> IncomingDm {
    IncomingDm {
        user_id: UserId(user),
        user_name: format!("user{user}"),
        staff_guild: GUILD,
        dm_channel: ChannelId(700_000_000_000_000_000 + user),
        message_id: MessageId(id),
        content: format!("first message {id} of {user}"),
        attachments: Vec::new(),
        may_open: true,
        channel_turn: Some(turn()),
    }
}

fn recorded(outcome: Option<Intake>) -> Box<IntakeRecord> {
    match outcome {
        Some(Intake::Recorded(r)) => r,
        other => panic!("not recorded: {other:?}"),
    }
}

/// What the one-DM path and the set-wise path must agree on for a new user's first DM.
fn check_opened(c: &mut DbConnection, dm: &IncomingDm, r: &IntakeRecord) -> Ticket {
    assert!(r.ticket_created && r.opening.channel_turn_taken, "{r:?}");
    assert!(r.recorded.created && r.backlog.is_empty() && !r.selection_pending);
    let ticket = tickets::get(c, r.ticket.id).expect("ticket");
    // The stored activity is the DM's (the one-DM path returns the ticket as opened).
    assert_eq!(ticket.last_activity_at, r.recorded.message.created_at);
    let as_returned = Ticket {
        last_activity_at: ticket.last_activity_at,
        ..r.ticket.clone()
    };
    assert_eq!(ticket, as_returned);
    assert_eq!(ticket.user_id, dm.user_id);
    assert_eq!(ticket.user_name, dm.user_name);
    assert_eq!(ticket.guild_id, GUILD);
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(ticket.opened_via, OpenedVia::UserDm);
    assert_eq!(ticket.opened_by, dm.user_id);
    assert_eq!(ticket.next_message_number, 1);
    assert!(ticket.channel_id.is_none() && ticket.category_id.is_none());
    assert!(ticket.first_staff_reply_at.is_none());
    let log = events::list(c, ticket.id).expect("events");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].kind, EventKind::Opened);
    assert_eq!(log[0].actor_id, Some(dm.user_id));
    assert_eq!(log[0].detail, "user_dm");
    let message = &r.recorded.message;
    assert_eq!(message.ticket_id, ticket.id);
    assert_eq!(message.source_message_id, Some(dm.message_id));
    assert_eq!(message.content, dm.content);
    assert_eq!(message.relay_state, RelayState::Pending);
    let channel = dm_channels::get(c, dm.user_id)
        .expect("read")
        .expect("DM channel");
    assert_eq!(channel.channel_id, dm.dm_channel);
    let key = ChannelTurn::key(ticket.id);
    let (holder, _) = instances::claim_holder(c, &key)
        .expect("read")
        .expect("turn");
    assert_eq!(holder, "me");
    // The turn is a lease: this worker renews it, another may not take it.
    assert!(instances::claim_lease(c, &key, "me", Duration::from_secs(30)).expect("renew"));
    assert!(!instances::claim_lease(c, &key, "other", Duration::from_secs(30)).expect("lease"));
    ticket
}

fn new_users_tickets_open_with_nine_statements_as_one_at_a_time_would(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        // One at a time, for comparison.
        for user in 1..=3 {
            let alone = dm(user, user * 1_000);
            let Intake::Recorded(r) = intake::intake_dm(c, &alone)? else {
                panic!("not recorded alone");
            };
            check_opened(c, &alone, &r);
        }
        // User 19 has a note, user 20 an earlier ticket (closed): they have a history.
        notes::add(c, UserId(19), "was here before", UserId(99), "mod")?;
        let Intake::Recorded(earlier) = intake::intake_dm(c, &dm(20, 1))? else {
            panic!("not recorded");
        };
        let closing = CloseRequest {
            kind: CloseKind::Staff,
            by: None,
            reason: None,
        };
        tickets::close(c, earlier.ticket.id, &closing)?;
        let dms: Vec<IncomingDm> = (11..=20).map(|u| dm(u, u * 1_000)).collect();
        let refs: Vec<&IncomingDm> = dms.iter().collect();
        c.set_instrumentation(seen.clone());
        let outcomes = write_tx(c, |c| set_wise::intake_many(c, &refs))?;
        c.set_instrumentation(StatementLog::new());
        // The open tickets and their flags, the category prompt, the blocks, who has a history
        // (four reads); the tickets, their opening events, their channel turns, the DM channels,
        // the DMs (five writes) on Postgres, where each statement is a round trip. (diesel runs
        // some of SQLite's multi-row inserts row by row, in-process.)
        if t.db.backend() == rustmail_db::connection::Backend::Postgres {
            assert_eq!(seen.work().len(), 9, "{:#?}", seen.work());
        }
        let mut ids = std::collections::HashSet::new();
        for (dm, outcome) in dms.iter().zip(outcomes) {
            let r = recorded(outcome);
            let ticket = check_opened(c, dm, &r);
            assert!(ids.insert(ticket.id));
            // Nothing to list in the header of a user without history, and it is known.
            let history = tickets::history(c, dm.user_id)?.len() > 1
                || !notes::for_user(c, dm.user_id)?.is_empty();
            assert_eq!(r.opening.no_history, !history, "user {}", dm.user_id.0);
            assert_eq!(
                r.opening.no_history,
                dm.user_id.0 < 19,
                "user {}",
                dm.user_id.0
            );
        }
        // The same DMs again: each user has an open ticket now and the DM is seen: left alone,
        // which finds the records and opens nothing.
        let again = write_tx(c, |c| set_wise::intake_many(c, &refs))?;
        assert!(again.iter().all(Option::is_none), "{again:?}");
        for dm in &dms {
            let Intake::Recorded(r) = intake::intake_dm(c, dm)? else {
                panic!("seen before");
            };
            assert!(!r.recorded.created && !r.ticket_created && !r.opening.channel_turn_taken);
        }
        // A user's next DM to the open ticket takes no turn.
        let next = dm(11, 11_001);
        let Intake::Recorded(r) = intake::intake_dm(c, &next)? else {
            panic!("not recorded");
        };
        assert!(!r.ticket_created && !r.opening.channel_turn_taken);
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

fn while_the_category_prompt_applies_new_tickets_are_left_alone(t: &TestDatabase) {
    t.db.with_conn(|c| {
        categories::create(
            c,
            &NewCategory {
                name: "Billing".into(),
                description: String::new(),
                emoji: None,
                discord_category_id: ChannelId(78),
            },
        )?;
        categories::set_prompt_enabled(c, true)?;
        let dms: Vec<IncomingDm> = (1..=3).map(|u| dm(u, u * 1_000)).collect();
        let refs: Vec<&IncomingDm> = dms.iter().collect();
        let outcomes = write_tx(c, |c| set_wise::intake_many(c, &refs))?;
        assert!(outcomes.iter().all(Option::is_none), "{outcomes:?}");
        assert!(tickets::find_open_by_user(c, UserId(1))?.is_none());
        // Alone, the ticket waits for its category, and takes no channel turn: its channel is
        // created later, perhaps by another process (or after a restart), which must not wait
        // for this one's lease to expire.
        let Intake::Recorded(r) = intake::intake_dm(c, &dms[0])? else {
            panic!("not recorded");
        };
        assert!(r.ticket_created && r.selection_pending);
        assert!(!r.opening.channel_turn_taken);
        let key = ChannelTurn::key(r.ticket.id);
        assert!(instances::claim_holder(c, &key)?.is_none(), "{key} is free");
        Ok::<_, DomainError>(())
    })
    .expect("story");
}

/// The writer held by a slow write while fifty new users' first DMs, each sent twice (two bot
/// processes), queue behind it: fifty tickets, one each, every DM recorded once, every turn
/// taken by exactly one of the two intakes, and the set-wise path was taken.
fn through_the_writer_fifty_new_users_get_one_ticket_each(t: &TestDatabase) {
    const USERS: u64 = 50;
    let runtime = runtime();
    let before = t.db.set_wise_writes();
    let outcomes = runtime.block_on(async {
        let hold = hold_writer(&t.db, Duration::from_millis(300)).await;
        let mut handles = Vec::new();
        for _ in 0..2 {
            for user in 1..=USERS {
                let db = t.db.clone();
                handles.push(tokio::spawn(async move {
                    db.intake(Arc::new(dm(user, user * 1_000))).await
                }));
            }
        }
        hold.await.expect("task").expect("hold");
        let mut outcomes = Vec::new();
        for handle in handles {
            outcomes.push(handle.await.expect("task").expect("intake"));
        }
        outcomes
    });
    assert!(
        t.db.set_wise_writes() >= before + USERS,
        "the set-wise path was taken"
    );
    let mut created = std::collections::HashMap::new();
    let mut turns = std::collections::HashMap::new();
    for outcome in outcomes {
        let Intake::Recorded(r) = outcome else {
            panic!("not recorded: {outcome:?}");
        };
        *created.entry(r.ticket.user_id).or_insert(0) += usize::from(r.recorded.created);
        *turns.entry(r.ticket.id).or_insert(0) += usize::from(r.opening.channel_turn_taken);
    }
    assert_eq!(created.len(), usize::try_from(USERS).expect("users"));
    assert!(created.values().all(|n| *n == 1), "{created:?}");
    assert_eq!(
        turns.len(),
        usize::try_from(USERS).expect("users"),
        "one ticket per user"
    );
    assert!(turns.values().all(|n| *n == 1), "{turns:?}");
    // Their channels, recorded through the writer behind a slow write: set-wise, each its own.
    let before = t.db.set_wise_writes();
    let tickets: Vec<Ticket> =
        t.db.with_conn(|c| {
            (1..=USERS)
                .map(|u| tickets::find_open_by_user(c, UserId(u)).map(|t| t.expect("open")))
                .collect::<Result<Vec<_>, _>>()
        })
        .expect("tickets");
    let recorded = runtime.block_on(async {
        let hold = hold_writer(&t.db, Duration::from_millis(300)).await;
        let handles: Vec<_> = tickets
            .iter()
            .map(|ticket| {
                let db = t.db.clone();
                let claim = channel_claim(ticket, 50_000 + ticket.id.0.unsigned_abs());
                let user = ticket.user_id;
                tokio::spawn(async move { db.record_channel(user, claim).await })
            })
            .collect();
        hold.await.expect("task").expect("hold");
        let mut recorded = Vec::new();
        for handle in handles {
            recorded.push(handle.await.expect("task").expect("record"));
        }
        recorded
    });
    assert!(
        t.db.set_wise_writes() >= before + USERS,
        "the set-wise path was taken"
    );
    for ticket in recorded {
        assert_eq!(
            ticket.channel_id,
            Some(ChannelId(50_000 + ticket.id.0.unsigned_abs()))
        );
    }
}

fn channel_claim(ticket: &Ticket, channel: u64) -> ChannelClaim {
    ChannelClaim {
        ticket: ticket.id,
        channel: ChannelId(channel),
        turn: Some(EventClaim {
            key: ChannelTurn::key(ticket.id),
            worker: "me".to_owned(),
        }),
    }
}

/// Ten new tickets' channels recorded set-wise in two statements (the tickets, the turns), as
/// the one-at-a-time path records them; a ticket closed meanwhile or with a channel already is
/// left to that path, which decides it; a channel of another ticket fails the set.
fn new_tickets_channels_are_recorded_with_two_statements_as_one_at_a_time_would(t: &TestDatabase) {
    let seen = StatementLog::new();
    t.db.with_conn(|c| {
        let mut opened = Vec::new();
        for user in 1..=13 {
            let Intake::Recorded(r) = intake::intake_dm(c, &dm(user, user * 1_000))? else {
                panic!("not recorded");
            };
            opened.push(r.ticket);
        }
        // 11: closed meanwhile. 12: has a channel already (another process). 13: alone.
        tickets::close(
            c,
            opened[10].id,
            &CloseRequest {
                kind: CloseKind::Staff,
                by: None,
                reason: None,
            },
        )?;
        channels::record_channel(c, &channel_claim(&opened[11], 9_120))?;
        let alone = channels::record_channel(c, &channel_claim(&opened[12], 9_130))?;
        assert_eq!(alone.channel_id, Some(ChannelId(9_130)));
        let claims: Vec<ChannelClaim> = opened[..12]
            .iter()
            .enumerate()
            .map(|(n, ticket)| channel_claim(ticket, 8_000 + n as u64))
            .collect();
        let refs: Vec<&ChannelClaim> = claims.iter().collect();
        c.set_instrumentation(seen.clone());
        let outcomes = write_tx(c, |c| channels::record_many(c, &refs))?;
        c.set_instrumentation(StatementLog::new());
        if t.db.backend() == rustmail_db::connection::Backend::Postgres {
            assert_eq!(seen.work().len(), 2, "{:#?}", seen.work());
        }
        for (n, (ticket, outcome)) in opened.iter().zip(&outcomes).take(10).enumerate() {
            let recorded = outcome.as_ref().expect("taken set-wise");
            let stored = tickets::get(c, ticket.id)?;
            assert_eq!(&stored, recorded);
            assert_eq!(stored.channel_id, Some(ChannelId(8_000 + n as u64)));
            // The turn is given up: another process could take it now.
            let key = ChannelTurn::key(ticket.id);
            assert!(instances::claim_holder(c, &key)?.is_none(), "{key}");
        }
        assert!(
            outcomes[10].is_none() && outcomes[11].is_none(),
            "{outcomes:?}"
        );
        assert!(matches!(
            channels::record_channel(c, &claims[10]),
            Err(DomainError::NotOpen(_))
        ));
        let winner = channels::record_channel(c, &claims[11])?;
        assert_eq!(
            winner.channel_id,
            Some(ChannelId(9_120)),
            "the first channel stays"
        );
        // A channel that belongs to another ticket fails the set.
        let more: Vec<Ticket> = (21..=22)
            .map(|user| match intake::intake_dm(c, &dm(user, user * 1_000)) {
                Ok(Intake::Recorded(r)) => r.ticket,
                other => panic!("not recorded: {other:?}"),
            })
            .collect();
        let clash = [
            channel_claim(&more[0], 8_000),
            channel_claim(&more[1], 8_100),
        ];
        let refs: Vec<&ChannelClaim> = clash.iter().collect();
        assert!(write_tx(c, |c| channels::record_many(c, &refs)).is_err());
        assert!(
            tickets::get(c, more[1].id)?.channel_id.is_none(),
            "rolled back"
        );
        Ok::<_, DomainError>(())
    })
    .expect("story");
}
