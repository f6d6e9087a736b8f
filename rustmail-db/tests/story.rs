//! The "story" of Rustmail's domain, run on SQLite always and on PostgreSQL when
//! `RUSTMAIL_TEST_POSTGRES_URL` is set (mandatory under `CI=true`). Each test gets a fresh
//! database (a temp file, or its own `CREATE DATABASE`), so runs never see each other.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use rustmail_db::actions::{self, ActionKind, NewAction, Outcome};
use rustmail_db::categories::{self, NewCategory};
use rustmail_db::connection::DbConnection;
use rustmail_db::error::DomainError;
use rustmail_db::ids::{ChannelId, GuildId, MessageId, TicketId, UserId};
use rustmail_db::jobs::{self, CloseSchedule, JobKind, NewJob};
use rustmail_db::messages::{self, relay, Author, Direction, InboundDm, RelayState, StaffReply};
use rustmail_db::testing::TestDatabase;
use rustmail_db::tickets::list::{StatusFilter, TicketFilter};
use rustmail_db::tickets::{self, CloseKind, CloseRequest, NewTicket, OpenedVia};
use rustmail_db::{
    access, blocks, dm_channels, events, instances, log, notes, reminders, snippets, Db,
    DomainResult,
};

const GUILD: GuildId = GuildId(900_000_000_000_000_001);
const STAFF: UserId = UserId(800_000_000_000_000_001);
const OTHER_STAFF: UserId = UserId(800_000_000_000_000_002);

rustmail_db::stories!(
    migrations_apply_on_an_empty_database,
    one_open_ticket_per_user_under_a_race,
    reopening_after_close_creates_a_new_ticket,
    inbound_dms_are_recorded_once,
    reply_numbers_are_unique_and_gap_free_under_concurrency,
    replies_are_idempotent_on_their_command,
    edits_keep_revisions_and_deletions_are_marks,
    only_the_author_or_an_admin_changes_a_reply,
    relay_copies_and_states,
    replies_wait_behind_earlier_pending_ones,
    scheduled_close_replaces_and_is_cancelled_by_the_user,
    each_due_job_is_claimed_by_one_of_two_workers,
    expired_leases_are_reclaimed,
    closing_cancels_jobs_alerts_and_reminders,
    closing_twice_is_refused,
    assignment_rules,
    staff_access_and_alerts,
    categories_are_unique_case_insensitively,
    category_prompt_settings_are_validated,
    category_selection_resolves_once,
    operator_actions_queue,
    listing_filters_and_pages,
    full_log_in_one_call,
    dm_channels_and_heartbeats,
    invalid_input_changes_nothing,
    blocks_expire_by_themselves,
    snippets_and_notes,
);

fn db(t: &TestDatabase) -> &Db {
    &t.db
}

fn with<T>(t: &TestDatabase, f: impl FnOnce(&mut DbConnection) -> DomainResult<T>) -> T {
    db(t).with_conn(f).expect("domain operation")
}

fn new_ticket(user: u64) -> NewTicket {
    NewTicket {
        user_id: UserId(user),
        user_name: format!("user{user}"),
        guild_id: GUILD,
        opened_via: OpenedVia::UserDm,
        opened_by: UserId(user),
        category_id: None,
    }
}

fn open(t: &TestDatabase, user: u64) -> tickets::Ticket {
    with(t, |c| tickets::open(c, &new_ticket(user))).ticket
}

fn user_author(user: u64) -> Author {
    Author {
        id: UserId(user),
        name: format!("user{user}"),
        role: None,
    }
}

fn staff_author(id: UserId) -> Author {
    Author {
        id,
        name: "bob".into(),
        role: Some("Moderator".into()),
    }
}

fn dm(ticket: TicketId, user: u64, id: u64, text: &str) -> InboundDm {
    InboundDm {
        ticket_id: ticket,
        dm_message_id: MessageId(id),
        author: user_author(user),
        content: text.into(),
        attachments: Vec::new(),
    }
}

fn reply(ticket: TicketId, source: u64, text: &str) -> StaffReply {
    StaffReply {
        ticket_id: ticket,
        source_message_id: MessageId(source),
        author: staff_author(STAFF),
        anonymous: false,
        content: text.into(),
        attachments: Vec::new(),
        inactivity_close_after: None,
    }
}

fn migrations_apply_on_an_empty_database(t: &TestDatabase) {
    let status = db(t).migration_status().unwrap();
    assert!(!status.is_empty());
    assert!(status.iter().all(|m| m.applied), "{status:?}");
    // Running again applies nothing.
    assert!(db(t).migrate().unwrap().is_empty());
}

fn one_open_ticket_per_user_under_a_race(t: &TestDatabase) {
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let db = db(t).clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                db.with_conn(|c| tickets::open(c, &new_ticket(42))).unwrap()
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let first = results[0].ticket.id;
    assert!(
        results.iter().all(|r| r.ticket.id == first),
        "all callers get the same ticket"
    );
    assert_eq!(
        results.iter().filter(|r| r.created).count(),
        1,
        "exactly one created it"
    );
    let page = with(t, |c| {
        tickets::list::list(
            c,
            &TicketFilter {
                status: StatusFilter::All,
                user: Some(UserId(42)),
                limit: 10,
                page: 1,
                ..TicketFilter::default()
            },
        )
    });
    assert_eq!(page.total, 1);
}

fn reopening_after_close_creates_a_new_ticket(t: &TestDatabase) {
    let first = open(t, 7);
    with(t, |c| {
        tickets::close(
            c,
            first.id,
            &CloseRequest {
                kind: CloseKind::Staff,
                by: Some(STAFF),
                reason: None,
            },
        )
    });
    let second = with(t, |c| tickets::open(c, &new_ticket(7)));
    assert!(second.created);
    assert_ne!(second.ticket.id, first.id);
    let history = with(t, |c| tickets::history(c, UserId(7)));
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].id, second.ticket.id, "newest first");
}

fn inbound_dms_are_recorded_once(t: &TestDatabase) {
    let ticket = open(t, 5);
    let first = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 5, 1001, "hello"))
    });
    assert!(first.created);
    assert_eq!(first.message.relay_state, RelayState::Pending);
    assert_eq!(first.message.direction, Direction::UserToStaff);
    let again = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 5, 1001, "hello"))
    });
    assert!(!again.created);
    assert_eq!(again.message.id, first.message.id);
    // Concurrent duplicates (a retry racing a recovery pass) still make one record.
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let db = db(t).clone();
            let barrier = barrier.clone();
            let ticket = ticket.id;
            std::thread::spawn(move || {
                barrier.wait();
                db.with_conn(|c| messages::record_inbound(c, &dm(ticket, 5, 1002, "again")))
                    .unwrap()
            })
        })
        .collect();
    let ids: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().unwrap().message.id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(with(t, |c| messages::for_ticket(c, ticket.id)).len(), 2);
}

fn reply_numbers_are_unique_and_gap_free_under_concurrency(t: &TestDatabase) {
    let ticket = open(t, 9);
    let threads = 6;
    let per_thread = 5;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let db = db(t).clone();
            let barrier = barrier.clone();
            let ticket = ticket.id;
            std::thread::spawn(move || {
                barrier.wait();
                (0..per_thread)
                    .map(|j| {
                        let source = 5000 + (i * 100 + j) as u64;
                        db.with_conn(|c| messages::record_reply(c, &reply(ticket, source, "hi")))
                            .unwrap()
                            .message
                            .number
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<i32> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    numbers.sort_unstable();
    let expected: Vec<i32> = (1..=i32::try_from(threads * per_thread).unwrap()).collect();
    assert_eq!(numbers, expected);
    let ticket = with(t, |c| tickets::get(c, ticket.id));
    assert!(ticket.first_staff_reply_at.is_some());
}

fn replies_are_idempotent_on_their_command(t: &TestDatabase) {
    let ticket = open(t, 11);
    let a = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 7001, "one"))
    });
    let b = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 7001, "one"))
    });
    assert!(a.created && !b.created);
    assert_eq!(a.message.number, b.message.number);
    let c2 = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 7002, "two"))
    });
    assert_eq!(c2.message.number, Some(2));
}

fn edits_keep_revisions_and_deletions_are_marks(t: &TestDatabase) {
    let ticket = open(t, 12);
    let r1 = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 8001, "first"))
    });
    let r2 = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 8002, "second"))
    });
    let edited = with(t, |c| {
        messages::record_edit(c, r1.message.id, "first, fixed", STAFF)
    });
    assert_eq!(edited.previous_content, "first");
    assert_eq!(edited.message.content, "first, fixed");
    assert!(edited.message.edited_at.is_some());
    with(t, |c| {
        messages::record_edit(c, r1.message.id, "first, fixed again", STAFF)
    });
    let revisions = with(t, |c| messages::revisions(c, r1.message.id));
    assert_eq!(
        revisions
            .iter()
            .map(|r| r.previous_content.as_str())
            .collect::<Vec<_>>(),
        ["first", "first, fixed"]
    );
    let deleted = with(t, |c| messages::record_delete(c, r1.message.id, STAFF));
    assert!(deleted.changed && deleted.message.is_deleted());
    assert_eq!(
        deleted.message.content, "first, fixed again",
        "content is kept"
    );
    let again = with(t, |c| messages::record_delete(c, r1.message.id, STAFF));
    assert!(!again.changed, "a second deletion changes nothing");
    // Numbering of others never changes, and new replies continue after the highest.
    assert_eq!(with(t, |c| messages::get(c, r2.message.id)).number, Some(2));
    let r3 = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 8003, "third"))
    });
    assert_eq!(r3.message.number, Some(3));
    // A deleted message cannot be edited.
    let err = db(t)
        .with_conn(|c| messages::record_edit(c, r1.message.id, "nope", STAFF))
        .unwrap_err();
    assert!(matches!(err, DomainError::InvalidTransition(_)), "{err}");
    // Events record both.
    let kinds: Vec<_> = with(t, |c| events::list(c, ticket.id))
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&events::EventKind::MessageEdited));
    assert!(kinds.contains(&events::EventKind::MessageDeleted));
}

fn only_the_author_or_an_admin_changes_a_reply(t: &TestDatabase) {
    let ticket = open(t, 13);
    with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 9001, "mine"))
    });
    let err = db(t)
        .with_conn(|c| messages::reply_for_staff_change(c, ticket.id, 1, OTHER_STAFF, false))
        .unwrap_err();
    assert!(matches!(err, DomainError::Forbidden(_)), "{err}");
    with(t, |c| {
        messages::reply_for_staff_change(c, ticket.id, 1, OTHER_STAFF, true)
    });
    with(t, |c| {
        messages::reply_for_staff_change(c, ticket.id, 1, STAFF, false)
    });
    let err = db(t)
        .with_conn(|c| messages::reply_for_staff_change(c, ticket.id, 99, STAFF, false))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotFound { .. }), "{err}");
}

fn relay_copies_and_states(t: &TestDatabase) {
    let ticket = open(t, 14);
    let rec = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 14, 10_001, "long"))
    });
    let id = rec.message.id;
    assert_eq!(with(t, |c| relay::due(c, 100)).len(), 1);
    with(t, |c| {
        relay::record_copy(c, id, relay::Side::Inbox, 0, MessageId(20_001))
    });
    with(t, |c| {
        relay::record_copy(c, id, relay::Side::Inbox, 1, MessageId(20_002))
    });
    with(t, |c| {
        relay::record_copy(c, id, relay::Side::Inbox, 1, MessageId(20_002))
    });
    assert_eq!(
        with(t, |c| relay::copies(c, id, relay::Side::Inbox)),
        [MessageId(20_001), MessageId(20_002)]
    );
    assert_eq!(
        with(t, |c| messages::find_by_inbox_message(c, MessageId(20_002)))
            .unwrap()
            .id,
        id
    );
    // A retry in the future is not due yet.
    let later = rustmail_db::time::after(Duration::from_secs(60));
    let retried = with(t, |c| relay::mark_retry(c, id, "HTTP 500", later));
    assert_eq!(retried.relay_state, RelayState::Pending);
    assert_eq!(retried.relay_attempts, 1);
    assert!(with(t, |c| relay::due(c, 100)).is_empty());
    let done = with(t, |c| relay::mark_delivered(c, id));
    assert_eq!(done.relay_state, RelayState::Delivered);
    let r = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 10_002, "x"))
    });
    let failed = with(t, |c| {
        relay::mark_failed(c, r.message.id, "50007 Cannot send messages to this user")
    });
    assert_eq!(failed.relay_state, RelayState::Failed);
    assert!(failed.relay_error.unwrap().contains("50007"));
    assert_eq!(
        with(t, |c| relay::requeue(c, r.message.id)).relay_state,
        RelayState::Pending
    );
}

fn replies_wait_behind_earlier_pending_ones(t: &TestDatabase) {
    let ticket = open(t, 31);
    let first = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 31_001, "one"))
    });
    let dm = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 31, 31_002, "a DM between"))
    });
    let second = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 31_003, "two"))
    });
    let third = with(t, |c| {
        messages::record_reply(c, &reply(ticket.id, 31_004, "three"))
    });
    let ids = |records: Vec<messages::MessageRecord>| -> Vec<_> {
        records.into_iter().map(|r| r.id).collect()
    };
    // Only earlier staff replies still pending, oldest first; the DM is not one of them.
    assert_eq!(
        ids(with(t, |c| relay::pending_replies_before(
            c,
            ticket.id,
            third.message.id
        ))),
        [first.message.id, second.message.id]
    );
    assert!(with(t, |c| relay::pending_replies_before(
        c,
        ticket.id,
        first.message.id
    ))
    .is_empty());
    with(t, |c| relay::mark_delivered(c, first.message.id));
    assert_eq!(
        ids(with(t, |c| relay::pending_replies_before(
            c,
            ticket.id,
            third.message.id
        ))),
        [second.message.id]
    );
    // Waiting behind another reply is not an attempt, and puts the reply off.
    let later = rustmail_db::time::after(Duration::from_secs(60));
    assert!(with(t, |c| relay::wait_behind(
        c,
        third.message.id,
        "after #2",
        later
    )));
    let waiting = with(t, |c| messages::get(c, third.message.id));
    assert_eq!(waiting.relay_attempts, 0);
    assert_eq!(waiting.relay_state, RelayState::Pending);
    assert_eq!(waiting.relay_error.as_deref(), Some("after #2"));
    assert!(!with(t, |c| relay::due(c, 100))
        .iter()
        .any(|r| r.id == third.message.id));
    // A relay that is no longer pending is left alone.
    assert!(!with(t, |c| relay::wait_behind(
        c,
        first.message.id,
        "x",
        later
    )));
    assert_eq!(
        with(t, |c| messages::get(c, first.message.id)).relay_state,
        RelayState::Delivered
    );
    let _ = dm;
}

fn scheduled_close_replaces_and_is_cancelled_by_the_user(t: &TestDatabase) {
    let ticket = open(t, 15);
    let schedule = |due_secs: u64| CloseSchedule {
        kind: JobKind::Close,
        due_at: rustmail_db::time::after(Duration::from_secs(due_secs)),
        by: Some(STAFF),
        silent: false,
    };
    let first = with(t, |c| jobs::schedule_close(c, ticket.id, &schedule(3600)));
    let second = with(t, |c| jobs::schedule_close(c, ticket.id, &schedule(7200)));
    assert_ne!(first.id, second.id);
    assert!(
        !with(t, |c| jobs::get(c, first.id)).is_live(),
        "re-scheduling replaces"
    );
    let live = with(t, |c| jobs::live_for_ticket(c, ticket.id, JobKind::Close)).unwrap();
    assert_eq!(live.id, second.id);
    let rec = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 15, 11_001, "wait!"))
    });
    assert_eq!(rec.cancelled_close.map(|j| j.id), Some(second.id));
    assert!(with(t, |c| jobs::live_for_ticket(c, ticket.id, JobKind::Close)).is_none());
    // The staff command to cancel when nothing is scheduled says so.
    assert!(with(t, |c| jobs::cancel_close(c, ticket.id, Some(STAFF))).is_none());
    // Inactivity close is armed by a staff reply and cancelled by the user's next message.
    let mut r = reply(ticket.id, 11_002, "anything else?");
    r.inactivity_close_after = Some(Duration::from_secs(3600));
    with(t, |c| messages::record_reply(c, &r));
    assert!(with(t, |c| jobs::live_for_ticket(
        c,
        ticket.id,
        JobKind::InactivityClose
    ))
    .is_some());
    with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 15, 11_003, "yes"))
    });
    assert!(with(t, |c| jobs::live_for_ticket(
        c,
        ticket.id,
        JobKind::InactivityClose
    ))
    .is_none());
}

fn each_due_job_is_claimed_by_one_of_two_workers(t: &TestDatabase) {
    let total = 40;
    for i in 0..total {
        with(t, |c| {
            jobs::schedule(
                c,
                &NewJob {
                    kind: JobKind::SideEffect,
                    ticket_id: None,
                    payload: serde_json::json!({ "n": i }),
                    due_at: rustmail_db::time::now(),
                    created_by: None,
                    idempotency_key: Some(format!("effect:{i}")),
                },
            )
        });
    }
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = ["worker-a", "worker-b"]
        .into_iter()
        .map(|worker| {
            let db = db(t).clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut mine = Vec::new();
                loop {
                    let claimed = db
                        .with_conn(|c| jobs::claim_due(c, worker, Duration::from_secs(60), 3))
                        .unwrap();
                    if claimed.is_empty() {
                        break;
                    }
                    for job in claimed {
                        assert!(db.with_conn(|c| jobs::complete(c, job.id, worker)).unwrap());
                        mine.push(job.id);
                    }
                }
                mine
            })
        })
        .collect();
    let mut all: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let claimed = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), claimed, "no job was claimed twice");
    assert_eq!(claimed, total, "every job ran");
    assert!(with(t, jobs::list_live).is_empty());
}

fn expired_leases_are_reclaimed(t: &TestDatabase) {
    let job = with(t, |c| {
        jobs::schedule(
            c,
            &NewJob {
                kind: JobKind::SideEffect,
                ticket_id: None,
                payload: serde_json::json!({}),
                due_at: rustmail_db::time::now(),
                created_by: None,
                idempotency_key: None,
            },
        )
    });
    let claimed = with(t, |c| {
        jobs::claim_due(c, "crashed", Duration::from_millis(1), 10)
    });
    assert_eq!(claimed.len(), 1);
    std::thread::sleep(Duration::from_millis(20));
    let again = with(t, |c| {
        jobs::claim_due(c, "survivor", Duration::from_secs(60), 10)
    });
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), [job.id]);
    assert!(
        !with(t, |c| jobs::complete(c, job.id, "crashed")),
        "the old owner lost its claim"
    );
    assert!(with(t, |c| jobs::complete(c, job.id, "survivor")));
    // Failures with a retry time go back to the queue.
    let job = with(t, |c| {
        jobs::schedule(
            c,
            &NewJob {
                kind: JobKind::SideEffect,
                ticket_id: None,
                payload: serde_json::json!({}),
                due_at: rustmail_db::time::now(),
                created_by: None,
                idempotency_key: None,
            },
        )
    });
    with(t, |c| jobs::claim_due(c, "w", Duration::from_secs(60), 10));
    with(t, |c| {
        jobs::fail(c, job.id, "w", "HTTP 500", Some(rustmail_db::time::now()))
    });
    let retried = with(t, |c| jobs::claim_due(c, "w", Duration::from_secs(60), 10));
    assert_eq!(retried[0].attempts, 2);
    assert_eq!(retried[0].last_error.as_deref(), Some("HTTP 500"));
}

fn closing_cancels_jobs_alerts_and_reminders(t: &TestDatabase) {
    let ticket = open(t, 16);
    with(t, |c| {
        tickets::set_channel(c, ticket.id, ChannelId(555_001))
    });
    with(t, |c| {
        jobs::schedule_close(
            c,
            ticket.id,
            &CloseSchedule {
                kind: JobKind::Close,
                due_at: rustmail_db::time::after(Duration::from_secs(60)),
                by: Some(STAFF),
                silent: true,
            },
        )
    });
    with(t, |c| access::set_alert(c, ticket.id, STAFF));
    let reminder = with(t, |c| {
        reminders::add(
            c,
            ticket.id,
            STAFF,
            ChannelId(555_001),
            "follow up",
            rustmail_db::time::after(Duration::from_secs(60)),
        )
    });
    let closed = with(t, |c| {
        tickets::close(
            c,
            ticket.id,
            &CloseRequest {
                kind: CloseKind::Scheduled,
                by: None,
                reason: Some("done".into()),
            },
        )
    });
    assert!(!closed.is_open());
    assert_eq!(closed.close_kind, Some(CloseKind::Scheduled));
    assert!(with(t, jobs::list_live).is_empty());
    assert!(with(t, |c| reminders::get(c, reminder.id))
        .cancelled_at
        .is_some());
    assert!(
        !with(t, |c| reminders::mark_fired(c, reminder.id)),
        "a cancelled reminder never fires"
    );
    // The closed ticket is still found by its channel (for the archive), but not as open.
    assert!(with(t, |c| tickets::find_by_channel(c, ChannelId(555_001))).is_some());
    let err = db(t)
        .with_conn(|c| tickets::open_by_channel(c, ChannelId(555_001)))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotOpen(_)));
}

fn closing_twice_is_refused(t: &TestDatabase) {
    let ticket = open(t, 17);
    let req = CloseRequest {
        kind: CloseKind::Force,
        by: Some(STAFF),
        reason: None,
    };
    with(t, |c| tickets::close(c, ticket.id, &req));
    let err = db(t)
        .with_conn(|c| tickets::close(c, ticket.id, &req))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotOpen(id) if id == ticket.id));
    let err = db(t)
        .with_conn(|c| tickets::close(c, TicketId(999_999), &req))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotFound { .. }));
    let err = db(t)
        .with_conn(|c| messages::record_reply(c, &reply(ticket.id, 12_001, "late")))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotOpen(_)));
}

fn assignment_rules(t: &TestDatabase) {
    let ticket = open(t, 18);
    let taken = with(t, |c| tickets::assign(c, ticket.id, STAFF, false));
    assert_eq!(taken.assigned_to, Some(STAFF));
    let err = db(t)
        .with_conn(|c| tickets::assign(c, ticket.id, OTHER_STAFF, false))
        .unwrap_err();
    assert!(matches!(err, DomainError::AlreadyAssigned { staff, .. } if staff == STAFF));
    let overridden = with(t, |c| tickets::assign(c, ticket.id, OTHER_STAFF, true));
    assert_eq!(overridden.assigned_to, Some(OTHER_STAFF));
    let released = with(t, |c| tickets::release(c, ticket.id, OTHER_STAFF));
    assert_eq!(released.assigned_to, None);
    assert!(db(t)
        .with_conn(|c| tickets::release(c, ticket.id, STAFF))
        .is_err());
}

fn staff_access_and_alerts(t: &TestDatabase) {
    let ticket = open(t, 19);
    with(t, |c| access::add_staff(c, ticket.id, OTHER_STAFF, STAFF));
    assert!(matches!(
        db(t).with_conn(|c| access::add_staff(c, ticket.id, OTHER_STAFF, STAFF)),
        Err(DomainError::Conflict(_))
    ));
    assert_eq!(
        with(t, |c| access::staff_with_access(c, ticket.id)),
        [OTHER_STAFF]
    );
    with(t, |c| {
        access::remove_staff(c, ticket.id, OTHER_STAFF, STAFF)
    });
    assert!(with(t, |c| access::staff_with_access(c, ticket.id)).is_empty());
    with(t, |c| access::add_staff(c, ticket.id, OTHER_STAFF, STAFF));
    with(t, |c| access::set_alert(c, ticket.id, STAFF));
    let rec = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 19, 13_001, "ping"))
    });
    assert_eq!(rec.alerts, [STAFF]);
    let rec = with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 19, 13_002, "again"))
    });
    assert!(rec.alerts.is_empty(), "an alert fires once");
    with(t, |c| access::set_alert(c, ticket.id, STAFF));
    assert!(with(t, |c| access::cancel_alert(c, ticket.id, STAFF)));
    assert!(!with(t, |c| access::cancel_alert(c, ticket.id, STAFF)));
}

fn categories_are_unique_case_insensitively(t: &TestDatabase) {
    let new = |name: &str| NewCategory {
        name: name.into(),
        description: "Ban appeals".into(),
        emoji: Some("🔨".into()),
        discord_category_id: ChannelId(600_001),
    };
    let created = with(t, |c| categories::create(c, &new("Appeals")));
    assert!(created.enabled);
    assert!(matches!(
        db(t).with_conn(|c| categories::create(c, &new("APPEALS"))),
        Err(DomainError::Conflict(_))
    ));
    with(t, |c| categories::create(c, &new("Escalated")));
    assert_eq!(
        with(t, |c| categories::by_name(c, "escalated")).name,
        "Escalated"
    );
    let err = db(t)
        .with_conn(|c| categories::by_name(c, "nope"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Appeals") && err.contains("Escalated"),
        "{err}"
    );
    assert!(matches!(
        db(t).with_conn(|c| categories::rename(c, "appeals", "escalated")),
        Err(DomainError::Conflict(_))
    ));
    with(t, |c| categories::rename(c, "appeals", "Ban appeals"));
    with(t, |c| categories::set_enabled(c, "ban appeals", false));
    assert_eq!(with(t, categories::enabled).len(), 1);
    let ticket = open(t, 20);
    let esc = with(t, |c| categories::by_name(c, "Escalated"));
    with(t, |c| {
        tickets::set_category(c, ticket.id, Some(esc.id), Some(STAFF))
    });
    with(t, |c| categories::delete(c, "escalated"));
    assert_eq!(with(t, |c| tickets::get(c, ticket.id)).category_id, None);
    assert_eq!(with(t, categories::list).len(), 1);
}

fn category_prompt_settings_are_validated(t: &TestDatabase) {
    let initial = with(t, categories::prompt);
    assert!(!initial.enabled);
    with(t, |c| categories::set_prompt_enabled(c, true));
    assert!(
        !with(t, categories::prompt_applies),
        "no enabled category yet"
    );
    with(t, |c| {
        categories::create(
            c,
            &NewCategory {
                name: "Support".into(),
                description: String::new(),
                emoji: None,
                discord_category_id: ChannelId(600_002),
            },
        )
    });
    assert!(with(t, categories::prompt_applies));
    assert_eq!(
        with(t, |c| categories::set_prompt_timeout(c, 120)).timeout_seconds,
        120
    );
    for bad in [0, 9, 86_401, -5] {
        let err = db(t)
            .with_conn(|c| categories::set_prompt_timeout(c, bad))
            .unwrap_err();
        assert!(
            matches!(
                err,
                DomainError::Invalid {
                    field: "timeout",
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(
        with(t, categories::prompt).timeout_seconds,
        120,
        "bad input changed nothing"
    );
}

fn category_selection_resolves_once(t: &TestDatabase) {
    let support = with(t, |c| {
        categories::create(
            c,
            &NewCategory {
                name: "Support".into(),
                description: String::new(),
                emoji: None,
                discord_category_id: ChannelId(600_003),
            },
        )
    });
    let ticket = open(t, 21);
    with(t, |c| {
        categories::selection::start(c, ticket.id, Duration::from_secs(300))
    });
    assert!(with(t, |c| categories::selection::is_pending(c, ticket.id)));
    assert!(with(t, |c| jobs::live_for_ticket(
        c,
        ticket.id,
        JobKind::CategoryTimeout
    ))
    .is_some());
    // Queued DMs are recorded as pending while the user chooses.
    with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 21, 14_001, "one"))
    });
    with(t, |c| {
        messages::record_inbound(c, &dm(ticket.id, 21, 14_002, "two"))
    });
    let pending = with(t, |c| relay::pending_for_ticket(c, ticket.id));
    assert_eq!(
        pending
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert!(with(t, |c| categories::selection::resolve(
        c,
        ticket.id,
        Some(support.id),
        Some(UserId(21))
    )));
    assert!(
        !with(t, |c| categories::selection::resolve(
            c, ticket.id, None, None
        )),
        "the timeout lost"
    );
    assert_eq!(
        with(t, |c| tickets::get(c, ticket.id)).category_id,
        Some(support.id)
    );
    assert!(with(t, |c| jobs::live_for_ticket(
        c,
        ticket.id,
        JobKind::CategoryTimeout
    ))
    .is_none());
}

fn operator_actions_queue(t: &TestDatabase) {
    let ticket = open(t, 22);
    let action = with(t, |c| {
        actions::enqueue(
            c,
            &NewAction {
                kind: ActionKind::Close,
                ticket_id: Some(ticket.id),
                payload: serde_json::json!({ "silent": true }),
                requested_by: "operator".into(),
            },
        )
    });
    let err = db(t)
        .with_conn(|c| {
            actions::enqueue(
                c,
                &NewAction {
                    kind: ActionKind::CancelClose,
                    ticket_id: Some(ticket.id),
                    payload: serde_json::json!({}),
                    requested_by: "operator".into(),
                },
            )
        })
        .unwrap_err();
    assert!(matches!(err, DomainError::InvalidTransition(_)), "{err}");
    let claimed = with(t, |c| {
        actions::claim_next(c, "bot-1", Duration::from_secs(30))
    })
    .unwrap();
    assert_eq!(claimed.id, action.id);
    assert_eq!(claimed.payload_json()["silent"], true);
    assert!(with(t, |c| actions::claim_next(
        c,
        "bot-2",
        Duration::from_secs(30)
    ))
    .is_none());
    let done = with(t, |c| {
        actions::complete(c, action.id, Outcome::Ok, "closed ticket")
    });
    assert_eq!(done.outcome, Some(Outcome::Ok));
    assert!(db(t)
        .with_conn(|c| actions::complete(c, action.id, Outcome::Error, "twice"))
        .is_err());
    assert_eq!(with(t, |c| actions::recent(c, 10)).len(), 1);
}

fn listing_filters_and_pages(t: &TestDatabase) {
    for user in 100..125u64 {
        open(t, user);
    }
    let special = open(t, 200);
    with(t, |c| tickets::assign(c, special.id, STAFF, false));
    with(t, |c| {
        tickets::set_label(c, special.id, Some("Refund_50%"), STAFF)
    });
    with(t, |c| {
        messages::record_inbound(c, &dm(special.id, 200, 15_001, "my ORDER number is 1234"))
    });
    let closed = open(t, 201);
    with(t, |c| {
        tickets::close(
            c,
            closed.id,
            &CloseRequest {
                kind: CloseKind::Silent,
                by: Some(STAFF),
                reason: None,
            },
        )
    });
    let list = |filter: TicketFilter| with(t, |c| tickets::list::list(c, &filter));
    let base = TicketFilter {
        limit: 10,
        page: 1,
        ..TicketFilter::default()
    };
    let first = list(base.clone());
    assert_eq!(first.total, 26);
    assert_eq!(first.tickets.len(), 10);
    assert_eq!(
        first.tickets[0].ticket.id, special.id,
        "most recently active first"
    );
    let third = list(TicketFilter {
        page: 3,
        ..base.clone()
    });
    assert_eq!(third.tickets.len(), 6);
    assert_eq!(
        list(TicketFilter {
            status: StatusFilter::Closed,
            ..base.clone()
        })
        .total,
        1
    );
    assert_eq!(
        list(TicketFilter {
            status: StatusFilter::All,
            ..base.clone()
        })
        .total,
        27
    );
    assert_eq!(
        list(TicketFilter {
            assigned: Some(STAFF),
            ..base.clone()
        })
        .total,
        1
    );
    assert_eq!(
        list(TicketFilter {
            user: Some(UserId(110)),
            ..base.clone()
        })
        .total,
        1
    );
    for needle in ["refund_50%", "user200"] {
        let found = list(TicketFilter {
            search: Some(needle.into()),
            ..base.clone()
        });
        assert_eq!(found.total, 1, "search {needle}");
        assert_eq!(found.tickets[0].ticket.id, special.id);
    }
    // Message text only when asked for: a name search never scans messages.
    let by_text = list(TicketFilter {
        text: Some("order NUMBER".into()),
        ..base.clone()
    });
    assert_eq!(by_text.total, 1);
    assert_eq!(by_text.tickets[0].ticket.id, special.id);
    let by_name = list(TicketFilter {
        search: Some("order NUMBER".into()),
        ..base.clone()
    });
    assert_eq!(by_name.total, 0, "names and labels only");
    assert_eq!(
        list(TicketFilter {
            search: Some("%".into()),
            ..base.clone()
        })
        .total,
        1,
        "wildcards are literal"
    );
    for (limit, page) in [(0, 1), (501, 1), (10, 0)] {
        assert!(db(t)
            .with_conn(|c| tickets::list::list(
                c,
                &TicketFilter {
                    limit,
                    page,
                    ..base.clone()
                }
            ))
            .is_err());
    }
    assert_eq!(with(t, tickets::list::counts), (26, 1));
}

fn full_log_in_one_call(t: &TestDatabase) {
    let ticket = open(t, 30);
    let mut inbound = dm(ticket.id, 30, 16_001, "see attached");
    inbound
        .attachments
        .push(rustmail_db::attachments::NewAttachment {
            discord_attachment_id: None,
            filename: "screenshot.png".into(),
            content_type: Some("image/png".into()),
            size_bytes: 4,
            url: "http://127.0.0.1/attachments/1/screenshot.png".into(),
            data: Some(vec![0x89, b'P', b'N', b'G']),
        });
    let rec = with(t, |c| messages::record_inbound(c, &inbound));
    let mut anon = reply(ticket.id, 16_002, "we're on it");
    anon.anonymous = true;
    let r = with(t, |c| messages::record_reply(c, &anon));
    with(t, |c| {
        messages::record_edit(c, r.message.id, "we are on it", STAFF)
    });
    with(t, |c| {
        messages::record_internal(
            c,
            ticket.id,
            MessageId(16_003),
            &staff_author(STAFF),
            "looks like a bug",
            &[],
        )
    });
    let log = with(t, |c| log::ticket_log(c, ticket.id));
    assert_eq!(log.messages.len(), 3);
    assert_eq!(log.messages[0].attachments.len(), 1);
    assert!(log.messages[0].attachments[0].stored);
    let stored = with(t, |c| {
        rustmail_db::attachments::data(c, log.messages[0].attachments[0].id)
    });
    assert_eq!(stored.unwrap(), vec![0x89, b'P', b'N', b'G']);
    assert!(log.messages[1].message.anonymous);
    assert_eq!(
        log.messages[1].message.author_name, "bob",
        "the real author is kept for staff"
    );
    assert_eq!(log.messages[1].revisions.len(), 1);
    assert_eq!(log.messages[2].message.direction, Direction::Internal);
    assert_eq!(log.messages[2].message.relay_state, RelayState::NotRelayed);
    assert_eq!(log.events[0].kind, events::EventKind::Opened);
    assert_eq!(rec.message.id, log.messages[0].message.id);
}

fn dm_channels_and_heartbeats(t: &TestDatabase) {
    with(t, |c| {
        dm_channels::remember(c, UserId(40), ChannelId(700_001))
    });
    with(t, |c| {
        dm_channels::remember(c, UserId(40), ChannelId(700_001))
    });
    with(t, |c| dm_channels::mark_seen(c, UserId(40), MessageId(500)));
    with(t, |c| dm_channels::mark_seen(c, UserId(40), MessageId(400)));
    let ch = with(t, |c| dm_channels::get(c, UserId(40))).unwrap();
    assert_eq!(
        ch.last_seen_message_id,
        Some(MessageId(500)),
        "never moves backwards"
    );
    assert_eq!(with(t, dm_channels::all).len(), 1);
    assert!(with(t, instances::online).is_empty());
    with(t, |c| {
        instances::register(c, "bot-a", "host", 1234, "0.1.0")
    });
    with(t, |c| instances::heartbeat(c, "bot-a"));
    assert_eq!(with(t, instances::online).len(), 1);
    with(t, |c| instances::stopped(c, "bot-a"));
    assert!(with(t, instances::online).is_empty());
}

type Case = Box<dyn Fn(&mut DbConnection) -> DomainResult<()>>;

fn invalid_input_changes_nothing(t: &TestDatabase) {
    let ticket = open(t, 50);
    let cases: Vec<Case> = vec![
        Box::new(|c| {
            categories::create(
                c,
                &NewCategory {
                    name: "  ".into(),
                    description: String::new(),
                    emoji: None,
                    discord_category_id: ChannelId(1),
                },
            )
            .map(drop)
        }),
        Box::new(|c| {
            categories::create(
                c,
                &NewCategory {
                    name: "a|b".into(),
                    description: String::new(),
                    emoji: None,
                    discord_category_id: ChannelId(1),
                },
            )
            .map(drop)
        }),
        Box::new(|c| {
            categories::create(
                c,
                &NewCategory {
                    name: "x".repeat(51),
                    description: String::new(),
                    emoji: None,
                    discord_category_id: ChannelId(1),
                },
            )
            .map(drop)
        }),
        Box::new(|c| {
            categories::create(
                c,
                &NewCategory {
                    name: "Default".into(),
                    description: String::new(),
                    emoji: None,
                    discord_category_id: ChannelId(1),
                },
            )
            .map(drop)
        }),
        Box::new(move |c| tickets::set_label(c, ticket.id, Some(&"l".repeat(61)), STAFF).map(drop)),
        Box::new(move |c| messages::record_reply(c, &reply(ticket.id, 17_001, "   ")).map(drop)),
        Box::new(move |c| {
            reminders::add(
                c,
                ticket.id,
                STAFF,
                ChannelId(1),
                "",
                rustmail_db::time::now(),
            )
            .map(drop)
        }),
        Box::new(move |c| {
            let mut r = reply(ticket.id, 17_002, "");
            r.content = "x".repeat(messages::MAX_CONTENT_CHARS + 1);
            messages::record_reply(c, &r).map(drop)
        }),
    ];
    for (i, case) in cases.iter().enumerate() {
        let err = db(t).with_conn(|c| case(c)).unwrap_err();
        assert!(err.is_user_error(), "case {i}: {err}");
    }
    assert!(with(t, categories::list).is_empty());
    assert!(with(t, |c| messages::for_ticket(c, ticket.id)).is_empty());
    assert_eq!(
        with(t, |c| tickets::get(c, ticket.id)).next_message_number,
        1
    );
    assert!(with(t, |c| tickets::get(c, ticket.id)).label.is_none());
}

fn blocks_expire_by_themselves(t: &TestDatabase) {
    let user = UserId(60);
    assert!(with(t, |c| blocks::active(c, user)).is_none());
    with(t, |c| blocks::block(c, user, STAFF, "spam", None));
    assert!(matches!(
        db(t).with_conn(|c| blocks::block(c, user, STAFF, "again", None)),
        Err(DomainError::Conflict(_))
    ));
    assert_eq!(with(t, blocks::list_active).len(), 1);
    with(t, |c| blocks::unblock(c, user, STAFF));
    assert!(with(t, |c| blocks::active(c, user)).is_none());
    assert!(db(t)
        .with_conn(|c| blocks::unblock(c, user, STAFF))
        .is_err());
    // A timed block stops matching once expired, and can be replaced.
    let soon = rustmail_db::time::after(Duration::from_millis(50));
    with(t, |c| {
        blocks::block(c, user, STAFF, "cool down", Some(soon))
    });
    assert!(with(t, |c| blocks::active(c, user)).is_some());
    std::thread::sleep(Duration::from_millis(80));
    assert!(with(t, |c| blocks::active(c, user)).is_none());
    assert!(with(t, blocks::list_active).is_empty());
    with(t, |c| blocks::block(c, user, STAFF, "again", None));
    assert!(with(t, |c| blocks::active(c, user)).is_some());
}

fn snippets_and_notes(t: &TestDatabase) {
    with(t, |c| {
        snippets::add(c, "Greeting", "Hello! How can we help?", STAFF)
    });
    assert!(matches!(
        db(t).with_conn(|c| snippets::add(c, "greeting", "dup", STAFF)),
        Err(DomainError::Conflict(_))
    ));
    for (name, content) in [("", "x"), ("two words", "x"), ("ok", "  ")] {
        assert!(db(t)
            .with_conn(|c| snippets::add(c, name, content, STAFF))
            .is_err());
    }
    assert_eq!(
        with(t, |c| snippets::edit(c, "GREETING", "Hi!")).content,
        "Hi!"
    );
    assert_eq!(with(t, snippets::list).len(), 1);
    with(t, |c| snippets::remove(c, "greeting"));
    assert!(db(t).with_conn(|c| snippets::get(c, "greeting")).is_err());

    let user = UserId(61);
    let note = with(t, |c| notes::add(c, user, "prefers English", STAFF, "bob"));
    with(t, |c| notes::add(c, user, "second", STAFF, "bob"));
    assert!(db(t)
        .with_conn(|c| notes::add(c, user, " ", STAFF, "bob"))
        .is_err());
    assert_eq!(with(t, |c| notes::for_user(c, user)).len(), 2);
    with(t, |c| notes::remove(c, user, note.id));
    assert_eq!(with(t, |c| notes::for_user(c, user))[0].content, "second");
    assert!(db(t)
        .with_conn(|c| notes::remove(c, user, note.id))
        .is_err());
}
