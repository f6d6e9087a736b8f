//! The intake of a user's DM, in one transaction and before any Discord call: refuse blocked
//! users, open the ticket or find the open one (starting its category selection when the prompt
//! applies), record the DM (idempotent on its id), remember the DM channel and the last DM seen,
//! and list earlier relays of the ticket still pending (so the caller delivers them first and
//! order is kept).

pub mod set_wise;

use diesel::dsl::exists;
use diesel::prelude::*;

use crate::attachments::NewAttachment;
use crate::blocks;
use crate::categories::{self, selection};
use crate::connection::{write_tx, DbConnection};
use crate::dm_channels;
use crate::error::DomainResult;
use crate::ids::{ChannelId, GuildId, MessageId, UserId};
use crate::instances;
use crate::messages::{
    self, relay, Author, Direction, Followups, InboundDm, MessageRecord, Recorded,
};
use crate::schema::messages as messages_table;
use crate::schema::{alerts, category_selections, scheduled_jobs, tickets as tickets_table};
use crate::tickets::{self, NewTicket, OpenedVia, Ticket, TicketRow};
use crate::time::now;

/// A DM as received.
#[derive(Debug, Clone)]
pub struct IncomingDm {
    pub user_id: UserId,
    /// The user's name (ticket and message author name).
    pub user_name: String,
    /// The staff guild (where a new ticket's channel will live).
    pub staff_guild: GuildId,
    pub dm_channel: ChannelId,
    pub message_id: MessageId,
    pub content: String,
    pub attachments: Vec<NewAttachment>,
    /// Whether a ticket may be opened if the user has none (the caller checked that the user is
    /// a member of the community guild).
    pub may_open: bool,
    /// Who takes the turn to create the channel of a ticket this DM opens, in the same
    /// transaction (see [`ChannelTurn`]); `None`: nobody yet.
    pub channel_turn: Option<ChannelTurn>,
}

/// The turn to create a new ticket's channel: a lease ([`crate::instances::claim_lease`] of
/// [`ChannelTurn::key`]) that bot processes sharing the database take before creating a ticket's
/// channel, so that only one creates it. Taken by the intake that opens the ticket, it costs no
/// trip of its own, and nobody can have held it before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelTurn {
    /// The bot process taking it.
    pub worker: String,
    /// How long it holds before another process may take over.
    pub lease: std::time::Duration,
}

impl ChannelTurn {
    /// The lease's key for ticket `id`.
    pub fn key(id: crate::ids::TicketId) -> String {
        format!("ticket-channel:{}", id.0)
    }
}

/// What became of a DM.
#[derive(Debug, Clone)]
pub enum Intake {
    /// The user is blocked: nothing was recorded.
    Blocked,
    /// The user has no open ticket and `may_open` was false: nothing was recorded.
    NoTicket,
    /// The DM is recorded in `ticket`.
    Recorded(Box<IntakeRecord>),
}

/// A recorded DM and its ticket.
#[derive(Debug, Clone)]
pub struct IntakeRecord {
    pub ticket: Ticket,
    /// This DM opened the ticket.
    pub ticket_created: bool,
    pub recorded: Recorded,
    /// Earlier DMs of the ticket whose relay is still pending, oldest first (deliver them before
    /// this one).
    pub backlog: Vec<MessageRecord>,
    /// The ticket waits for the user to pick a category: its DMs are queued, not relayed (a new
    /// ticket starts one when the category prompt is on and a category is enabled).
    pub selection_pending: bool,
    /// What the opening of the ticket by this DM settled (all `false` when it opened none).
    pub opening: Opening,
    /// The DM's marks (its ticket's activity, its channel's last-seen DM) are left to the write
    /// that settles its relay: the caller passes them there
    /// ([`crate::messages::relay::Copies::marks`], see [`crate::messages::marks`]).
    pub marks_deferred: bool,
}

/// What the intake that opened a ticket settled for what follows: the creation of its channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opening {
    /// The turn to create the ticket's channel was taken ([`IncomingDm::channel_turn`]).
    pub channel_turn_taken: bool,
    /// The user is known to have no earlier ticket and no note (the new ticket's header has
    /// nothing to look up). `false`: not known.
    pub no_history: bool,
}

/// Takes in a user's DM in a transaction of its own (or a savepoint); see the module docs.
pub fn intake_dm(conn: &mut DbConnection, dm: &IncomingDm) -> DomainResult<Intake> {
    write_tx(conn, |conn| intake_dm_within(conn, dm))
}

/// [`intake_dm`] inside the caller's transaction, which must undo all of it when this fails:
/// what the bot runs through [`crate::Db::write`], whose batch already isolates each write (on
/// Postgres a savepoint of its own would cost two more round trips per DM).
pub fn intake_dm_within(conn: &mut DbConnection, dm: &IncomingDm) -> DomainResult<Intake> {
    dm_channels::record_seen(conn, dm.user_id, dm.dm_channel, dm.message_id)?;
    // The common case, a new DM from an unblocked user to their open ticket, takes one read.
    let open = open_conversation(conn, dm)?;
    let has_open_ticket = open.is_some();
    if let Some(open) = open {
        if !open.seen && !open.blocked {
            return record(conn, dm, open.ticket, false, open.lookups);
        }
    }
    // Seen before? Blocked? One statement for both (on Postgres each is a round trip).
    let (seen, blocked): (bool, bool) = diesel::select((
        exists(
            messages_table::table
                .filter(messages_table::source_message_id.eq(dm.message_id.to_db())),
        ),
        exists(blocks::in_force(dm.user_id.to_db(), now())),
    ))
    .get_result(conn)?;
    if let Some(existing) = seen
        .then(|| messages::find_by_source(conn, dm.message_id))
        .transpose()?
        .flatten()
    {
        // Seen before (a recovery pass, a second bot process): nothing new to decide.
        let existing_ticket = existing.ticket_id;
        return Ok(Intake::Recorded(Box::new(IntakeRecord {
            ticket: tickets::get(conn, existing.ticket_id)?,
            ticket_created: false,
            recorded: Recorded {
                message: existing,
                created: false,
                cancelled_close: None,
                alerts: Vec::new(),
            },
            backlog: Vec::new(),
            selection_pending: selection::is_pending(conn, existing_ticket)?,
            opening: Opening::default(),
            marks_deferred: false,
        })));
    }
    if blocked {
        return Ok(Intake::Blocked);
    }
    // No open ticket a moment ago: straight to opening one (which looks again, under the
    // unique index, in case another process opened it meanwhile).
    let existing = if has_open_ticket {
        tickets::find_open_by_user(conn, dm.user_id)?
    } else {
        None
    };
    let mut selecting = false;
    let (ticket, ticket_created) = match existing {
        Some(ticket) => (ticket, false),
        None if dm.may_open => {
            let opened = tickets::open(
                conn,
                &NewTicket {
                    user_id: dm.user_id,
                    user_name: dm.user_name.chars().take(100).collect(),
                    guild_id: dm.staff_guild,
                    opened_via: OpenedVia::UserDm,
                    opened_by: dm.user_id,
                    category_id: None,
                },
            )?;
            if opened.created && categories::prompt_applies(conn)? {
                let wait = categories::prompt(conn)?.timeout_seconds;
                let wait = std::time::Duration::from_secs(u64::try_from(wait).unwrap_or(60));
                selection::start(conn, opened.ticket.id, wait)?;
                selecting = true;
            }
            (opened.ticket, opened.created)
        }
        None => return Ok(Intake::NoTicket),
    };
    // A ticket waiting for its category gets its channel later, from whichever process handles
    // the choice or the timeout: a turn taken now would make that one wait for this lease to
    // expire (seen after a restart during a selection).
    let turn = match (&dm.channel_turn, ticket_created && !selecting) {
        (Some(turn), true) => {
            instances::claim_lease(conn, &ChannelTurn::key(ticket.id), &turn.worker, turn.lease)?
        }
        _ => false,
    };
    let mut intake = record(conn, dm, ticket, ticket_created, Lookups::LOOK)?;
    if let Intake::Recorded(record) = &mut intake {
        record.opening.channel_turn_taken = turn;
    }
    Ok(intake)
}

/// Which of the intake's follow-up reads may find anything (`false`: known to find nothing,
/// skip the statement).
#[derive(Debug, Clone, Copy)]
struct Lookups {
    /// A category selection still open.
    selection: bool,
    /// Earlier DMs of the ticket still pending relay.
    backlog: bool,
    followups: Followups,
}

impl Lookups {
    /// Nothing known: look everything up.
    const LOOK: Self = Self {
        selection: true,
        backlog: true,
        followups: Followups::LOOK,
    };
}

/// The user's open ticket, with what the intake would otherwise look up one statement at a time.
struct OpenConversation {
    ticket: Ticket,
    /// This DM is recorded already.
    seen: bool,
    /// The user is blocked.
    blocked: bool,
    lookups: Lookups,
}

/// The user's open ticket and, in the same statement, whether the DM was seen before, whether
/// the user is blocked, and whether the ticket has an open category selection, a pending user
/// relay, live scheduled jobs or live alerts. On Postgres each statement is a round trip and
/// most of the server's work per relayed DM (BENCHMARKS.md, session 5): this one replaces six.
/// The flags use the same predicates as the reads they stand for ([`selection::is_pending`],
/// [`relay::pending_for_ticket`], `jobs::cancel_ticket_jobs`, `access::fire_alerts`), and a
/// `true` only means "look": those reads still decide.
fn open_conversation(
    conn: &mut DbConnection,
    dm: &IncomingDm,
) -> DomainResult<Option<OpenConversation>> {
    use crate::schema::tickets as t;
    let rows: Vec<(TicketRow, bool, bool, FollowupFlags)> = t::table
        .filter(t::user_id.eq(dm.user_id.to_db()))
        .filter(crate::literals::ticket_is_open())
        .select((
            TicketRow::as_select(),
            exists(
                messages_table::table
                    .filter(messages_table::source_message_id.eq(dm.message_id.to_db())),
            ),
            exists(blocks::in_force(dm.user_id.to_db(), now())),
            followup_flags(),
        ))
        .load(conn)?;
    // No `LIMIT` (see `crate::connection::only_row`): one open ticket per user.
    let Some((row, seen, blocked, (selection, backlog, jobs, alerts))) =
        crate::connection::only_row(rows)
    else {
        return Ok(None);
    };
    Ok(Some(OpenConversation {
        ticket: Ticket::try_from(row)?,
        seen,
        blocked,
        lookups: Lookups {
            selection,
            backlog,
            followups: Followups { jobs, alerts },
        },
    }))
}

/// What [`followup_flags`] reads: an open category selection, a pending relay, live scheduled
/// jobs, live alerts.
type FollowupFlags = (bool, bool, bool, bool);

/// Whether the ticket of the enclosing query (`tickets.id`) has an open category selection, a
/// relay still pending, live scheduled jobs, live alerts: what both intakes (one DM, and
/// [`set_wise`]) read with the open ticket. The predicates are those of the reads they stand for
/// ([`selection::is_pending`], [`relay::pending_for_ticket`], `jobs::cancel_ticket_jobs`,
/// `access::fire_alerts`); a `true` only means "look".
#[diesel::dsl::auto_type]
fn followup_flags() -> _ {
    (
        exists(
            category_selections::table
                .filter(category_selections::ticket_id.eq(tickets_table::id))
                .filter(category_selections::resolved_at.is_null()),
        ),
        exists(
            messages_table::table
                .filter(messages_table::ticket_id.eq(tickets_table::id))
                .filter(crate::literals::RelayIsPending),
        ),
        exists(
            scheduled_jobs::table
                .filter(scheduled_jobs::ticket_id.eq(tickets_table::id.nullable()))
                .filter(scheduled_jobs::done_at.is_null())
                .filter(scheduled_jobs::cancelled_at.is_null()),
        ),
        exists(
            alerts::table
                .filter(alerts::ticket_id.eq(tickets_table::id))
                .filter(alerts::fired_at.is_null())
                .filter(alerts::cancelled_at.is_null()),
        ),
    )
}

/// Records the new DM in its open `ticket` and lists the earlier relays still pending.
fn record(
    conn: &mut DbConnection,
    dm: &IncomingDm,
    ticket: Ticket,
    ticket_created: bool,
    lookups: Lookups,
) -> DomainResult<Intake> {
    let selection_pending = lookups.selection && selection::is_pending(conn, ticket.id)?;
    // The DM is new (checked above) and the ticket open: no second look.
    let recorded = messages::insert_inbound(
        conn,
        &InboundDm {
            ticket_id: ticket.id,
            dm_message_id: dm.message_id,
            author: Author {
                id: dm.user_id,
                name: dm.user_name.clone(),
                role: None,
            },
            content: dm.content.clone(),
            attachments: dm.attachments.clone(),
        },
        lookups.followups,
    )?;
    let backlog = if lookups.backlog {
        relay::pending_for_ticket(conn, ticket.id)?
            .into_iter()
            .filter(|m| m.id < recorded.message.id && m.direction == Direction::UserToStaff)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Intake::Recorded(Box::new(IntakeRecord {
        ticket,
        ticket_created,
        recorded,
        backlog,
        selection_pending,
        opening: Opening::default(),
        marks_deferred: false,
    })))
}
