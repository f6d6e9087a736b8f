//! Messages of a ticket: inbound DMs, staff replies (numbered), internal notes and system lines;
//! their relay state, edits (with revisions) and deletions (marks, never removal).
//!
//! Every record is keyed by the Discord message that caused it (`source_message_id`), so
//! recording the same DM or the same `!reply` twice (a retry, a recovery pass, a second bot
//! process) returns the first record instead of writing a second one.

pub mod marks;
pub mod relay;
pub mod replies;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::attachments::{self, NewAttachment};
use crate::connection::{cached, within_tx, write_tx, CachedDsl as _, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::events::{self, EventKind};
use crate::ids::{MessageId, MessageRecordId, TicketId, UserId};
use crate::jobs::{self, Job, JobKind};
use crate::schema::{message_revisions, messages, tickets as tickets_table};
use crate::text_enum;
use crate::tickets::{self, TicketStatus};
use crate::time::now;

text_enum! {
    /// Which way a message went.
    pub enum Direction {
        /// The user's DM, relayed into the ticket channel.
        UserToStaff => "user_to_staff",
        /// A staff reply, relayed to the user's DMs.
        StaffToUser => "staff_to_user",
        /// A staff message in the ticket channel that is not a reply: never sent to the user.
        Internal => "internal",
        /// A line written by the bot itself.
        System => "system",
    }
}

text_enum! {
    /// Whether the relay (the bot's copy on the other side) has happened.
    pub enum RelayState {
        Pending => "pending",
        Delivered => "delivered",
        /// Gave up (e.g. the user blocks DMs); `relay_error` says why.
        Failed => "failed",
        /// Nothing to relay (internal notes, system lines).
        NotRelayed => "not_relayed",
    }
}

/// Longest message content accepted (long DMs are split by the bot, never truncated; this only
/// bounds what one record may hold).
pub const MAX_CONTENT_CHARS: usize = 100_000;

/// A recorded message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRecord {
    pub id: MessageRecordId,
    pub ticket_id: TicketId,
    pub direction: Direction,
    pub author_id: UserId,
    pub author_name: String,
    pub author_role: Option<String>,
    pub anonymous: bool,
    pub content: String,
    pub number: Option<i32>,
    pub source_message_id: Option<MessageId>,
    pub dm_message_id: Option<MessageId>,
    pub inbox_message_id: Option<MessageId>,
    pub relay_state: RelayState,
    pub relay_attempts: i32,
    pub relay_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub deleted_by: Option<UserId>,
}

impl MessageRecord {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = messages)]
pub(crate) struct MessageRow {
    id: i64,
    ticket_id: i64,
    direction: String,
    author_id: i64,
    author_name: String,
    author_role: Option<String>,
    anonymous: bool,
    content: String,
    number: Option<i32>,
    source_message_id: Option<i64>,
    dm_message_id: Option<i64>,
    inbox_message_id: Option<i64>,
    relay_state: String,
    relay_attempts: i32,
    relay_error: Option<String>,
    next_attempt_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    edited_at: Option<NaiveDateTime>,
    deleted_at: Option<NaiveDateTime>,
    deleted_by: Option<i64>,
}

impl TryFrom<MessageRow> for MessageRecord {
    type Error = diesel::result::Error;

    fn try_from(r: MessageRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: MessageRecordId(r.id),
            ticket_id: TicketId(r.ticket_id),
            direction: Direction::from_db(&r.direction)?,
            author_id: UserId::from_db(r.author_id),
            author_name: r.author_name,
            author_role: r.author_role,
            anonymous: r.anonymous,
            content: r.content,
            number: r.number,
            source_message_id: r.source_message_id.map(MessageId::from_db),
            dm_message_id: r.dm_message_id.map(MessageId::from_db),
            inbox_message_id: r.inbox_message_id.map(MessageId::from_db),
            relay_state: RelayState::from_db(&r.relay_state)?,
            relay_attempts: r.relay_attempts,
            relay_error: r.relay_error,
            next_attempt_at: r.next_attempt_at,
            created_at: r.created_at,
            edited_at: r.edited_at,
            deleted_at: r.deleted_at,
            deleted_by: r.deleted_by.map(UserId::from_db),
        })
    }
}

/// Runs a query for one message row, by a unique key. Queries stay unboxed so both backends
/// cache their prepared statements (a boxed query is prepared again on every call: measurable on
/// the relay path), and have no `LIMIT` (see [`crate::connection::only_row`]).
macro_rules! first_message {
    ($query:expr, $conn:expr) => {
        $crate::connection::only_row(
            $query
                .select(MessageRow::as_select())
                .load::<MessageRow>($conn)?,
        )
        .map(MessageRecord::try_from)
        .transpose()?
    };
}

/// Runs a query for many message rows (see [`first_message`]).
macro_rules! all_messages {
    ($query:expr, $conn:expr) => {
        $query
            .select(MessageRow::as_select())
            .load::<MessageRow>($conn)?
            .into_iter()
            .map(MessageRecord::try_from)
            .collect::<Result<Vec<_>, _>>()?
    };
}

pub(crate) use all_messages;

/// The record with this id.
pub fn get(conn: &mut DbConnection, id: MessageRecordId) -> DomainResult<MessageRecord> {
    first_message!(messages::table.filter(messages::id.eq(id.0)), conn)
        .ok_or_else(|| DomainError::not_found("message", id))
}

/// The record caused by this Discord message (a user's DM or a staff command).
pub fn find_by_source(
    conn: &mut DbConnection,
    source: MessageId,
) -> DomainResult<Option<MessageRecord>> {
    Ok(first_message!(
        messages::table.filter(messages::source_message_id.eq(source.to_db())),
        conn
    ))
}

/// The record whose copy in a DM channel is this message (part 0 or a later part).
pub fn find_by_dm_message(
    conn: &mut DbConnection,
    id: MessageId,
) -> DomainResult<Option<MessageRecord>> {
    let first = first_message!(
        messages::table.filter(messages::dm_message_id.eq(id.to_db())),
        conn
    );
    or_later_part(conn, id, first)
}

/// The record whose copy in a ticket channel is this message (part 0 or a later part).
pub fn find_by_inbox_message(
    conn: &mut DbConnection,
    id: MessageId,
) -> DomainResult<Option<MessageRecord>> {
    let first = first_message!(
        messages::table.filter(messages::inbox_message_id.eq(id.to_db())),
        conn
    );
    or_later_part(conn, id, first)
}

/// `first` (the record whose part 0 is `id`), else the record one of whose later parts is `id`.
fn or_later_part(
    conn: &mut DbConnection,
    id: MessageId,
    first: Option<MessageRecord>,
) -> DomainResult<Option<MessageRecord>> {
    if first.is_some() {
        return Ok(first);
    }
    match relay::find_part(conn, id)? {
        Some(message_id) => get(conn, message_id).map(Some),
        None => Ok(None),
    }
}

/// The numbered staff reply `#number` of a ticket.
pub fn find_by_number(
    conn: &mut DbConnection,
    ticket: TicketId,
    number: i32,
) -> DomainResult<MessageRecord> {
    first_message!(
        messages::table
            .filter(messages::ticket_id.eq(ticket.0))
            .filter(messages::number.eq(number)),
        conn
    )
    .ok_or_else(|| DomainError::not_found("reply", format!("#{number} in ticket #{ticket}")))
}

/// Every message of a ticket in order (for transcripts, paged by the caller if huge).
pub fn for_ticket(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<Vec<MessageRecord>> {
    Ok(all_messages!(
        messages::table
            .filter(messages::ticket_id.eq(ticket.0))
            .order(messages::id.asc()),
        conn
    ))
}

/// Who wrote a message, as recorded.
#[derive(Debug, Clone)]
pub struct Author {
    pub id: UserId,
    pub name: String,
    /// The staff member's top role, shown in the user's DM (staff replies only).
    pub role: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = messages)]
struct MessageInsert<'a> {
    ticket_id: i64,
    direction: &'a str,
    author_id: i64,
    author_name: &'a str,
    author_role: Option<&'a str>,
    anonymous: bool,
    content: &'a str,
    number: Option<i32>,
    source_message_id: Option<i64>,
    dm_message_id: Option<i64>,
    inbox_message_id: Option<i64>,
    relay_state: &'a str,
    created_at: NaiveDateTime,
}

/// Inserted rows as records, by the Discord message that caused each (the set-wise inserts).
pub(crate) fn records_by_source(
    rows: Vec<MessageRow>,
) -> DomainResult<std::collections::HashMap<i64, MessageRecord>> {
    let mut by_source = std::collections::HashMap::new();
    for row in rows {
        let record = MessageRecord::try_from(row)?;
        if let Some(source) = record.source_message_id {
            by_source.insert(source.to_db(), record);
        }
    }
    Ok(by_source)
}

fn insert(conn: &mut DbConnection, row: &MessageInsert<'_>) -> DomainResult<MessageRecordId> {
    Ok(insert_returning(conn, row)?.id)
}

/// Inserts a message and returns its row, in one statement.
fn insert_returning(
    conn: &mut DbConnection,
    row: &MessageInsert<'_>,
) -> DomainResult<MessageRecord> {
    let row: MessageRow = crate::on_backend!(conn, |c| diesel::insert_into(messages::table)
        .values(row)
        .returning(MessageRow::as_returning())
        .cached()
        .get_result(c))?;
    Ok(MessageRecord::try_from(row)?)
}

fn check_content(content: &str) -> DomainResult<()> {
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(DomainError::invalid(
            "content",
            format!("must be at most {MAX_CONTENT_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A user's DM to record.
#[derive(Debug, Clone)]
pub struct InboundDm {
    pub ticket_id: TicketId,
    pub dm_message_id: MessageId,
    pub author: Author,
    pub content: String,
    pub attachments: Vec<NewAttachment>,
}

/// What recording a DM did.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub message: MessageRecord,
    /// False when this Discord message had been recorded before (nothing was written).
    pub created: bool,
    /// A scheduled close that the user's message cancelled (staff are told in the channel).
    pub cancelled_close: Option<Job>,
    /// Staff who asked to be pinged on the user's next message (`/alert`), now fired.
    pub alerts: Vec<UserId>,
}

/// Records a user's DM in their open ticket (idempotent on the DM's id), as pending relay.
/// Cancels a scheduled or inactivity close and fires the ticket's alerts.
pub fn record_inbound(conn: &mut DbConnection, dm: &InboundDm) -> DomainResult<Recorded> {
    let result = write_tx(conn, |conn| {
        if let Some(existing) = find_by_source(conn, dm.dm_message_id)? {
            return Ok(Recorded {
                message: existing,
                created: false,
                cancelled_close: None,
                alerts: Vec::new(),
            });
        }
        let ticket = tickets::get(conn, dm.ticket_id)?;
        if ticket.status != TicketStatus::Open {
            return Err(DomainError::NotOpen(ticket.id));
        }
        insert_inbound(conn, dm, Followups::LOOK)
    });
    retry_as_duplicate(conn, result, dm.dm_message_id)
}

/// Which of a new DM's follow-ups (cancelling the ticket's scheduled close, firing its alerts)
/// may have anything to do. The DM intake reads both in the same statement that finds the
/// ticket, so a DM to a ticket with neither (nearly every DM) costs two statements fewer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Followups {
    /// The ticket may have live scheduled jobs.
    pub jobs: bool,
    /// The ticket may have live alerts.
    pub alerts: bool,
}

impl Followups {
    /// Nothing known: look for both.
    pub const LOOK: Self = Self {
        jobs: true,
        alerts: true,
    };
}

/// Records a new DM in its open ticket, inside the caller's transaction (which checked that the
/// DM is new and the ticket open): the message, its attachments, the ticket's activity, a
/// cancelled scheduled close and fired alerts (each looked for only if `followups` says there
/// may be any).
pub(crate) fn insert_inbound(
    conn: &mut DbConnection,
    dm: &InboundDm,
    followups: Followups,
) -> DomainResult<Recorded> {
    check_content(&dm.content)?;
    let at = now();
    // The whole row comes back with the insert: no second read of it.
    let row: MessageRow = crate::on_backend!(conn, |c| diesel::insert_into(messages::table)
        .values(&MessageInsert {
            ticket_id: dm.ticket_id.0,
            direction: Direction::UserToStaff.as_str(),
            author_id: dm.author.id.to_db(),
            author_name: &dm.author.name,
            author_role: None,
            anonymous: false,
            content: &dm.content,
            number: None,
            source_message_id: Some(dm.dm_message_id.to_db()),
            dm_message_id: Some(dm.dm_message_id.to_db()),
            inbox_message_id: None,
            relay_state: RelayState::Pending.as_str(),
            created_at: at,
        })
        .returning(MessageRow::as_returning())
        .cached()
        .get_result(c))?;
    let message = MessageRecord::try_from(row)?;
    let id = message.id;
    if !dm.attachments.is_empty() {
        attachments::add_all(conn, id, &dm.attachments)?;
    }
    tickets::touch(conn, dm.ticket_id, at)?;
    let cancelled_close = if followups.jobs {
        jobs::cancel_ticket_jobs(
            conn,
            dm.ticket_id,
            &[JobKind::Close, JobKind::InactivityClose],
            None,
        )?
        .into_iter()
        .find(|j| j.kind == JobKind::Close)
    } else {
        None
    };
    if cancelled_close.is_some() {
        events::add(
            conn,
            dm.ticket_id,
            EventKind::CloseCancelled,
            Some(dm.author.id),
            "user replied",
        )?;
    }
    let alerts = if followups.alerts {
        crate::access::fire_alerts(conn, dm.ticket_id, at)?
    } else {
        Vec::new()
    };
    Ok(Recorded {
        message,
        created: true,
        cancelled_close,
        alerts,
    })
}

/// A unique violation on the source id means a concurrent caller recorded the same Discord
/// message first: answer with that record.
fn retry_as_duplicate(
    conn: &mut DbConnection,
    result: DomainResult<Recorded>,
    source: MessageId,
) -> DomainResult<Recorded> {
    match result {
        Err(DomainError::Database(e)) if is_unique_violation(&e) => {
            match find_by_source(conn, source)? {
                Some(message) => Ok(Recorded {
                    message,
                    created: false,
                    cancelled_close: None,
                    alerts: Vec::new(),
                }),
                None => Err(DomainError::Database(e)),
            }
        }
        other => other,
    }
}

/// A staff reply to record.
#[derive(Debug, Clone)]
pub struct StaffReply {
    pub ticket_id: TicketId,
    /// The staff member's command message or interaction id: the idempotency key.
    pub source_message_id: MessageId,
    pub author: Author,
    pub anonymous: bool,
    pub content: String,
    pub attachments: Vec<NewAttachment>,
    /// `time_to_close_thread`: arms an inactivity close this long after the reply.
    pub inactivity_close_after: Option<std::time::Duration>,
}

/// Records a staff reply with the ticket's next number, as pending relay (idempotent on the
/// command's id). Numbers are allocated by an atomic increment on the ticket row, so concurrent
/// replies get distinct, gap-free numbers.
pub fn record_reply(conn: &mut DbConnection, reply: &StaffReply) -> DomainResult<Recorded> {
    check_content(&reply.content)?;
    if crate::text::is_blank(&reply.content) && reply.attachments.is_empty() {
        return Err(DomainError::invalid(
            "content",
            "a reply needs text or an attachment",
        ));
    }
    // Inside the caller's transaction (the bot's batched writer) there is no savepoint (two round
    // trips on Postgres). A duplicate recorded at the same moment by another writer (a second
    // bot process) is seen instead of hitting the unique index: the ticket's row is locked
    // first, so the later of two waits for the earlier's commit, then finds its record.
    let nested = crate::connection::in_transaction(conn)?;
    let result = within_tx(conn, |conn| {
        lock_ticket(conn, reply.ticket_id)?;
        if let Some(existing) = find_by_source(conn, reply.source_message_id)? {
            return Ok(Recorded {
                message: existing,
                created: false,
                cancelled_close: None,
                alerts: Vec::new(),
            });
        }
        let at = now();
        let number = allocate_number(conn, reply.ticket_id, at)?;
        let message = insert_returning(
            conn,
            &MessageInsert {
                ticket_id: reply.ticket_id.0,
                direction: Direction::StaffToUser.as_str(),
                author_id: reply.author.id.to_db(),
                author_name: &reply.author.name,
                author_role: reply.author.role.as_deref(),
                anonymous: reply.anonymous,
                content: &reply.content,
                number: Some(number),
                source_message_id: Some(reply.source_message_id.to_db()),
                dm_message_id: None,
                inbox_message_id: None,
                relay_state: RelayState::Pending.as_str(),
                created_at: at,
            },
        )?;
        attachments::add_all(conn, message.id, &reply.attachments)?;
        if let Some(after) = reply.inactivity_close_after {
            jobs::schedule_close(
                conn,
                reply.ticket_id,
                &jobs::CloseSchedule {
                    kind: JobKind::InactivityClose,
                    due_at: crate::time::after(after),
                    by: None,
                    silent: false,
                },
            )?;
        }
        Ok(Recorded {
            message,
            created: true,
            cancelled_close: None,
            alerts: Vec::new(),
        })
    });
    if nested {
        return result;
    }
    retry_as_duplicate(conn, result, reply.source_message_id)
}

/// Locks the ticket's row until the end of the transaction (`SELECT ... FOR UPDATE` on
/// Postgres; SQLite's write transaction holds the database's one write lock already).
fn lock_ticket(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        crate::schema::tickets::table
            .filter(crate::schema::tickets::id.eq(ticket.0))
            .select(crate::schema::tickets::id)
            .for_update()
            .load::<i64>(pg)?;
    }
    Ok(())
}

diesel::define_sql_function!(
    /// `coalesce(a, b)` on timestamps.
    fn coalesce(
        a: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        b: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Timestamp>
);

/// Takes the open ticket's next reply number and, in the same statement, records the reply as
/// its latest activity and (if it is the first) its first staff reply.
fn allocate_number(
    conn: &mut DbConnection,
    ticket: TicketId,
    at: NaiveDateTime,
) -> DomainResult<i32> {
    let next: Option<i32> = cached::update(
        &tickets_table::table,
        tickets_table::id
            .eq(ticket.0)
            .and(crate::literals::ticket_is_open()),
        (
            tickets_table::next_message_number.eq(tickets_table::next_message_number + 1),
            tickets_table::last_activity_at.eq(at),
            tickets_table::first_staff_reply_at
                .eq(coalesce(tickets_table::first_staff_reply_at, Some(at))),
        ),
    )
    .returning(tickets_table::next_message_number)
    .get_result(conn)
    .optional()?;
    if let Some(next) = next {
        return Ok(next - 1);
    }
    tickets::get(conn, ticket)?;
    Err(DomainError::NotOpen(ticket))
}

/// Records a staff message in the ticket channel that is not a reply (never relayed).
pub fn record_internal(
    conn: &mut DbConnection,
    ticket: TicketId,
    channel_message: MessageId,
    author: &Author,
    content: &str,
    attachments: &[NewAttachment],
) -> DomainResult<Recorded> {
    check_content(content)?;
    let result = write_tx(conn, |conn| {
        if let Some(existing) = find_by_source(conn, channel_message)? {
            return Ok(Recorded {
                message: existing,
                created: false,
                cancelled_close: None,
                alerts: Vec::new(),
            });
        }
        let id = insert(
            conn,
            &MessageInsert {
                ticket_id: ticket.0,
                direction: Direction::Internal.as_str(),
                author_id: author.id.to_db(),
                author_name: &author.name,
                author_role: author.role.as_deref(),
                anonymous: false,
                content,
                number: None,
                source_message_id: Some(channel_message.to_db()),
                dm_message_id: None,
                inbox_message_id: Some(channel_message.to_db()),
                relay_state: RelayState::NotRelayed.as_str(),
                created_at: now(),
            },
        )?;
        attachments::add_all(conn, id, attachments)?;
        Ok(Recorded {
            message: get(conn, id)?,
            created: true,
            cancelled_close: None,
            alerts: Vec::new(),
        })
    });
    retry_as_duplicate(conn, result, channel_message)
}

/// Records a line written by the bot (e.g. "scheduled close cancelled").
pub fn record_system(
    conn: &mut DbConnection,
    ticket: TicketId,
    bot: &Author,
    content: &str,
) -> DomainResult<MessageRecord> {
    check_content(content)?;
    let id = insert(
        conn,
        &MessageInsert {
            ticket_id: ticket.0,
            direction: Direction::System.as_str(),
            author_id: bot.id.to_db(),
            author_name: &bot.name,
            author_role: None,
            anonymous: false,
            content,
            number: None,
            source_message_id: None,
            dm_message_id: None,
            inbox_message_id: None,
            relay_state: RelayState::NotRelayed.as_str(),
            created_at: now(),
        },
    )?;
    get(conn, id)
}

/// A message's earlier content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub message_id: MessageRecordId,
    pub previous_content: String,
    pub edited_by: UserId,
    pub edited_at: NaiveDateTime,
}

/// The outcome of an edit: the record after it, and the content it replaced.
#[derive(Debug, Clone)]
pub struct Edited {
    pub message: MessageRecord,
    pub previous_content: String,
    /// This call changed the content (false: same text, or a concurrent caller, e.g. a second
    /// bot process handling the same event, changed it first).
    pub changed: bool,
}

/// What [`record_delete`] did.
#[derive(Debug, Clone)]
pub struct Deleted {
    pub message: MessageRecord,
    /// This call marked it deleted (false: it already was).
    pub changed: bool,
}

/// Replaces a message's content, keeping the old content as a revision. Editing to the same text
/// is a no-op (Discord sends `MESSAGE_UPDATE` for embeds unfurling too).
pub fn record_edit(
    conn: &mut DbConnection,
    id: MessageRecordId,
    new_content: &str,
    edited_by: UserId,
) -> DomainResult<Edited> {
    check_content(new_content)?;
    write_tx(conn, |conn| {
        let message = get(conn, id)?;
        if message.is_deleted() {
            return Err(DomainError::InvalidTransition(format!(
                "message {id} was deleted and cannot be edited"
            )));
        }
        if message.content == new_content {
            return Ok(Edited {
                previous_content: message.content.clone(),
                message,
                changed: false,
            });
        }
        let at = now();
        // Conditional on the content read above: of two concurrent edits of the same event,
        // only one changes the row (and records a revision and an event).
        let updated = diesel::update(
            messages::table
                .filter(messages::id.eq(id.0))
                .filter(messages::content.eq(&message.content))
                .filter(messages::deleted_at.is_null()),
        )
        .set((
            messages::content.eq(new_content),
            messages::edited_at.eq(Some(at)),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Ok(Edited {
                message: get(conn, id)?,
                previous_content: message.content,
                changed: false,
            });
        }
        diesel::insert_into(message_revisions::table)
            .values((
                message_revisions::message_id.eq(id.0),
                message_revisions::previous_content.eq(&message.content),
                message_revisions::edited_by.eq(edited_by.to_db()),
                message_revisions::edited_at.eq(at),
            ))
            .execute(conn)?;
        let detail = message
            .number
            .map_or_else(|| format!("message {id}"), |n| format!("#{n}"));
        events::add(
            conn,
            message.ticket_id,
            EventKind::MessageEdited,
            Some(edited_by),
            &detail,
        )?;
        Ok(Edited {
            message: get(conn, id)?,
            previous_content: message.content,
            changed: true,
        })
    })
}

/// Marks a message deleted (the row and its content stay, for the record).
pub fn record_delete(
    conn: &mut DbConnection,
    id: MessageRecordId,
    deleted_by: UserId,
) -> DomainResult<Deleted> {
    write_tx(conn, |conn| {
        let message = get(conn, id)?;
        // Conditional: of two concurrent deletions of the same message, only one marks it.
        let updated = diesel::update(
            messages::table
                .filter(messages::id.eq(id.0))
                .filter(messages::deleted_at.is_null()),
        )
        .set((
            messages::deleted_at.eq(Some(now())),
            messages::deleted_by.eq(Some(deleted_by.to_db())),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Ok(Deleted {
                message: get(conn, id)?,
                changed: false,
            });
        }
        let detail = message
            .number
            .map_or_else(|| format!("message {id}"), |n| format!("#{n}"));
        events::add(
            conn,
            message.ticket_id,
            EventKind::MessageDeleted,
            Some(deleted_by),
            &detail,
        )?;
        Ok(Deleted {
            message: get(conn, id)?,
            changed: true,
        })
    })
}

/// Checks that `editor` may edit or delete reply `#number`: their own, or any if admin.
pub fn reply_for_staff_change(
    conn: &mut DbConnection,
    ticket: TicketId,
    number: i32,
    editor: UserId,
    is_admin: bool,
) -> DomainResult<MessageRecord> {
    let message = find_by_number(conn, ticket, number)?;
    if message.author_id != editor && !is_admin {
        return Err(DomainError::Forbidden(format!(
            "reply #{number} was written by someone else; only its author or an admin may change it"
        )));
    }
    if message.is_deleted() {
        return Err(DomainError::InvalidTransition(format!(
            "reply #{number} was deleted"
        )));
    }
    Ok(message)
}

/// The revisions of a message, oldest first.
pub fn revisions(conn: &mut DbConnection, id: MessageRecordId) -> DomainResult<Vec<Revision>> {
    let rows: Vec<(i64, String, i64, NaiveDateTime)> = message_revisions::table
        .filter(message_revisions::message_id.eq(id.0))
        .order(message_revisions::id.asc())
        .select((
            message_revisions::message_id,
            message_revisions::previous_content,
            message_revisions::edited_by,
            message_revisions::edited_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(message_id, previous_content, edited_by, edited_at)| Revision {
                message_id: MessageRecordId(message_id),
                previous_content,
                edited_by: UserId::from_db(edited_by),
                edited_at,
            },
        )
        .collect())
}
