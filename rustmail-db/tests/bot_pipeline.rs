//! Domain functions the bot's pipeline relies on: the DM intake in one transaction, claiming a
//! ticket's channel once, relay copies recorded with delivery, the retry listing that leaves
//! fresh relays to the live pipeline, the close with its queued follow-up, and the DM channel's
//! last-seen message. Run on SQLite always and on PostgreSQL when `RUSTMAIL_TEST_POSTGRES_URL`
//! is set.

use std::time::Duration;

use rustmail_db::error::DomainError;
use rustmail_db::ids::{ChannelId, GuildId, MessageId, TicketId, UserId};
use rustmail_db::intake::{self, IncomingDm, Intake};
use rustmail_db::jobs::{self, JobKind};
use rustmail_db::messages::relay::{self, Side};
use rustmail_db::messages::{self, RelayState};
use rustmail_db::testing::TestDatabase;
use rustmail_db::tickets::{self, CloseKind, CloseRequest};
use rustmail_db::{blocks, dm_channels, DbConnection, DomainResult};

const GUILD: GuildId = GuildId(900_000_000_000_000_001);
const STAFF: UserId = UserId(800_000_000_000_000_001);
const DM_CHANNEL: ChannelId = ChannelId(700_000_000_000_000_001);

macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&rustmail_db::testing::TestDatabase::sqlite());
            })+
        }
        mod postgres {
            $(#[test]
            fn $name() {
                let Some(url) = rustmail_db::testing::TestDatabase::postgres_url() else {
                    eprintln!("RUSTMAIL_TEST_POSTGRES_URL is not set: Postgres case not run");
                    return;
                };
                super::$name(&rustmail_db::testing::TestDatabase::postgres(&url));
            })+
        }
    };
}

on_both!(
    intake_opens_records_and_is_idempotent,
    intake_refuses_blocked_users_and_needs_permission_to_open,
    intake_lists_earlier_pending_dms_as_backlog,
    a_channel_is_claimed_once,
    copies_and_delivery_are_recorded_together,
    retries_leave_fresh_relays_alone,
    close_queues_its_follow_up_once,
    dm_channels_remember_the_last_seen_message,
    a_stopping_worker_gives_its_claims_back,
    a_dm_to_an_open_ticket_cancels_its_close_fires_alerts_and_respects_a_new_block,
);

fn with<T>(t: &TestDatabase, f: impl FnOnce(&mut DbConnection) -> DomainResult<T>) -> T {
    t.db.with_conn(f).expect("database call")
}

fn dm(user: u64, id: u64, text: &str, may_open: bool) -> IncomingDm {
    IncomingDm {
        user_id: UserId(user),
        user_name: format!("user{user}"),
        staff_guild: GUILD,
        dm_channel: ChannelId(DM_CHANNEL.get() + user),
        message_id: MessageId(id),
        content: text.to_owned(),
        attachments: Vec::new(),
        may_open,
        channel_turn: None,
    }
}

fn recorded(intake: Intake) -> Box<intake::IntakeRecord> {
    match intake {
        Intake::Recorded(r) => r,
        other => panic!("expected a recorded DM, got {other:?}"),
    }
}

fn intake_opens_records_and_is_idempotent(t: &TestDatabase) {
    let first = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(1, 100, "hello", true))
    }));
    assert!(first.ticket_created);
    assert!(first.recorded.created);
    assert_eq!(first.recorded.message.relay_state, RelayState::Pending);
    assert_eq!(first.ticket.user_name, "user1");
    let again = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(1, 100, "hello", true))
    }));
    assert!(!again.ticket_created);
    assert!(!again.recorded.created, "the same DM is recorded once");
    assert_eq!(again.recorded.message.id, first.recorded.message.id);
    let second = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(1, 101, "more", false))
    }));
    assert_eq!(second.ticket.id, first.ticket.id, "the open ticket is used");
    assert_eq!(
        with(t, |c| messages::for_ticket(c, first.ticket.id)).len(),
        2
    );
    // A replayed DM of a closed ticket does not open a new one.
    with(t, |c| {
        tickets::close(
            c,
            first.ticket.id,
            &CloseRequest {
                kind: CloseKind::Staff,
                by: Some(STAFF),
                reason: None,
            },
        )
    });
    let replay = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(1, 100, "hello", true))
    }));
    assert_eq!(replay.ticket.id, first.ticket.id);
    assert!(with(t, |c| tickets::find_open_by_user(c, UserId(1))).is_none());
}

fn intake_refuses_blocked_users_and_needs_permission_to_open(t: &TestDatabase) {
    assert!(matches!(
        with(t, |c| intake::intake_dm(c, &dm(2, 200, "hi", false))),
        Intake::NoTicket
    ));
    with(t, |c| blocks::block(c, UserId(2), STAFF, "spam", None));
    assert!(matches!(
        with(t, |c| intake::intake_dm(c, &dm(2, 201, "hi", true))),
        Intake::Blocked
    ));
    assert!(with(t, |c| tickets::history(c, UserId(2))).is_empty());
    // Refused DMs still count as seen (recovery does not refuse them again).
    let seen = with(t, |c| dm_channels::get(c, UserId(2))).expect("remembered");
    assert_eq!(seen.last_seen_message_id, Some(MessageId(201)));
}

fn intake_lists_earlier_pending_dms_as_backlog(t: &TestDatabase) {
    let first = recorded(with(t, |c| intake::intake_dm(c, &dm(3, 300, "one", true))));
    assert!(first.backlog.is_empty());
    let second = recorded(with(t, |c| intake::intake_dm(c, &dm(3, 301, "two", true))));
    assert_eq!(second.backlog.len(), 1);
    assert_eq!(second.backlog[0].id, first.recorded.message.id);
    with(t, |c| {
        relay::record_copies(
            c,
            first.recorded.message.id,
            Side::Inbox,
            0,
            &[MessageId(9000)],
            true,
        )
    });
    let third = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(3, 302, "three", true))
    }));
    assert_eq!(third.backlog.len(), 1, "only what is still pending");
    assert_eq!(third.backlog[0].id, second.recorded.message.id);
}

fn a_channel_is_claimed_once(t: &TestDatabase) {
    let ticket = recorded(with(t, |c| intake::intake_dm(c, &dm(4, 400, "hi", true)))).ticket;
    let won = with(t, |c| tickets::claim_channel(c, ticket.id, ChannelId(5001)));
    assert_eq!(won.channel_id, Some(ChannelId(5001)));
    let lost = with(t, |c| tickets::claim_channel(c, ticket.id, ChannelId(5002)));
    assert_eq!(
        lost.channel_id,
        Some(ChannelId(5001)),
        "the first channel stays"
    );
    let other = recorded(with(t, |c| intake::intake_dm(c, &dm(5, 500, "hi", true)))).ticket;
    let taken =
        t.db.with_conn(|c| tickets::claim_channel(c, other.id, ChannelId(5001)));
    assert!(matches!(taken, Err(DomainError::Conflict(_))), "{taken:?}");
}

fn copies_and_delivery_are_recorded_together(t: &TestDatabase) {
    let r = recorded(with(t, |c| intake::intake_dm(c, &dm(6, 600, "long", true))));
    let id = r.recorded.message.id;
    with(t, |c| {
        relay::record_copies(c, id, Side::Inbox, 0, &[MessageId(6001)], false)
    });
    assert_eq!(
        with(t, |c| messages::get(c, id)).relay_state,
        RelayState::Pending
    );
    with(t, |c| {
        relay::record_copies(
            c,
            id,
            Side::Inbox,
            1,
            &[MessageId(6002), MessageId(6003)],
            true,
        )
    });
    let m = with(t, |c| messages::get(c, id));
    assert_eq!(m.relay_state, RelayState::Delivered);
    assert_eq!(
        with(t, |c| relay::copies(c, id, Side::Inbox)),
        vec![MessageId(6001), MessageId(6002), MessageId(6003)]
    );
    // Recording the same copies again (a re-drive) is harmless.
    with(t, |c| {
        relay::record_copies(c, id, Side::Inbox, 1, &[MessageId(6002)], true)
    });
    assert_eq!(with(t, |c| relay::parts_done(c, id, Side::Inbox)), 3);
}

fn retries_leave_fresh_relays_alone(t: &TestDatabase) {
    let r = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(7, 700, "fresh", true))
    }));
    let id = r.recorded.message.id;
    let due = with(t, |c| relay::due_for_retry(c, 10, Duration::from_secs(60)));
    assert!(
        due.iter().all(|m| m.id != id),
        "a fresh relay belongs to the live pipeline"
    );
    let due = with(t, |c| relay::due_for_retry(c, 10, Duration::ZERO));
    assert!(due.iter().any(|m| m.id == id), "left behind by a crash");
    let later = rustmail_db::time::after(Duration::from_secs(3600));
    with(t, |c| relay::mark_retry(c, id, "HTTP 500", later));
    let due = with(t, |c| relay::due_for_retry(c, 10, Duration::ZERO));
    assert!(due.iter().all(|m| m.id != id), "not before its retry time");
    let now = rustmail_db::time::now();
    with(t, |c| relay::mark_retry(c, id, "HTTP 500", now));
    let due = with(t, |c| relay::due_for_retry(c, 10, Duration::from_secs(60)));
    assert!(
        due.iter().any(|m| m.id == id),
        "a failed relay is retried whatever its age"
    );
}

fn close_queues_its_follow_up_once(t: &TestDatabase) {
    let ticket: TicketId = recorded(with(t, |c| intake::intake_dm(c, &dm(8, 800, "bye", true))))
        .ticket
        .id;
    let request = CloseRequest {
        kind: CloseKind::Staff,
        by: Some(STAFF),
        reason: None,
    };
    let (closed, job) = with(t, |c| {
        tickets::close_with_followup(
            c,
            ticket,
            &request,
            serde_json::json!({"effect": "close", "notify": true}),
        )
    });
    assert!(!closed.is_open());
    assert_eq!(job.kind, JobKind::SideEffect);
    assert_eq!(job.payload_json()["notify"], true);
    let again = t
        .db
        .with_conn(|c| tickets::close_with_followup(c, ticket, &request, serde_json::json!({})));
    assert!(matches!(again, Err(DomainError::NotOpen(_))));
    let claimed = with(t, |c| jobs::claim_due(c, "w1", Duration::from_secs(60), 10));
    assert_eq!(claimed.iter().filter(|j| j.id == job.id).count(), 1);
}

fn dm_channels_remember_the_last_seen_message(t: &TestDatabase) {
    let user = UserId(9);
    with(t, |c| {
        dm_channels::seen(c, user, DM_CHANNEL, MessageId(905))
    });
    with(t, |c| {
        dm_channels::seen(c, user, DM_CHANNEL, MessageId(903))
    });
    assert_eq!(
        with(t, |c| dm_channels::get(c, user)).map(|d| d.channel_id),
        Some(DM_CHANNEL)
    );
    let known = with(t, |c| dm_channels::get(c, user)).expect("known");
    assert_eq!(
        known.last_seen_message_id,
        Some(MessageId(905)),
        "never moves backwards"
    );
    with(t, |c| {
        dm_channels::seen(c, user, ChannelId(700_000_000_000_000_002), MessageId(910))
    });
    let known = with(t, |c| dm_channels::get(c, user)).expect("known");
    assert_eq!(known.channel_id, ChannelId(700_000_000_000_000_002));
    assert_eq!(known.last_seen_message_id, Some(MessageId(910)));
}

fn a_stopping_worker_gives_its_claims_back(t: &TestDatabase) {
    let ticket = recorded(with(t, |c| intake::intake_dm(c, &dm(10, 1000, "hi", true))))
        .ticket
        .id;
    let job = with(t, |c| {
        jobs::schedule(
            c,
            &jobs::NewJob {
                kind: JobKind::SideEffect,
                ticket_id: Some(ticket),
                payload: serde_json::json!({}),
                due_at: rustmail_db::time::now(),
                created_by: None,
                idempotency_key: None,
            },
        )
    });
    let action = with(t, |c| {
        rustmail_db::actions::enqueue(c, &rustmail_db::operator::recover("test", "test"))
    });
    let lease = Duration::from_secs(600);
    assert!(with(t, |c| jobs::claim_due(c, "old", lease, 10))
        .iter()
        .any(|j| j.id == job.id));
    assert!(with(t, |c| rustmail_db::actions::claim_next(c, "old", lease)).is_some());
    assert!(
        with(t, |c| jobs::claim_due(c, "new", lease, 10)).is_empty(),
        "leased"
    );
    assert_eq!(with(t, |c| jobs::release_claims(c, "old")), 1);
    assert_eq!(
        with(t, |c| rustmail_db::actions::release_claims(c, "old")),
        1
    );
    assert!(with(t, |c| jobs::claim_due(c, "new", lease, 10))
        .iter()
        .any(|j| j.id == job.id));
    let claimed =
        with(t, |c| rustmail_db::actions::claim_next(c, "new", lease)).expect("claimable");
    assert_eq!(claimed.id, action.id);
}

/// The intake's one-read path for an open ticket (issue #7, session 5) still does everything the
/// separate reads did: cancel the scheduled and inactivity closes, fire alerts once, deliver the
/// backlog first, and refuse a user blocked while their ticket is open.
fn a_dm_to_an_open_ticket_cancels_its_close_fires_alerts_and_respects_a_new_block(
    t: &TestDatabase,
) {
    let ticket = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(11, 1_100, "hi", true))
    }))
    .ticket;
    let due_at = chrono::Utc::now().naive_utc() + chrono::Duration::hours(1);
    for kind in [JobKind::Close, JobKind::InactivityClose] {
        with(t, |c| {
            jobs::schedule_close(
                c,
                ticket.id,
                &jobs::CloseSchedule {
                    kind,
                    due_at,
                    by: Some(STAFF),
                    silent: false,
                },
            )
        });
    }
    with(t, |c| rustmail_db::access::set_alert(c, ticket.id, STAFF));

    let answered = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(11, 1_101, "still here", false))
    }));
    assert!(answered.recorded.created);
    let cancelled = answered
        .recorded
        .cancelled_close
        .expect("the close is cancelled");
    assert_eq!(cancelled.kind, JobKind::Close);
    assert_eq!(answered.recorded.alerts, vec![STAFF]);
    for kind in [JobKind::Close, JobKind::InactivityClose] {
        assert!(
            with(t, |c| jobs::live_for_ticket(c, ticket.id, kind)).is_none(),
            "{kind:?} still live"
        );
    }
    // Both relays are still pending: the earlier one is this DM's backlog.
    assert_eq!(answered.backlog.len(), 1);

    // Nothing left to cancel or fire.
    let next = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(11, 1_102, "again", false))
    }));
    assert!(next.recorded.cancelled_close.is_none());
    assert!(next.recorded.alerts.is_empty());
    assert_eq!(next.backlog.len(), 2);

    // Blocked while the ticket is open: refused, not recorded.
    with(t, |c| blocks::block(c, UserId(11), STAFF, "spam", None));
    assert!(matches!(
        with(t, |c| intake::intake_dm(
            c,
            &dm(11, 1_103, "blocked", false)
        )),
        Intake::Blocked
    ));
    assert!(with(t, |c| messages::find_by_source(c, MessageId(1_103))).is_none());
    // A DM recorded before the block is still answered as recorded (idempotent re-delivery).
    let again = recorded(with(t, |c| {
        intake::intake_dm(c, &dm(11, 1_102, "again", false))
    }));
    assert!(!again.recorded.created);
}
