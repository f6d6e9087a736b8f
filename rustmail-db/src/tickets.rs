//! Tickets: opening (at most one open per user), lookup, assignment, labels, categories and
//! closing. Listing with filters lives in [`list`].

pub mod channels;
pub mod list;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{cached, within_tx, write_tx, CachedDsl as _, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::events::{self, EventKind};
use crate::ids::{CategoryId, ChannelId, GuildId, TicketId, UserId};
use crate::schema::{scheduled_jobs, tickets};
use crate::text_enum;
use crate::time::now;

text_enum! {
    /// Whether a ticket is open.
    pub enum TicketStatus {
        Open => "open",
        Closed => "closed",
    }
}

text_enum! {
    /// How a ticket came to be.
    pub enum OpenedVia {
        /// The user sent the bot a DM.
        UserDm => "user_dm",
        /// A staff member ran `new_thread`.
        StaffCommand => "staff_command",
        /// A staff member created a channel named after the user's id.
        ChannelCreated => "channel_created",
    }
}

text_enum! {
    /// Why a ticket was closed.
    pub enum CloseKind {
        /// `/close` by staff.
        Staff => "staff",
        /// A scheduled `/close 2h` fired.
        Scheduled => "scheduled",
        /// `/close silent` (no message to the user).
        Silent => "silent",
        /// The user left the community guild (`close_on_leave`).
        UserLeft => "user_left",
        /// `/force_close`: closed without contacting the user.
        Force => "force",
        /// The ticket channel was deleted by hand.
        ChannelDeleted => "channel_deleted",
        /// An operator closed it from the CLI or TUI.
        Operator => "operator",
        /// `time_to_close_thread` elapsed after a staff reply.
        Inactivity => "inactivity",
    }
}

impl CloseKind {
    /// Whether the user is told (gets `close_message`) when a ticket closes this way.
    pub fn notifies_user(self) -> bool {
        matches!(
            self,
            Self::Staff | Self::Scheduled | Self::Operator | Self::Inactivity
        )
    }
}

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: TicketId,
    pub user_id: UserId,
    pub user_name: String,
    pub guild_id: GuildId,
    pub channel_id: Option<ChannelId>,
    pub category_id: Option<CategoryId>,
    pub status: TicketStatus,
    pub opened_at: NaiveDateTime,
    pub opened_via: OpenedVia,
    pub opened_by: UserId,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<UserId>,
    pub close_kind: Option<CloseKind>,
    pub close_reason: Option<String>,
    pub assigned_to: Option<UserId>,
    pub label: Option<String>,
    pub next_message_number: i32,
    pub last_activity_at: NaiveDateTime,
    pub first_staff_reply_at: Option<NaiveDateTime>,
}

impl Ticket {
    pub fn is_open(&self) -> bool {
        self.status == TicketStatus::Open
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub(crate) struct TicketRow {
    id: i64,
    user_id: i64,
    user_name: String,
    guild_id: i64,
    channel_id: Option<i64>,
    category_id: Option<i64>,
    status: String,
    opened_at: NaiveDateTime,
    opened_via: String,
    opened_by: i64,
    closed_at: Option<NaiveDateTime>,
    closed_by: Option<i64>,
    close_kind: Option<String>,
    close_reason: Option<String>,
    assigned_to: Option<i64>,
    label: Option<String>,
    next_message_number: i32,
    last_activity_at: NaiveDateTime,
    first_staff_reply_at: Option<NaiveDateTime>,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = diesel::result::Error;

    fn try_from(r: TicketRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: TicketId(r.id),
            user_id: UserId::from_db(r.user_id),
            user_name: r.user_name,
            guild_id: GuildId::from_db(r.guild_id),
            channel_id: r.channel_id.map(ChannelId::from_db),
            category_id: r.category_id.map(CategoryId),
            status: TicketStatus::from_db(&r.status)?,
            opened_at: r.opened_at,
            opened_via: OpenedVia::from_db(&r.opened_via)?,
            opened_by: UserId::from_db(r.opened_by),
            closed_at: r.closed_at,
            closed_by: r.closed_by.map(UserId::from_db),
            close_kind: r
                .close_kind
                .as_deref()
                .map(CloseKind::from_db)
                .transpose()?,
            close_reason: r.close_reason,
            assigned_to: r.assigned_to.map(UserId::from_db),
            label: r.label,
            next_message_number: r.next_message_number,
            last_activity_at: r.last_activity_at,
            first_staff_reply_at: r.first_staff_reply_at,
        })
    }
}

/// Runs a query for one ticket row. Queries stay unboxed so both backends cache their prepared
/// statements (a boxed query is prepared again on every call: measurable on the relay path).
macro_rules! first_ticket {
    ($query:expr, $conn:expr) => {
        // By a unique key, without `LIMIT` (see `crate::connection::only_row`).
        $crate::connection::only_row(
            $query
                .select(TicketRow::as_select())
                .load::<TicketRow>($conn)?,
        )
        .map(Ticket::try_from)
        .transpose()?
    };
}

/// What is needed to open a ticket.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub user_id: UserId,
    pub user_name: String,
    /// The staff guild, where the ticket channel lives.
    pub guild_id: GuildId,
    pub opened_via: OpenedVia,
    pub opened_by: UserId,
    pub category_id: Option<CategoryId>,
}

/// A new ticket's row: every column given, `None` as `NULL` (not `DEFAULT`, which SQLite's
/// multi-row insert does not take; see `crate::intake::set_wise`).
#[derive(Insertable)]
#[diesel(table_name = tickets, treat_none_as_null = true)]
pub(crate) struct TicketInsert<'a> {
    pub user_id: i64,
    pub user_name: &'a str,
    pub guild_id: i64,
    pub category_id: Option<i64>,
    pub status: &'a str,
    pub opened_at: NaiveDateTime,
    pub opened_via: &'a str,
    pub opened_by: i64,
    pub next_message_number: i32,
    pub last_activity_at: NaiveDateTime,
}

/// The result of [`open`]: the ticket, and whether this call created it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub ticket: Ticket,
    pub created: bool,
}

/// Opens a ticket for the user, or returns the one already open. Two racing callers get the same
/// ticket: the unique partial index refuses the second insert, which then reads the winner's row.
pub fn open(conn: &mut DbConnection, new: &NewTicket) -> DomainResult<Opened> {
    if new.user_name.chars().count() > 100 {
        return Err(DomainError::invalid(
            "user_name",
            "must be at most 100 characters",
        ));
    }
    for attempt in 0..3 {
        let result = write_tx(conn, |conn| {
            if let Some(existing) = find_open_by_user(conn, new.user_id)? {
                return Ok(Opened {
                    ticket: existing,
                    created: false,
                });
            }
            let at = now();
            let insert = TicketInsert {
                user_id: new.user_id.to_db(),
                user_name: &new.user_name,
                guild_id: new.guild_id.to_db(),
                category_id: new.category_id.map(|c| c.0),
                status: TicketStatus::Open.as_str(),
                opened_at: at,
                opened_via: new.opened_via.as_str(),
                opened_by: new.opened_by.to_db(),
                next_message_number: 1,
                last_activity_at: at,
            };
            // The whole row comes back with the insert, prepared once (see `cached`).
            let row: TicketRow = crate::on_backend!(conn, |c| diesel::insert_into(tickets::table)
                .values(&insert)
                .returning(TicketRow::as_returning())
                .cached()
                .get_result(c))?;
            let ticket = Ticket::try_from(row)?;
            events::add(
                conn,
                ticket.id,
                EventKind::Opened,
                Some(new.opened_by),
                new.opened_via.as_str(),
            )?;
            Ok(Opened {
                ticket,
                created: true,
            })
        });
        match result {
            Err(DomainError::Database(e)) if is_unique_violation(&e) && attempt < 2 => {}
            other => return other,
        }
    }
    unreachable!("the loop returns on its last attempt")
}

/// The ticket with this id.
pub fn get(conn: &mut DbConnection, id: TicketId) -> DomainResult<Ticket> {
    first_ticket!(tickets::table.filter(tickets::id.eq(id.0)), conn)
        .ok_or_else(|| DomainError::not_found("ticket", format!("#{id}")))
}

/// The user's open ticket, if any.
pub fn find_open_by_user(conn: &mut DbConnection, user: UserId) -> DomainResult<Option<Ticket>> {
    Ok(first_ticket!(
        tickets::table
            .filter(tickets::user_id.eq(user.to_db()))
            .filter(crate::literals::ticket_is_open()),
        conn
    ))
}

/// The ticket whose channel this is (open or closed).
pub fn find_by_channel(
    conn: &mut DbConnection,
    channel: ChannelId,
) -> DomainResult<Option<Ticket>> {
    Ok(first_ticket!(
        tickets::table.filter(tickets::channel_id.eq(channel.to_db())),
        conn
    ))
}

/// The open ticket whose channel this is; `NotFound` names the channel otherwise.
pub fn open_by_channel(conn: &mut DbConnection, channel: ChannelId) -> DomainResult<Ticket> {
    match find_by_channel(conn, channel)? {
        Some(t) if t.is_open() => Ok(t),
        Some(t) => Err(DomainError::NotOpen(t.id)),
        None => Err(DomainError::not_found("ticket for channel", channel)),
    }
}

/// Every ticket of the user, newest first.
pub fn history(conn: &mut DbConnection, user: UserId) -> DomainResult<Vec<Ticket>> {
    let rows = tickets::table
        .filter(tickets::user_id.eq(user.to_db()))
        .order(tickets::id.desc())
        .select(TicketRow::as_select())
        .load::<TicketRow>(conn)?;
    Ok(rows
        .into_iter()
        .map(Ticket::try_from)
        .collect::<Result<_, _>>()?)
}

/// Every open ticket (for recovery and reconciliation).
pub fn all_open(conn: &mut DbConnection) -> DomainResult<Vec<Ticket>> {
    let rows = tickets::table
        .filter(crate::literals::ticket_is_open())
        .order(tickets::id.asc())
        .select(TicketRow::as_select())
        .load::<TicketRow>(conn)?;
    Ok(rows
        .into_iter()
        .map(Ticket::try_from)
        .collect::<Result<_, _>>()?)
}

fn require_open(conn: &mut DbConnection, id: TicketId) -> DomainResult<Ticket> {
    let ticket = get(conn, id)?;
    if ticket.is_open() {
        Ok(ticket)
    } else {
        Err(DomainError::NotOpen(id))
    }
}

/// Records the Discord channel created for the ticket.
pub fn set_channel(
    conn: &mut DbConnection,
    id: TicketId,
    channel: ChannelId,
) -> DomainResult<Ticket> {
    // No savepoint inside the bot's batch: a failure here undoes the batch, which runs each
    // write again alone.
    within_tx(conn, |conn| {
        require_open(conn, id)?;
        diesel::update(tickets::table.filter(tickets::id.eq(id.0)))
            .set(tickets::channel_id.eq(channel.to_db()))
            .execute(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    DomainError::Conflict(format!(
                        "channel {channel} already belongs to another ticket"
                    ))
                } else {
                    e.into()
                }
            })?;
        get(conn, id)
    })
}

/// Assigns the ticket to `staff` (`/take`). A ticket taken by someone else is refused unless
/// `override_existing` (admins).
pub fn assign(
    conn: &mut DbConnection,
    id: TicketId,
    staff: UserId,
    override_existing: bool,
) -> DomainResult<Ticket> {
    write_tx(conn, |conn| {
        let ticket = require_open(conn, id)?;
        match ticket.assigned_to {
            Some(current) if current == staff => return Ok(ticket),
            Some(current) if !override_existing => {
                return Err(DomainError::AlreadyAssigned {
                    ticket: id,
                    staff: current,
                })
            }
            _ => {}
        }
        diesel::update(tickets::table.filter(tickets::id.eq(id.0)))
            .set(tickets::assigned_to.eq(Some(staff.to_db())))
            .execute(conn)?;
        events::add(conn, id, EventKind::Assigned, Some(staff), "")?;
        get(conn, id)
    })
}

/// Clears the assignment (`/release`).
pub fn release(conn: &mut DbConnection, id: TicketId, by: UserId) -> DomainResult<Ticket> {
    write_tx(conn, |conn| {
        let ticket = require_open(conn, id)?;
        if ticket.assigned_to.is_none() {
            return Err(DomainError::InvalidTransition(format!(
                "ticket #{id} is not assigned to anyone"
            )));
        }
        diesel::update(tickets::table.filter(tickets::id.eq(id.0)))
            .set(tickets::assigned_to.eq(None::<i64>))
            .execute(conn)?;
        events::add(conn, id, EventKind::Released, Some(by), "")?;
        get(conn, id)
    })
}

/// Sets or clears the ticket's label (shown in the channel name).
pub fn set_label(
    conn: &mut DbConnection,
    id: TicketId,
    label: Option<&str>,
    by: UserId,
) -> DomainResult<Ticket> {
    let label = label.map(str::trim).filter(|l| !crate::text::is_blank(l));
    if let Some(l) = label {
        if l.chars().count() > 60 {
            return Err(DomainError::invalid(
                "label",
                "must be at most 60 characters",
            ));
        }
    }
    write_tx(conn, |conn| {
        require_open(conn, id)?;
        diesel::update(tickets::table.filter(tickets::id.eq(id.0)))
            .set(tickets::label.eq(label))
            .execute(conn)?;
        events::add(conn, id, EventKind::Labelled, Some(by), label.unwrap_or(""))?;
        get(conn, id)
    })
}

/// Moves the ticket to another ticket category (`/move_thread`).
pub fn set_category(
    conn: &mut DbConnection,
    id: TicketId,
    category: Option<CategoryId>,
    by: Option<UserId>,
) -> DomainResult<Ticket> {
    write_tx(conn, |conn| {
        require_open(conn, id)?;
        diesel::update(tickets::table.filter(tickets::id.eq(id.0)))
            .set(tickets::category_id.eq(category.map(|c| c.0)))
            .execute(conn)?;
        let detail = category.map_or_else(|| "default".to_owned(), |c| c.to_string());
        events::add(conn, id, EventKind::Moved, by, &detail)?;
        get(conn, id)
    })
}

/// How a close is asked for.
#[derive(Debug, Clone)]
pub struct CloseRequest {
    pub kind: CloseKind,
    pub by: Option<UserId>,
    pub reason: Option<String>,
}

/// Closes the ticket and cancels everything still scheduled for it. Closing a closed ticket is
/// `NotOpen`, so two racing closes cannot both notify the user.
pub fn close(conn: &mut DbConnection, id: TicketId, req: &CloseRequest) -> DomainResult<Ticket> {
    write_tx(conn, |conn| {
        let at = now();
        let updated = diesel::update(
            tickets::table
                .filter(tickets::id.eq(id.0))
                .filter(crate::literals::ticket_is_open()),
        )
        .set((
            tickets::status.eq(TicketStatus::Closed.as_str()),
            tickets::closed_at.eq(Some(at)),
            tickets::closed_by.eq(req.by.map(UserId::to_db)),
            tickets::close_kind.eq(Some(req.kind.as_str())),
            tickets::close_reason.eq(req.reason.as_deref()),
        ))
        .execute(conn)?;
        if updated == 0 {
            // Distinguish "no such ticket" from "already closed".
            get(conn, id)?;
            return Err(DomainError::NotOpen(id));
        }
        diesel::update(
            scheduled_jobs::table
                .filter(scheduled_jobs::ticket_id.eq(id.0))
                .filter(scheduled_jobs::done_at.is_null())
                .filter(scheduled_jobs::cancelled_at.is_null())
                .filter(scheduled_jobs::kind.ne(crate::jobs::JobKind::SideEffect.as_str())),
        )
        .set((
            scheduled_jobs::cancelled_at.eq(Some(at)),
            scheduled_jobs::cancelled_by.eq(req.by.map(UserId::to_db)),
        ))
        .execute(conn)?;
        crate::access::on_ticket_closed(conn, id, at)?;
        events::add(conn, id, EventKind::Closed, req.by, req.kind.as_str())?;
        get(conn, id)
    })
}

/// Marks activity on the ticket (used for "last activity" and inactivity).
pub(crate) fn touch(conn: &mut DbConnection, id: TicketId, at: NaiveDateTime) -> DomainResult<()> {
    cached::update(
        &tickets::table,
        tickets::id.eq(id.0),
        tickets::last_activity_at.eq(at),
    )
    .execute(conn)?;
    Ok(())
}

/// [`close`], and in the same transaction queue the Discord side of the close (tell the user,
/// post the transcript, archive or delete the channel) as a side-effect job with `followup` as
/// its payload, due now and keyed `close:<ticket>`, so it runs exactly once even if the process
/// dies half-way.
pub fn close_with_followup(
    conn: &mut DbConnection,
    id: TicketId,
    req: &CloseRequest,
    followup: serde_json::Value,
) -> DomainResult<(Ticket, crate::jobs::Job)> {
    write_tx(conn, |conn| {
        let ticket = close(conn, id, req)?;
        let job = crate::jobs::schedule(
            conn,
            &crate::jobs::NewJob {
                kind: crate::jobs::JobKind::SideEffect,
                ticket_id: Some(id),
                payload: followup,
                due_at: now(),
                created_by: req.by,
                idempotency_key: Some(format!("close:{id}")),
            },
        )?;
        Ok((ticket, job))
    })
}

/// Records the channel created for a ticket that has none yet. When another process recorded
/// one first, nothing changes and the ticket returned carries the winner's channel (the caller
/// removes its surplus channel).
pub fn claim_channel(
    conn: &mut DbConnection,
    id: TicketId,
    channel: ChannelId,
) -> DomainResult<Ticket> {
    // No savepoint inside the bot's batch: a failure here undoes the batch, which runs each
    // write again alone.
    within_tx(conn, |conn| {
        require_open(conn, id)?;
        cached::update(
            &tickets::table,
            tickets::id.eq(id.0).and(tickets::channel_id.is_null()),
            tickets::channel_id.eq(channel.to_db()),
        )
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::Conflict(format!(
                    "channel {channel} already belongs to another ticket"
                ))
            } else {
                e.into()
            }
        })?;
        get(conn, id)
    })
}
