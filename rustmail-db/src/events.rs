//! The activity log of a ticket (opened how and by whom, assignments, staff access, moves,
//! scheduled and cancelled closes, edits, deletions, closing), shown by `/logs` and the CLI.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::ids::{TicketId, UserId};
use crate::schema::ticket_events;
use crate::text_enum;
use crate::time::now;

text_enum! {
    /// What happened to a ticket.
    pub enum EventKind {
        Opened => "opened",
        Assigned => "assigned",
        Released => "released",
        StaffAdded => "staff_added",
        StaffRemoved => "staff_removed",
        Moved => "moved",
        Labelled => "labelled",
        CloseScheduled => "close_scheduled",
        CloseCancelled => "close_cancelled",
        MessageEdited => "message_edited",
        MessageDeleted => "message_deleted",
        AlertSet => "alert_set",
        ReminderSet => "reminder_set",
        CategoryChosen => "category_chosen",
        Closed => "closed",
        Note => "note",
    }
}

/// One entry of a ticket's activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketEvent {
    pub id: i64,
    pub ticket_id: TicketId,
    pub kind: EventKind,
    pub actor_id: Option<UserId>,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = ticket_events)]
struct EventRow {
    id: i64,
    ticket_id: i64,
    kind: String,
    actor_id: Option<i64>,
    detail: String,
    created_at: NaiveDateTime,
}

/// Appends an event to the ticket's log.
pub fn add(
    conn: &mut DbConnection,
    ticket: TicketId,
    kind: EventKind,
    actor: Option<UserId>,
    detail: &str,
) -> DomainResult<()> {
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::ticket_id.eq(ticket.0),
            ticket_events::kind.eq(kind.as_str()),
            ticket_events::actor_id.eq(actor.map(UserId::to_db)),
            ticket_events::detail.eq(detail),
            ticket_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The ticket's events, oldest first.
pub fn list(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<Vec<TicketEvent>> {
    let rows = ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket.0))
        .order(ticket_events::id.asc())
        .select(EventRow::as_select())
        .load::<EventRow>(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(TicketEvent {
                id: r.id,
                ticket_id: TicketId(r.ticket_id),
                kind: EventKind::from_db(&r.kind)?,
                actor_id: r.actor_id.map(UserId::from_db),
                detail: r.detail,
                created_at: r.created_at,
            })
        })
        .collect()
}
