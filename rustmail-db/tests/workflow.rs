//! The staff workflow rules (issue #5) on SQLite always and on PostgreSQL when
//! `RUSTMAIL_TEST_POSTGRES_URL` is set: opening a ticket from the staff side, taking and
//! releasing, `/logs` summaries, and the category prompt's queue (a new user's DMs wait for their
//! category and are not retried meanwhile).

use std::time::Duration;

use rustmail_db::categories::{self, selection, NewCategory};
use rustmail_db::connection::DbConnection;
use rustmail_db::error::DomainError;
use rustmail_db::events::EventKind;
use rustmail_db::ids::{ChannelId, GuildId, MessageId, UserId};
use rustmail_db::intake::{self, IncomingDm, Intake, IntakeRecord};
use rustmail_db::messages::{self, relay, Author, RelayState, StaffReply};
use rustmail_db::testing::TestDatabase;
use rustmail_db::tickets::{self, CloseKind, CloseRequest, OpenedVia};
use rustmail_db::workflow::assign;
use rustmail_db::workflow::history;
use rustmail_db::workflow::open::{open_for_user, StaffOpen};
use rustmail_db::{blocks, DomainResult};

const GUILD: GuildId = GuildId(900_000_000_000_000_001);
const STAFF: UserId = UserId(800_000_000_000_000_001);
const OTHER_STAFF: UserId = UserId(800_000_000_000_000_002);

rustmail_db::stories!(
    staff_open_refuses_bots_blocked_users_and_open_tickets,
    take_and_release_rules,
    summaries_count_messages_and_list_events,
    a_new_ticket_waits_for_its_category_and_is_not_retried_meanwhile,
);

fn with<T>(t: &TestDatabase, f: impl FnOnce(&mut DbConnection) -> DomainResult<T>) -> T {
    t.db.with_conn(f).expect("domain operation")
}

fn fails<T: std::fmt::Debug>(
    t: &TestDatabase,
    f: impl FnOnce(&mut DbConnection) -> DomainResult<T>,
) -> DomainError {
    t.db.with_conn(f).expect_err("the operation is refused")
}

fn request(user: u64) -> StaffOpen {
    StaffOpen {
        user_id: UserId(user),
        user_name: format!("user{user}"),
        is_bot: false,
        guild_id: GUILD,
        via: OpenedVia::StaffCommand,
        by: STAFF,
    }
}

fn incoming(user: u64, message: u64, text: &str) -> IncomingDm {
    IncomingDm {
        user_id: UserId(user),
        user_name: format!("user{user}"),
        staff_guild: GUILD,
        dm_channel: ChannelId(user + 1),
        message_id: MessageId(message),
        content: text.to_owned(),
        attachments: Vec::new(),
        may_open: true,
        channel_turn: None,
    }
}

fn take_in(t: &TestDatabase, dm: &IncomingDm) -> IntakeRecord {
    match with(t, |c| intake::intake_dm(c, dm)) {
        Intake::Recorded(r) => *r,
        other => panic!("not recorded: {other:?}"),
    }
}

fn staff_open_refuses_bots_blocked_users_and_open_tickets(t: &TestDatabase) {
    let ticket = with(t, |c| open_for_user(c, &request(1)));
    assert_eq!(ticket.opened_via, OpenedVia::StaffCommand);
    assert_eq!(ticket.opened_by, STAFF);
    assert!(ticket.channel_id.is_none());

    let err = fails(t, |c| open_for_user(c, &request(1)));
    assert!(
        matches!(err, DomainError::AlreadyOpen(id) if id == ticket.id),
        "{err}"
    );

    let mut bot = request(2);
    bot.is_bot = true;
    assert!(matches!(
        fails(t, |c| open_for_user(c, &bot)),
        DomainError::Invalid { .. }
    ));

    with(t, |c| blocks::block(c, UserId(3), STAFF, "spam", None));
    let err = fails(t, |c| open_for_user(c, &request(3)));
    assert!(err.to_string().contains("blocked"), "{err}");
    assert!(with(t, |c| tickets::history(c, UserId(2))).is_empty());
    assert!(with(t, |c| tickets::history(c, UserId(3))).is_empty());

    let mut by_user = request(4);
    by_user.via = OpenedVia::UserDm;
    assert!(matches!(
        fails(t, |c| open_for_user(c, &by_user)),
        DomainError::Invalid { .. }
    ));

    // A long Discord name is cut, not refused.
    let mut long = request(5);
    long.user_name = "x".repeat(300);
    assert_eq!(
        with(t, |c| open_for_user(c, &long))
            .user_name
            .chars()
            .count(),
        100
    );
}

fn take_and_release_rules(t: &TestDatabase) {
    let ticket = with(t, |c| open_for_user(c, &request(10)));
    let taken = with(t, |c| assign::take(c, ticket.id, STAFF, false, false));
    assert_eq!(taken.ticket.assigned_to, Some(STAFF));
    assert!(taken.previous.is_none() && !taken.unchanged);
    assert!(with(t, |c| assign::take(c, ticket.id, STAFF, false, false)).unchanged);

    // Someone else: refused with the holder's name; forcing needs an admin.
    let err = fails(t, |c| assign::take(c, ticket.id, OTHER_STAFF, false, false));
    assert!(matches!(err, DomainError::AlreadyAssigned { staff, .. } if staff == STAFF));
    let err = fails(t, |c| assign::take(c, ticket.id, OTHER_STAFF, false, true));
    assert!(matches!(err, DomainError::Forbidden(_)), "{err}");
    let err = fails(t, |c| assign::take(c, ticket.id, OTHER_STAFF, true, false));
    assert!(matches!(err, DomainError::AlreadyAssigned { .. }));
    let over = with(t, |c| assign::take(c, ticket.id, OTHER_STAFF, true, true));
    assert_eq!(over.ticket.assigned_to, Some(OTHER_STAFF));
    assert_eq!(over.previous, Some(STAFF));

    // Release: the assignee or an admin.
    let err = fails(t, |c| assign::release(c, ticket.id, STAFF, false));
    assert!(matches!(err, DomainError::Forbidden(_)), "{err}");
    assert_eq!(
        with(t, |c| tickets::get(c, ticket.id)).assigned_to,
        Some(OTHER_STAFF)
    );
    let released = with(t, |c| assign::release(c, ticket.id, STAFF, true));
    assert!(released.assigned_to.is_none());
    assert!(matches!(
        fails(t, |c| assign::release(c, ticket.id, STAFF, true)),
        DomainError::InvalidTransition(_)
    ));
}

fn summaries_count_messages_and_list_events(t: &TestDatabase) {
    let record = take_in(t, &incoming(20, 2_001, "hello"));
    let ticket = record.ticket.id;
    take_in(t, &incoming(20, 2_002, "again"));
    let reply = with(t, |c| {
        messages::record_reply(
            c,
            &StaffReply {
                ticket_id: ticket,
                source_message_id: MessageId(2_003),
                author: Author {
                    id: STAFF,
                    name: "bob".into(),
                    role: None,
                },
                anonymous: false,
                content: "hi".into(),
                attachments: Vec::new(),
                inactivity_close_after: None,
            },
        )
    });
    with(t, |c| {
        messages::record_edit(c, reply.message.id, "hi there", STAFF)
    });
    with(t, |c| assign::take(c, ticket, STAFF, false, false));
    let vip = with(t, |c| {
        categories::create(
            c,
            &NewCategory {
                name: "VIP".into(),
                description: String::new(),
                emoji: None,
                discord_category_id: ChannelId(78),
            },
        )
    });
    with(t, |c| {
        tickets::set_category(c, ticket, Some(vip.id), Some(STAFF))
    });
    with(t, |c| tickets::set_category(c, ticket, None, Some(STAFF)));
    let summary = with(t, |c| history::summary(c, ticket));
    let moves: Vec<&str> = summary
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Moved)
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(moves, ["VIP", "default"], "moves name the category");
    assert_eq!(summary.counts.from_user, 2);
    assert_eq!(summary.counts.from_staff, 1);
    assert_eq!(summary.counts.edited, 1);
    assert!(summary.category.is_none());
    let kinds: Vec<EventKind> = summary.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds[0], EventKind::Opened);
    assert!(kinds.contains(&EventKind::Assigned));

    with(t, |c| {
        tickets::close(
            c,
            ticket,
            &CloseRequest {
                kind: CloseKind::Staff,
                by: Some(STAFF),
                reason: None,
            },
        )
    });
    let second = with(t, |c| open_for_user(c, &request(20)));
    assert_eq!(
        with(t, |c| history::ticket_ids(c, UserId(20))),
        [second.id, ticket],
        "newest first"
    );
}

fn a_new_ticket_waits_for_its_category_and_is_not_retried_meanwhile(t: &TestDatabase) {
    // Prompt off: no selection.
    let plain = take_in(t, &incoming(30, 3_001, "no prompt"));
    assert!(!plain.selection_pending);

    let billing = with(t, |c| {
        categories::create(
            c,
            &NewCategory {
                name: "Billing".into(),
                description: "Payments".into(),
                emoji: None,
                discord_category_id: ChannelId(77),
            },
        )
    });
    with(t, |c| categories::set_prompt_enabled(c, true));
    with(t, |c| categories::set_prompt_timeout(c, 10));
    let first = take_in(t, &incoming(31, 3_101, "first"));
    assert!(first.ticket_created && first.selection_pending);
    let second = take_in(t, &incoming(31, 3_102, "second"));
    assert!(second.selection_pending && !second.ticket_created);
    let ticket = first.ticket.id;
    let sel = with(t, |c| selection::get(c, ticket)).expect("selection started");
    let wait = sel.expires_at - sel.created_at;
    assert_eq!(wait.num_seconds(), 10);
    // Seen again (recovery): still pending.
    assert!(take_in(t, &incoming(31, 3_101, "first")).selection_pending);

    // Pending relays of the waiting ticket are not due for the retry loop...
    let due = with(t, |c| relay::due_for_retry(c, 100, Duration::ZERO));
    assert!(due.iter().all(|m| m.ticket_id != ticket), "{due:?}");
    assert!(due.iter().any(|m| m.ticket_id == plain.ticket.id));
    // ...until the category is chosen.
    assert!(with(t, |c| selection::resolve(
        c,
        ticket,
        Some(billing.id),
        None
    )));
    let due = with(t, |c| relay::due_for_retry(c, 100, Duration::ZERO));
    let queued: Vec<_> = due.iter().filter(|m| m.ticket_id == ticket).collect();
    assert_eq!(queued.len(), 2);
    assert!(queued[0].id < queued[1].id);
    assert!(queued.iter().all(|m| m.relay_state == RelayState::Pending));
    assert_eq!(
        with(t, |c| tickets::get(c, ticket)).category_id,
        Some(billing.id)
    );
}
